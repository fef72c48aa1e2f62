"""Test doubles and builders for the API Gateway data-plane unit tests.

- :class:`FakeBackends` implements :class:`localcloud.execute_api.model.Backends` from plain dicts
  and records every Lambda invocation.
- :func:`snapshot` / :func:`deployment` build a deployment from a ``{path: {METHOD: method}}``
  table, in the public API's shapes (GetResources with embedded methods, GetAuthorizers, ...).
- :class:`UserPool` holds an RSA key pair, its JWKS, and signs Cognito-like ID/access tokens.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from localcloud.execute_api.model import (
    ApiRequest,
    Context,
    Deployment,
    InvokeResult,
    StageTarget,
)
from localcloud.execute_api.routing import route

REGION = "us-east-1"
ACCOUNT = "123456789012"
API_ID = "a1b2c3d4e5"
STAGE = "dev"
DEPLOYMENT_ID = "dep123"
POOL_ID = "us-east-1_TestPool1"
OTHER_POOL_ID = "us-east-1_OtherPool"
CLIENT_ID = "client0123456789abcdefghij"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello"
REQUEST_ID = "11111111-2222-4333-8444-555555555555"
APIGW_ID = "AbCdEfGhIjKlMnO="
REQUEST_TIME_MS = 1718722804123  # Tue Jun 18 15:00:04.123 UTC 2024


def pool_arn(pool_id: str = POOL_ID, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool_id}"


def lambda_uri(function_arn: str = FUNCTION_ARN, region: str = REGION) -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


# ---------------------------------------------------------------------------------------------
# Deployments
# ---------------------------------------------------------------------------------------------


def lambda_integration(
    function_arn: str = FUNCTION_ARN, *, http_method: str = "POST", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "AWS_PROXY",
        "httpMethod": http_method,
        "uri": lambda_uri(function_arn),
        **extra,
    }


def mock_integration(
    status: int = 200, responses: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "type": "MOCK",
        "requestTemplates": {"application/json": json.dumps({"statusCode": status})},
        "integrationResponses": dict(
            responses
            if responses is not None
            else {"200": {"statusCode": "200", "responseTemplates": {"application/json": "{}"}}}
        ),
    }


def method(http_method: str = "GET", **fields: Any) -> dict[str, Any]:
    """A GetMethod-shaped document; ``integration=`` becomes ``methodIntegration``."""
    doc: dict[str, Any] = {"httpMethod": http_method, "authorizationType": "NONE"}
    integration = fields.pop("integration", None)
    doc.update(fields)
    doc["methodIntegration"] = integration if integration is not None else lambda_integration()
    return doc


def snapshot(
    routes: Mapping[str, Mapping[str, Mapping[str, Any]]],
    *,
    authorizers: list[dict[str, Any]] | None = None,
    validators: list[dict[str, Any]] | None = None,
    models: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A deployment snapshot from ``{"/pets/{id}": {"GET": method(...)}}``.

    Every prefix of every path becomes a resource (as ``CreateResource`` would have made them),
    with ids ``root``, ``r1``, ``r2``, ... in order of first appearance.
    """
    resources: dict[str, dict[str, Any]] = {"/": {"id": "root", "path": "/", "resourceMethods": {}}}
    for path in routes:
        parent = resources["/"]
        current = ""
        for part in [p for p in path.split("/") if p]:
            current = f"{current}/{part}"
            if current not in resources:
                resources[current] = {
                    "id": f"r{len(resources)}",
                    "parentId": parent["id"],
                    "pathPart": part,
                    "path": current,
                    "resourceMethods": {},
                }
            parent = resources[current]
    for path, methods in routes.items():
        key = "/" + "/".join(p for p in path.split("/") if p)
        for verb, doc in methods.items():
            resources[key]["resourceMethods"][verb] = {"httpMethod": verb, **doc}
    return {
        "resources": list(resources.values()),
        "authorizers": authorizers or [],
        "requestValidators": validators or [],
        "models": models or [],
    }


def deployment(
    routes: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None, **kwargs: Any
) -> Deployment:
    return Deployment.from_snapshot(API_ID, DEPLOYMENT_ID, snapshot(routes or {}, **kwargs))


def cognito_authorizer(
    auth_id: str = "auth1", pools: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": auth_id,
        "name": "cognito",
        "type": "COGNITO_USER_POOLS",
        "providerARNs": pools if pools is not None else [pool_arn()],
        "identitySource": "method.request.header.Authorization",
        **extra,
    }


def validator(
    validator_id: str = "val1", *, params: bool = True, body: bool = True
) -> dict[str, Any]:
    return {
        "id": validator_id,
        "name": validator_id,
        "validateRequestParameters": params,
        "validateRequestBody": body,
    }


def invoke_permission(
    source_arn: str | None = None,
    *,
    function_arn: str = FUNCTION_ARN,
    principal: str = "apigateway.amazonaws.com",
    action: str = "lambda:InvokeFunction",
    effect: str = "Allow",
    extra_condition: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One statement as ``lambda add-permission`` writes it."""
    statement: dict[str, Any] = {
        "Sid": "apigw",
        "Effect": effect,
        "Principal": {"Service": principal},
        "Action": action,
        "Resource": function_arn,
    }
    condition: dict[str, Any] = {}
    if source_arn is not None:
        condition["ArnLike"] = {"AWS:SourceArn": source_arn}
    if extra_condition:
        condition.update(extra_condition)
    if condition:
        statement["Condition"] = condition
    return statement


def policy(*statements: Mapping[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Id": "default", "Statement": list(statements)}


def proxy_answer(status: Any = 200, body: str = '{"ok":true}', **extra: Any) -> bytes:
    return json.dumps({"statusCode": status, "body": body, **extra}).encode()


# ---------------------------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------------------------


@dataclass
class Invocation:
    function_arn: str
    payload: bytes
    wait_seconds: float

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.payload)


@dataclass
class FakeBackends:
    """The rest of the cloud, as plain data. Implements the ``Backends`` protocol."""

    stages: dict[tuple[str, str], StageTarget] = field(default_factory=dict)
    jwks: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    keys: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    #: function ARN -> its resource policy (None: exists without a policy); absent: no function
    functions: dict[str, Mapping[str, Any] | None] = field(default_factory=dict)
    #: what ``invoke`` answers: an InvokeResult, or a callable taking the decoded event
    answer: InvokeResult | Callable[[dict[str, Any]], InvokeResult] = field(
        default_factory=lambda: InvokeResult(payload=proxy_answer())
    )
    invocations: list[Invocation] = field(default_factory=list)

    # -- Backends protocol ------------------------------------------------------------------
    def stage_target(self, api_id: str, stage: str) -> StageTarget | None:
        return self.stages.get((api_id, stage))

    def user_pool_jwks(self, pool_arn: str) -> Mapping[str, Any] | None:
        return self.jwks.get(pool_arn)

    def api_keys(self, account: str, region: str) -> tuple[list[dict], list[dict]]:
        return self.keys, self.plans

    def function_policy(self, function_arn: str) -> tuple[bool, Mapping[str, Any] | None]:
        if function_arn not in self.functions:
            return False, None
        return True, self.functions[function_arn]

    def invoke(self, function_arn: str, payload: bytes, wait_seconds: float) -> InvokeResult:
        self.invocations.append(Invocation(function_arn, payload, wait_seconds))
        if callable(self.answer):
            return self.answer(json.loads(payload))
        return self.answer

    # -- set-up helpers ---------------------------------------------------------------------
    def serve(
        self,
        dep: Deployment,
        *,
        api_id: str = API_ID,
        stage: str = STAGE,
        variables: Mapping[str, str] | None = None,
    ) -> FakeBackends:
        self.stages[(api_id, stage)] = StageTarget(
            account=ACCOUNT, region=REGION, deployment=dep, variables=dict(variables or {})
        )
        return self

    def add_pool(self, pool: UserPool) -> FakeBackends:
        self.jwks[pool.arn] = pool.jwks
        return self

    def allow_apigateway(
        self, function_arn: str = FUNCTION_ARN, source_arn: str | None = None
    ) -> FakeBackends:
        src = source_arn or f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/*/*/*"
        self.functions[function_arn] = policy(invoke_permission(src, function_arn=function_arn))
        return self

    def add_key(
        self,
        value: str,
        *,
        key_id: str = "key1",
        enabled: bool = True,
        stages: list[tuple[str, str]] | None = None,
    ) -> FakeBackends:
        """An API key, and (unless ``stages == []``) a usage plan holding it for those stages."""
        self.keys.append({"id": key_id, "value": value, "enabled": enabled, "name": key_id})
        api_stages = [(API_ID, STAGE)] if stages is None else stages
        if api_stages:
            self.plans.append(
                {
                    "id": f"plan-{key_id}",
                    "keyIds": [key_id],
                    "apiStages": [{"apiId": a, "stage": s} for a, s in api_stages],
                }
            )
        return self


# ---------------------------------------------------------------------------------------------
# Requests and contexts
# ---------------------------------------------------------------------------------------------


def request(
    http_method: str = "GET",
    path: str = "/",
    *,
    headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
    query: Mapping[str, str] | list[tuple[str, str]] | None = None,
    body: bytes | str = b"",
    api_id: str = API_ID,
    stage: str = STAGE,
) -> ApiRequest:
    def pairs(value: Any) -> list[tuple[str, str]]:
        if value is None:
            return []
        return list(value.items()) if isinstance(value, Mapping) else list(value)

    return ApiRequest(
        api_id=api_id,
        stage=stage,
        method=http_method,
        path=path,
        headers=pairs(headers),
        query=pairs(query),
        body=body.encode() if isinstance(body, str) else body,
    )


def context(req: ApiRequest) -> Context:
    return Context(
        request=req,
        request_id=REQUEST_ID,
        apigw_id=APIGW_ID,
        request_time_epoch_ms=REQUEST_TIME_MS,
    )


def routed(backends: FakeBackends, *args: Any, **kwargs: Any) -> Context:
    """A context for ``request(*args, **kwargs)`` after the routing stage ran."""
    ctx = context(request(*args, **kwargs))
    route(ctx, backends)
    return ctx


# ---------------------------------------------------------------------------------------------
# Cognito tokens
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """One RSA key per name, made once per test session (key generation is the slow part)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64url_uint(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass
class UserPool:
    """A Cognito user pool's signing key and JWKS, and tokens like the ones it issues."""

    pool_id: str = POOL_ID
    key_name: str = "pool"
    kid: str = "kid-1"
    region: str = REGION
    client_id: str = CLIENT_ID

    @property
    def key(self) -> rsa.RSAPrivateKey:
        return rsa_key(self.key_name)

    @property
    def arn(self) -> str:
        return pool_arn(self.pool_id, self.region)

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "alg": "RS256",
                    "e": _b64url_uint(numbers.e),
                    "kid": self.kid,
                    "kty": "RSA",
                    "n": _b64url_uint(numbers.n),
                    "use": "sig",
                }
            ]
        }

    def sign(
        self,
        claims: Mapping[str, Any],
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
    ) -> str:
        return jwt.encode(
            dict(claims),
            key or self.key,
            algorithm="RS256",
            headers={"kid": kid or self.kid},
        )

    def id_claims(self, now: float | None = None, **overrides: Any) -> dict[str, Any]:
        iat = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "sub": "5f0c4a1e-0000-4000-8000-000000000001",
            "email_verified": True,
            "iss": self.issuer,
            "cognito:username": "alice",
            "origin_jti": "0c9b5a4e-aaaa-4bbb-8ccc-000000000002",
            "aud": self.client_id,
            "event_id": "0c9b5a4e-aaaa-4bbb-8ccc-000000000003",
            "token_use": "id",
            "auth_time": iat,
            "exp": iat + 3600,
            "iat": iat,
            "jti": "0c9b5a4e-aaaa-4bbb-8ccc-000000000004",
            "email": "alice@example.com",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def access_claims(self, now: float | None = None, **overrides: Any) -> dict[str, Any]:
        iat = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "sub": "5f0c4a1e-0000-4000-8000-000000000001",
            "iss": self.issuer,
            "client_id": self.client_id,
            "origin_jti": "0c9b5a4e-aaaa-4bbb-8ccc-000000000002",
            "event_id": "0c9b5a4e-aaaa-4bbb-8ccc-000000000003",
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": iat,
            "exp": iat + 3600,
            "iat": iat,
            "jti": "0c9b5a4e-aaaa-4bbb-8ccc-000000000005",
            "username": "alice",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def id_token(self, now: float | None = None, **overrides: Any) -> str:
        """A signed ID token; pass ``claim=None`` to drop a claim."""
        return self.sign(self.id_claims(now, **overrides))

    def access_token(self, now: float | None = None, **overrides: Any) -> str:
        """A signed access token; pass ``claim=None`` to drop a claim."""
        return self.sign(self.access_claims(now, **overrides))
