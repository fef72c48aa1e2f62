"""What the Lambda runtime needs to run one function version (read from the control plane), and
Lambda's payload quotas for a synchronous invocation, which every caller of the runtime enforces
(docs/aws-behavior.md#lambda)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

#: the largest ``Invoke`` request body Lambda accepts (6 MB as 6 MiB; AWS's message names it)
INVOKE_REQUEST_LIMIT = 6 * 1024 * 1024
#: the largest answer a function may give to a synchronous invocation: 100 bytes more than the
#: request quota, as AWS's ``Function.ResponseSizeTooLarge`` message names it
INVOKE_RESPONSE_LIMIT = 6 * 1024 * 1024 + 100


def oversized_response(payload: bytes, limit: int = INVOKE_RESPONSE_LIMIT) -> bytes | None:
    """Lambda's function error for an answer over the response quota (None when it fits)."""
    if len(payload) <= limit:
        return None
    return json.dumps(
        {
            "errorMessage": f"Response payload size ({len(payload)} bytes) exceeded maximum "
            f"allowed payload size ({limit} bytes).",
            "errorType": "Function.ResponseSizeTooLarge",
        },
        separators=(",", ":"),
    ).encode()


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
