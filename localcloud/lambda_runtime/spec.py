"""What the Lambda runtime needs to run one function version (read from the control plane)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FunctionSpec:
    """One function version's configuration, with its resource policy."""

    name: str
    arn: str
    account: str
    region: str
    runtime: str
    handler: str
    role: str
    timeout: int
    memory_size: int
    environment: dict[str, str]
    code_sha256: str
    last_modified: str
    version: str = "$LATEST"
    policy: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def config_key(self) -> tuple:
        """Changes whenever the code or the configuration changes (a new worker is needed)."""
        env = tuple(sorted(self.environment.items()))
        return (
            self.arn,
            self.version,
            self.code_sha256,
            self.last_modified,
            self.runtime,
            self.handler,
            self.role,
            self.timeout,
            self.memory_size,
            env,
        )
