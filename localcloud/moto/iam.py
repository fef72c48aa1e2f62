"""IAM and STS in moto: accounts of access keys, roles, their trust and identity policies, AWS
managed policies, and assumed-role sessions."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.exceptions import NotFoundException
from moto.iam.models import AWSManagedPolicy, get_account_id_from, iam_backends
from moto.sts.models import sts_backends

from .. import arns
from ..authz.identity import Credentials, RoleSession


def account_for_access_key(access_key_id: str | None) -> str:
    """The account moto attributes to an access key (assumed-role keys map to their account)."""
    if not access_key_id:
        return DEFAULT_ACCOUNT_ID
    return get_account_id_from(access_key_id)


def _backend(account: str, partition: str = "aws") -> Any:
    return iam_backends[account][partition]


def _document(doc: Any) -> dict[str, Any]:
    """A policy document as moto stores it (a dict, JSON text, or URL-encoded JSON text)."""
    if not isinstance(doc, str):
        return dict(doc)
    try:
        return json.loads(doc)
    except json.JSONDecodeError:
        return json.loads(unquote(doc))


def role_trust_policy(account: str, role_arn: str) -> dict[str, Any] | None:
    """The trust (assume-role) policy document of a role, or None when the role does not exist."""
    parsed = arns.parse(role_arn)
    partition = parsed.partition if parsed else "aws"
    role_account = parsed.account if parsed else account
    try:
        role = _backend(role_account, partition).get_role_by_arn(role_arn)
    except NotFoundException:
        return None
    return _document(role.assume_role_policy_document)


@lru_cache(maxsize=1)
def _aws_managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)


def ensure_aws_managed_policy(account: str, policy_arn: str) -> bool:
    """Make one AWS managed policy (``arn:aws:iam::aws:policy/...``) known to an account's IAM,
    with its real document. moto can only load all 1,500 of them for every partition at once,
    which costs the start-up 0.6 s. Returns False when AWS has no such policy."""
    prefix = "arn:aws:iam::aws:policy"
    if not policy_arn.startswith(prefix + "/"):
        return False
    path, _, name = policy_arn[len(prefix) :].rpartition("/")
    data = _aws_managed_policies().get(name)
    if data is None or data.get("Path") != path + "/":
        return False
    backend = _backend(account)
    if policy_arn not in backend.managed_policies:
        backend.managed_policies[policy_arn] = AWSManagedPolicy.from_data(
            name, account, backend.region_name, data
        )
    return True


def _managed_documents(managed: dict[str, Any]) -> list[tuple[str, str, str]]:
    found = []
    for arn, policy in managed.items():
        default = next((v for v in policy.versions if v.is_default), None)
        kind = "aws-managed" if arn.startswith("arn:aws:iam::aws:") else "user-managed"
        found.append((policy.name, kind, default.document if default else "{}"))
    return found


def principal_policies(account: str, principal_arn: str) -> list[tuple[str, str, str]] | None:
    """(policy name, source type, document text) of every identity policy of a role or user
    (``arn:aws:iam::<account>:role/<name>`` or ``user/<name>``): attached managed policies at
    their default version, then inline ones. None when there is no such principal."""
    parsed = arns.parse(principal_arn)
    if parsed is None:
        return None
    backend = _backend(account)
    kind, name = parsed.resource_type, parsed.resource_name
    if kind == "role":
        principal = next((r for r in backend.roles.values() if r.name == name), None)
    elif kind == "user":
        principal = backend.users.get(name)
    else:
        return None
    if principal is None:
        return None
    inline = [(n, kind, doc) for n, doc in principal.policies.items()]
    return _managed_documents(principal.managed_policies) + inline


def assume_role(
    account: str, region: str, role_arn: str, session_name: str, duration: int = 3600
) -> Credentials:
    """STS AssumeRole as the Lambda service does it for a function's execution role."""
    role = sts_backends[account]["aws"].assume_role(
        region_name=region,
        role_session_name=session_name,
        role_arn=role_arn,
        policy="",
        duration=duration,
        external_id="",
    )
    return _credentials(role)


def _credentials(assumed: Any) -> Credentials:
    return Credentials(
        access_key_id=assumed.access_key_id,
        secret_access_key=assumed.secret_access_key,
        session_token=assumed.session_token,
        expiration_epoch=assumed.expiration.timestamp(),
    )


def role_session(access_key_id: str | None) -> RoleSession | None:
    """The assumed-role session behind temporary credentials, or None for any other key."""
    if not access_key_id:
        return None
    account = account_for_access_key(access_key_id)
    for partition in list(sts_backends[account].values()):
        found = partition.get_assumed_role_from_access_key(access_key_id)
        if found is not None:
            return RoleSession(account, arns.resource_name(found.role_arn), found.session_name)
    return None


def issued_credentials(access_key_id: str) -> Credentials | None:
    """The temporary credentials STS issued with this access key (``AssumeRole``), or None."""
    account = account_for_access_key(access_key_id)
    for partition in list(sts_backends[account].values()):
        found = partition.get_assumed_role_from_access_key(access_key_id)
        if found is not None:
            return _credentials(found)
    return None
