"""The one place that reaches into moto's internals.

Everything else in ``localcloud`` talks to moto through its WSGI app (the AWS APIs) or through the
plain data shapes returned here. Each function names the AWS concept it reads, returns public-API
shaped dicts or small dataclasses, and hides moto's class and attribute names. When moto changes,
this module is the only one to mend.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class FunctionSpec:
    """What the Lambda runtime needs to run one function version."""

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


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration_epoch: float
    assumed_role_arn: str


def seed(value: int) -> None:
    """Seed moto's random source so that generated IDs repeat run to run."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(value)


def account_for_access_key(access_key_id: str | None) -> str:
    """The account moto attributes to an access key (assumed-role keys map to their account)."""
    from moto.iam.models import get_account_id_from

    if not access_key_id:
        return DEFAULT_ACCOUNT
    try:
        return get_account_id_from(access_key_id)
    except Exception:  # pragma: no cover - defensive: moto moved the helper
        return DEFAULT_ACCOUNT


# ---------------------------------------------------------------- Lambda


def _lambda_backend(account: str, region: str):
    from moto.awslambda.models import lambda_backends

    return lambda_backends[account][region]


def get_function(
    account: str, region: str, name_or_arn: str, qualifier: str | None = None
) -> FunctionSpec | None:
    """The function's configuration as the runtime needs it, or None when it does not exist."""
    try:
        fn = _lambda_backend(account, region).get_function(name_or_arn, qualifier)
    except Exception:
        return None
    if fn is None:
        return None
    try:
        policy = fn.policy.get_policy()["Policy"] if fn.policy else None
    except Exception:  # moto raises when the function has no resource policy
        policy = None
    version = str(getattr(fn, "version", "$LATEST") or "$LATEST")
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
        version=version,
        policy=policy,
    )


def get_function_code(spec: FunctionSpec) -> bytes:
    """The deployment package (zip bytes) of a function."""
    fn = _lambda_backend(spec.account, spec.region).get_function(
        spec.arn, None if spec.version == "$LATEST" else spec.version
    )
    return bytes(fn.code_bytes or b"")


# ---------------------------------------------------------------- IAM / STS


def role_trust_policy(account: str, role_arn: str) -> dict[str, Any] | None:
    """The trust (assume-role) policy document of a role, or None when the role does not exist."""
    from moto.iam.models import iam_backends

    partition = role_arn.split(":")[1] if role_arn.count(":") >= 5 else "aws"
    role_account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else account
    try:
        role = iam_backends[role_account][partition].get_role_by_arn(role_arn)
    except Exception:
        return None
    doc = role.assume_role_policy_document
    if isinstance(doc, str):
        from urllib.parse import unquote

        try:
            return json.loads(doc)
        except json.JSONDecodeError:
            return json.loads(unquote(doc))
    return dict(doc)


@lru_cache(maxsize=1)
def _aws_managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)


def ensure_aws_managed_policy(account: str, policy_arn: str) -> bool:
    """Make one AWS managed policy (``arn:aws:iam::aws:policy/...``) known to an account's IAM,
    with its real document. moto can only load all 1,500 of them for every partition at once,
    which costs the start-up 0.6 s. Returns False when AWS has no such policy."""
    from moto.iam.models import AWSManagedPolicy, iam_backends

    prefix = "arn:aws:iam::aws:policy"
    if not policy_arn.startswith(prefix + "/"):
        return False
    path, _, name = policy_arn[len(prefix) :].rpartition("/")
    data = _aws_managed_policies().get(name)
    if data is None or data.get("Path") != path + "/":
        return False
    backend = iam_backends[account]["aws"]
    if policy_arn not in backend.managed_policies:
        backend.managed_policies[policy_arn] = AWSManagedPolicy.from_data(
            name, account, backend.region_name, data
        )
    return True


def assume_role(
    account: str, region: str, role_arn: str, session_name: str, duration: int = 3600
) -> Credentials:
    """STS AssumeRole as the Lambda service does it for a function's execution role."""
    from moto.sts.models import sts_backends

    backend = sts_backends[account]["aws"]
    role = backend.assume_role(
        region_name=region,
        role_session_name=session_name,
        role_arn=role_arn,
        policy="",
        duration=duration,
        external_id="",
    )
    return Credentials(
        access_key_id=role.access_key_id,
        secret_access_key=role.secret_access_key,
        session_token=role.session_token,
        expiration_epoch=role.expiration.timestamp(),
        assumed_role_arn=role.arn,
    )


# ---------------------------------------------------------------- CloudWatch Logs

_logs_lock = threading.Lock()


def put_log_events(
    account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]
) -> None:
    """Append (timestamp-ms, message) events, creating the group and stream when missing."""
    from moto.logs.models import logs_backends

    backend = logs_backends[account][region]
    with _logs_lock:
        if group not in backend.groups:
            backend.create_log_group(group, tags={})
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)
        backend.put_log_events(
            group, stream, [{"timestamp": ts, "message": msg} for ts, msg in events]
        )


# ---------------------------------------------------------------- Cognito


def user_pool_client(
    account: str, region: str, pool_id: str, client_id: str
) -> dict[str, Any] | None:
    """DescribeUserPoolClient's shape for one app client, or None."""
    from moto.cognitoidp.models import cognitoidp_backends

    try:
        pool = cognitoidp_backends[account][region].user_pools[pool_id]
        return pool.clients[client_id].to_json(extended=True)
    except KeyError:
        return None


def find_user_pool_client(
    account: str, region: str, client_id: str
) -> tuple[str, dict[str, Any]] | None:
    """(pool id, client) for an app client id, searched across the region's pools."""
    from moto.cognitoidp.models import cognitoidp_backends

    for pool_id, pool in cognitoidp_backends[account][region].user_pools.items():
        if client_id in pool.clients:
            return pool_id, pool.clients[client_id].to_json(extended=True)
    return None


def user_pool_password_policy(account: str, region: str, pool_id: str) -> dict[str, Any] | None:
    """The pool's ``PasswordPolicy`` as DescribeUserPool shows it, or None (no such pool)."""
    from moto.cognitoidp.models import cognitoidp_backends

    pool = cognitoidp_backends[account][region].user_pools.get(pool_id)
    if pool is None:
        return None
    return dict((pool.to_json(extended=True).get("Policies") or {}).get("PasswordPolicy") or {})


def user_pool_jwks(account: str, region: str, pool_id: str) -> dict[str, Any] | None:
    """The public JWKS a pool signs its tokens with, or None when the pool does not exist."""
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.utilities.utils import load_resource

    if pool_id not in cognitoidp_backends[account][region].user_pools:
        return None
    return load_resource("cognitoidp/resources/jwks-public.json")


def user_pool_signing_jwk() -> dict[str, Any]:
    """The private JWK the local Cognito signs with (for tests that forge expired tokens)."""
    from moto.utilities.utils import load_resource

    return load_resource("cognitoidp/resources/jwks-private.json")


# ---------------------------------------------------------------- API Gateway


def _apigateway_backend(account: str, region: str):
    from moto.apigateway.models import apigateway_backends

    return apigateway_backends[account][region]


def find_rest_api(api_id: str) -> tuple[str, str] | None:
    """(account, region) of a REST API id, searched over every account and region in use."""
    from moto.apigateway.models import apigateway_backends

    for account, regions in list(apigateway_backends.items()):
        for region, backend in list(regions.items()):
            if api_id in backend.apis:
                return account, region
    return None


def rest_api_snapshot(account: str, region: str, api_id: str) -> dict[str, Any]:
    """The REST API's configuration in the public API's shapes, as a deployment freezes it."""
    api = _apigateway_backend(account, region).apis[api_id]
    return {
        "restApi": api.to_dict(),
        "resources": [r.to_dict() for r in api.resources.values()],
        "authorizers": [a.to_json() for a in api.authorizers.values()],
        "requestValidators": [v.to_dict() for v in api.request_validators.values()],
        "models": [m.to_json() for m in api.models.values()],
    }


def set_authorizer_validation_expression(
    account: str, region: str, api_id: str, authorizer_id: str, expression: str
) -> None:
    """Store an authorizer's ``identityValidationExpression``: moto 5 drops the one given to
    CreateAuthorizer (it passes the value under a misspelt keyword)."""
    api = _apigateway_backend(account, region).apis[api_id]
    api.authorizers[authorizer_id].identity_validation_expression = expression


def change_authorizer_providers(
    account: str, region: str, api_id: str, authorizer_id: str, add: list[str], remove: list[str]
) -> bool:
    """Add and remove an authorizer's ``providerARNs`` (moto raises on these patch operations);
    False when there is no such authorizer."""
    api = _apigateway_backend(account, region).apis.get(api_id)
    authorizer = api.authorizers.get(authorizer_id) if api else None
    if authorizer is None:
        return False
    arns = [arn for arn in (authorizer.provider_arns or []) if arn not in remove]
    authorizer.provider_arns = arns + [arn for arn in add if arn not in arns]
    return True


_METHOD_ATTRS = {
    "authorizationType": "authorization_type",
    "authorizerId": "authorizer_id",
    "apiKeyRequired": "api_key_required",
    "requestValidatorId": "request_validator_id",
    "operationName": "operation_name",
    "authorizationScopes": "authorization_scopes",
    "requestParameters": "request_parameters",
    "requestModels": "request_models",
}
_INTEGRATION_ATTRS = {
    "uri": "uri",
    "httpMethod": "http_method",
    "timeoutInMillis": "timeout_in_millis",
    "passthroughBehavior": "passthrough_behaviour",
    "contentHandling": "content_handling",
    "credentials": "credentials",
    "connectionType": "connection_type",
    "cacheNamespace": "cache_namespace",
    "requestTemplates": "request_templates",
    "requestParameters": "request_parameters",
    "cacheKeyParameters": "cache_key_parameters",
}


def _method(account: str, region: str, api_id: str, resource_id: str, http_method: str):
    api = _apigateway_backend(account, region).apis.get(api_id)
    resource = api.resources.get(resource_id) if api else None
    return (resource.resource_methods or {}).get(http_method) if resource else None


def get_method(
    account: str, region: str, api_id: str, resource_id: str, http_method: str
) -> dict[str, Any] | None:
    """GetMethod's shape, or None when there is no such method."""
    method = _method(account, region, api_id, resource_id, http_method)
    return method.to_json() if method else None


def set_method(
    account: str, region: str, api_id: str, resource_id: str, http_method: str, doc: dict[str, Any]
) -> dict[str, Any]:
    """Write a method's updatable fields (UpdateMethod, which moto does not implement)."""
    method = _method(account, region, api_id, resource_id, http_method)
    for field_name, attr in _METHOD_ATTRS.items():
        setattr(method, attr, doc.get(field_name))
    return method.to_json()


def set_integration(
    account: str, region: str, api_id: str, resource_id: str, http_method: str, doc: dict[str, Any]
) -> dict[str, Any]:
    """Write an integration's updatable fields (UpdateIntegration, which moto lacks)."""
    integration = _method(account, region, api_id, resource_id, http_method).method_integration
    for field_name, attr in _INTEGRATION_ATTRS.items():
        setattr(integration, attr, doc.get(field_name))
    return integration.to_json()


def stage_deployment(account: str, region: str, api_id: str, stage: str) -> tuple[str, dict] | None:
    """(deployment id, stage variables) of a stage, or None."""
    api = _apigateway_backend(account, region).apis.get(api_id)
    if api is None or stage not in api.stages:
        return None
    st = api.stages[stage]
    return st.deployment_id, dict(st.variables or {})


def delete_deployment(account: str, region: str, api_id: str, deployment_id: str) -> str:
    """Delete a deployment no stage serves: ``"deleted"``, ``"in use"`` or ``"not found"``.

    moto refuses a deployment whose *original* stage still exists, even after that stage has
    moved on to a newer deployment; AWS refuses only while a stage points at it.
    """
    api = _apigateway_backend(account, region).apis.get(api_id)
    if api is None or deployment_id not in api.deployments:
        return "not found"
    if any(stage.deployment_id == deployment_id for stage in api.stages.values()):
        return "in use"
    api.deployments.pop(deployment_id)
    return "deleted"


def api_keys_and_usage_plans(account: str, region: str) -> tuple[list[dict], list[dict]]:
    """(API keys with their values, usage plans with their key ids) of one account and region."""
    backend = _apigateway_backend(account, region)
    keys = [k.to_json() for k in backend.keys.values()]
    plans = []
    for plan in backend.usage_plans.values():
        doc = plan.to_json()
        doc["keyIds"] = sorted(backend.usage_plan_keys.get(plan.id, {}).keys())
        plans.append(doc)
    return keys, plans


# ---------------------------------------------------------------- IAM authorization


@dataclass(frozen=True)
class RoleSession:
    """Who signs with an assumed role's temporary credentials."""

    account: str
    role_name: str
    session_name: str

    @property
    def principal_arn(self) -> str:
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role_name}/{self.session_name}"


def role_session(access_key_id: str | None) -> RoleSession | None:
    """The assumed-role session behind temporary credentials, or None for any other key."""
    if not access_key_id:
        return None
    from moto.sts.models import sts_backends

    account = account_for_access_key(access_key_id)
    for partition in list(sts_backends[account].values()):
        found = partition.get_assumed_role_from_access_key(access_key_id)
        if found is not None:
            return RoleSession(account, found.role_arn.rsplit("/", 1)[-1], found.session_name)
    return None


def _iam_backend(account: str):
    from moto.iam.models import iam_backends

    return iam_backends[account]["aws"]


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
    backend = _iam_backend(account)
    kind, _, name = principal_arn.split(":", 5)[-1].partition("/")
    name = name.rsplit("/", 1)[-1]
    if kind == "role":
        principal = backend.roles.get(
            next((k for k, r in backend.roles.items() if r.name == name), "")
        )
    elif kind == "user":
        principal = backend.users.get(name)
    else:
        return None
    if principal is None:
        return None
    inline = [(n, kind, doc) for n, doc in principal.policies.items()]
    return _managed_documents(principal.managed_policies) + inline


def log_group_exists(account: str, region: str, group: str) -> bool:
    from moto.logs.models import logs_backends

    return group in logs_backends[account][region].groups
