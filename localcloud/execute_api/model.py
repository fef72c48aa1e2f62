"""Plain data the stages share: the request, the frozen deployment, the context, the response.

A deployment is built from the public API's shapes (GetResources with methods, GetAuthorizers,
GetRequestValidators, GetModels), so the data plane knows AWS's schema and nothing of moto.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class ApiRequest:
    """One request to a stage URL, as the client sent it."""

    api_id: str
    stage: str
    method: str
    path: str  # begins with "/", without the stage
    headers: list[tuple[str, str]] = field(default_factory=list)
    query: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        """Last value of a header, case-insensitively (API Gateway keeps the last)."""
        lname = name.lower()
        value = None
        for k, v in self.headers:
            if k.lower() == lname:
                value = v
        return value

    def query_value(self, name: str) -> str | None:
        value = None
        for k, v in self.query:
            if k == name:
                value = v
        return value


@dataclass(frozen=True)
class Method:
    http_method: str
    authorization_type: str = "NONE"
    authorizer_id: str | None = None
    authorization_scopes: tuple[str, ...] = ()
    api_key_required: bool = False
    request_parameters: Mapping[str, bool] = field(default_factory=dict)
    request_validator_id: str | None = None
    request_models: Mapping[str, str] = field(default_factory=dict)
    integration: Mapping[str, Any] | None = None

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> Method:
        return cls(
            http_method=doc["httpMethod"],
            authorization_type=doc.get("authorizationType") or "NONE",
            authorizer_id=doc.get("authorizerId"),
            authorization_scopes=tuple(doc.get("authorizationScopes") or ()),
            api_key_required=bool(doc.get("apiKeyRequired")),
            request_parameters=dict(doc.get("requestParameters") or {}),
            request_validator_id=doc.get("requestValidatorId"),
            request_models=dict(doc.get("requestModels") or {}),
            integration=doc.get("methodIntegration"),
        )


@dataclass(frozen=True)
class Resource:
    id: str
    path: str
    path_part: str | None
    parent_id: str | None
    methods: Mapping[str, Method]


@dataclass(frozen=True)
class Deployment:
    """The API as it was when ``CreateDeployment`` was called."""

    api_id: str
    deployment_id: str
    resources: Mapping[str, Resource]
    authorizers: Mapping[str, Mapping[str, Any]]
    validators: Mapping[str, Mapping[str, Any]]
    models: Mapping[str, Mapping[str, Any]]  # by name
    #: the API's customized gateway responses, by response type (GetGatewayResponses' items)
    gateway_responses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_snapshot(cls, api_id: str, deployment_id: str, snap: Mapping[str, Any]) -> Deployment:
        resources = {}
        for r in snap.get("resources", []):
            methods = {
                m: Method.from_api(doc) for m, doc in (r.get("resourceMethods") or {}).items()
            }
            resources[r["id"]] = Resource(
                id=r["id"],
                path=r["path"],
                path_part=r.get("pathPart"),
                parent_id=r.get("parentId"),
                methods=methods,
            )
        return cls(
            api_id=api_id,
            deployment_id=deployment_id,
            resources=resources,
            authorizers={a["id"]: a for a in snap.get("authorizers", [])},
            validators={v["id"]: v for v in snap.get("requestValidators", [])},
            models={m["name"]: m for m in snap.get("models", [])},
            gateway_responses={g["responseType"]: g for g in snap.get("gatewayResponses", [])},
        )


@dataclass(frozen=True)
class StageTarget:
    """Where a stage points now: its deployment and its stage variables."""

    account: str
    region: str
    deployment: Deployment
    variables: Mapping[str, str] = field(default_factory=dict)
    #: the stage's settings, read live (not frozen by a deployment): execution logging
    #: (``OFF``/``ERROR``/``INFO``), data trace, access log settings (``destinationArn``,
    #: ``format``)
    logging_level: str = "OFF"
    data_trace: bool = False
    access_log: Mapping[str, str] | None = None


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


@dataclass(frozen=True)
class InvokeResult:
    """What the Lambda runtime answered: a payload, or a function error, or the caller gave up."""

    payload: bytes
    function_error: bool = False
    caller_timed_out: bool = False


class Backends(Protocol):
    """What the data plane needs from the rest of the cloud (faked in unit tests)."""

    def stage_target(self, api_id: str, stage: str) -> StageTarget | None: ...

    def user_pool_jwks(self, pool_arn: str) -> Mapping[str, Any] | None: ...

    def api_keys(self, account: str, region: str) -> tuple[list[dict], list[dict]]: ...

    def function_policy(self, function_arn: str) -> tuple[bool, Mapping[str, Any] | None]:
        """(function exists, its resource policy document)."""
        ...

    def invoke(self, function_arn: str, payload: bytes, wait_seconds: float) -> InvokeResult: ...

    def write_log(
        self, account: str, region: str, group: str, stream: str, messages: list[str]
    ) -> None:
        """Append messages to a CloudWatch Logs group and stream (execution and access logs)."""
        ...


@dataclass
class Context:
    """What the stages learn about one request as it flows through the chain."""

    request: ApiRequest
    request_id: str
    apigw_id: str
    request_time_epoch_ms: int
    target: StageTarget | None = None
    resource: Resource | None = None
    method: Method | None = None
    path_parameters: dict[str, str] | None = None
    authorizer: dict[str, Any] | None = None  # {"claims": {...}} once a Cognito authorizer passed
    api_key: dict[str, str] | None = None  # {"id", "value"} once the API key stage passed
    log: Callable[[str], None] = field(default=lambda _msg: None, repr=False)

    @property
    def deployment(self) -> Deployment:
        assert self.target is not None, "routing must run first"
        return self.target.deployment
