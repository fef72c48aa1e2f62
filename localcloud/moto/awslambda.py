"""Lambda in moto: a function's configuration, resource policy and deployment package."""

from __future__ import annotations

from typing import Any

from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import lambda_backends

from ..lambda_runtime.spec import FunctionSpec


def _backend(account: str, region: str) -> Any:
    return lambda_backends[account][region]


def _function(account: str, region: str, name_or_arn: str, qualifier: str | None) -> Any:
    try:
        return _backend(account, region).get_function(name_or_arn, qualifier)
    except LambdaClientError:  # unknown function or qualifier, another account's ARN
        return None


def get_function(
    account: str, region: str, name_or_arn: str, qualifier: str | None = None
) -> FunctionSpec | None:
    """The function's configuration as the runtime needs it, or None when it does not exist."""
    fn = _function(account, region, name_or_arn, qualifier)
    if fn is None:
        return None
    try:
        policy = fn.policy.get_policy()["Policy"] if fn.policy else None
    except LambdaClientError:  # moto raises when the function has no resource policy
        policy = None
    return FunctionSpec(
        name=fn.function_name,
        arn=fn.function_arn,
        account=account,
        region=region,
        runtime=fn.run_time or "",
        handler=fn.handler or "",
        role=fn.role,
        timeout=int(fn.timeout or 3),
        memory_size=int(fn.memory_size or 128),
        environment=dict(fn.environment_vars or {}),
        code_sha256=fn.code_sha_256,
        last_modified=str(fn.last_modified),
        version=str(getattr(fn, "version", "$LATEST") or "$LATEST"),
        policy=policy,
    )


def get_function_code(spec: FunctionSpec) -> bytes | None:
    """The deployment package (zip bytes) of a function version, or None when it is gone."""
    qualifier = None if spec.version == "$LATEST" else spec.version
    fn = _function(spec.account, spec.region, spec.arn, qualifier)
    return None if fn is None else bytes(fn.code_bytes or b"")
