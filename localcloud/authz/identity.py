"""Who signs a call: an assumed role's session and the temporary credentials STS issues for it.

Plain data, imported by the moto door (which finds them) and by the Lambda runtime and the
enforcer (which use them). Imports nothing from ``localcloud``'s other modules but ``arns``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import arns


@dataclass(frozen=True)
class Credentials:
    """Temporary credentials of an assumed role (``AssumeRole``'s answer)."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration_epoch: float


@dataclass(frozen=True)
class RoleSession:
    """Who signs with an assumed role's temporary credentials."""

    account: str
    role_name: str
    session_name: str

    @property
    def principal_arn(self) -> str:
        return arns.assumed_role(self.account, self.role_name, self.session_name)
