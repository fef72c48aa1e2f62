"""API Gateway: deployments freeze the API (stages serve what was deployed), the control-plane
operations moto lacks, and the data plane's view of the cloud (:class:`DataPlaneBackends`),
cached until the next control-plane change."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from .. import moto_adapter
from ..apigateway.model import Deployment, InvokeResult, StageTarget
from ..aws_call import AwsCall, Reply, json_body, rest_json_error
from ..lambda_runtime.runtime import LambdaRuntime, UnsupportedRuntime
from .patch import INTEGRATION_FIELDS, METHOD_FIELDS, PatchError, apply_patch

_DEPLOYMENTS = re.compile(r"^/restapis/(?P<api>[^/]+)/deployments/?$")
_DEPLOYMENT = re.compile(r"^/restapis/(?P<api>[^/]+)/deployments/(?P<deployment>[^/]+)/?$")
_METHOD_PART = re.compile(
    r"^/restapis/(?P<api>[^/]+)/resources/(?P<resource>[^/]+)/methods/(?P<method>[^/]+)"
    r"/(?:(?P<integration>integration)|responses/(?P<status>\d{3}))/?$"
)
_AUTHORIZERS = re.compile(r"^/restapis/(?P<api>[^/]+)/authorizers/?$")
_AUTHORIZER = re.compile(r"^/restapis/(?P<api>[^/]+)/authorizers/(?P<authorizer>[^/]+)/?$")
_METHOD = re.compile(
    r"^/restapis/(?P<api>[^/]+)/resources/(?P<resource>[^/]+)/methods/"
    r"(?P<method>[^/]+)(?P<integration>/integration)?/?$"
)


class DeploymentStore:
    """Frozen copies of each REST API as it was at each ``CreateDeployment``."""

    def __init__(self) -> None:
        self._frozen: dict[tuple[str, str], Deployment] = {}
        self._lock = threading.Lock()

    def freeze(self, account: str, region: str, api_id: str, deployment_id: str) -> Deployment:
        snapshot = moto_adapter.rest_api_snapshot(account, region, api_id)
        deployment = Deployment.from_snapshot(api_id, deployment_id, snapshot)
        with self._lock:
            self._frozen[(api_id, deployment_id)] = deployment
        return deployment

    def forget(self, api_id: str, deployment_id: str) -> None:
        with self._lock:
            self._frozen.pop((api_id, deployment_id), None)

    def get(self, api_id: str, deployment_id: str) -> Deployment | None:
        return self._frozen.get((api_id, deployment_id))


class ApiGatewayService:
    """API Gateway's control plane where moto falls short: CreateDeployment freezes the API,
    CreateAuthorizer keeps ``identityValidationExpression``, UpdateMethod and UpdateIntegration
    apply their patch operations."""

    def __init__(self, deployments: DeploymentStore) -> None:
        self.deployments = deployments

    def handle(
        self, call: AwsCall, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
    ) -> Reply | None:
        if call.method == "POST" and (match := _DEPLOYMENTS.match(call.path)):
            return self._create_deployment(match["api"], environ, forward)
        if call.method == "DELETE" and (match := _DEPLOYMENT.match(call.path)):
            return self._delete_deployment(match["api"], match["deployment"])
        if call.method == "GET" and (match := _METHOD_PART.match(call.path)):
            return self._missing_method_part(match)
        if call.method == "POST" and (match := _AUTHORIZERS.match(call.path)):
            return self._create_authorizer(match["api"], environ, forward)
        if call.method == "PATCH" and (match := _AUTHORIZER.match(call.path)):
            return self._update_authorizer(match, environ, forward)
        if call.method == "PATCH" and (match := _METHOD.match(call.path)):
            return self._update_method(match, environ)
        return None

    def _create_deployment(
        self, api_id: str, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
    ) -> Reply:
        reply = forward(environ)
        located = moto_adapter.find_rest_api(api_id)
        if reply.status < 300 and located:
            self.deployments.freeze(*located, api_id, json.loads(reply.body)["id"])
        return reply

    def _delete_deployment(self, api_id: str, deployment_id: str) -> Reply:
        """DeleteDeployment, refused only while a stage serves the deployment (as on AWS)."""
        located = moto_adapter.find_rest_api(api_id)
        if not located:
            return rest_json_error(404, "NotFoundException", "Invalid API identifier specified")
        outcome = moto_adapter.delete_deployment(*located, api_id, deployment_id)
        if outcome == "not found":
            return rest_json_error(
                404, "NotFoundException", "Invalid Deployment identifier specified"
            )
        if outcome == "in use":
            return rest_json_error(
                400,
                "BadRequestException",
                "Active stages pointing to this deployment must be moved or deleted",
            )
        self.deployments.forget(api_id, deployment_id)
        return Reply(202, [("Content-Type", "application/json")], b"{}")

    @staticmethod
    def _missing_method_part(match: re.Match) -> Reply | None:
        """GetIntegration and GetMethodResponse of something that is not there: AWS answers 404;
        moto answers ``{}`` (integration) or 500 (method response). Present ones go to moto."""
        located = moto_adapter.find_rest_api(match["api"])
        http_method = unquote(match["method"]).upper()
        method = located and moto_adapter.get_method(
            *located, match["api"], match["resource"], http_method
        )
        if match["integration"]:
            if method and method.get("methodIntegration"):
                return None
            return rest_json_error(
                404, "NotFoundException", "Invalid Integration identifier specified"
            )
        if method and match["status"] in (method.get("methodResponses") or {}):
            return None
        return rest_json_error(404, "NotFoundException", "Invalid Response status code specified")

    @staticmethod
    def _create_authorizer(
        api_id: str, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
    ) -> Reply:
        """CreateAuthorizer, keeping the ``identityValidationExpression`` that moto drops."""
        expression = json_body(environ).get("identityValidationExpression")
        reply = forward(environ)
        located = moto_adapter.find_rest_api(api_id)
        if not (expression and reply.status < 300 and located):
            return reply
        doc = json.loads(reply.body)
        moto_adapter.set_authorizer_validation_expression(*located, api_id, doc["id"], expression)
        doc["identityValidationExpression"] = expression
        return Reply(reply.status, reply.headers, json.dumps(doc).encode())

    @staticmethod
    def _update_authorizer(
        match: re.Match, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
    ) -> Reply:
        """UpdateAuthorizer: ``add``/``remove`` on ``/providerARNs`` (the pool ARN as value) are
        applied here, as moto cannot; the other operations go to moto."""
        operations = json_body(environ).get("patchOperations") or []
        providers = [op for op in operations if op.get("path") == "/providerARNs"]
        if providers:
            if any(
                op.get("op") not in ("add", "remove") or not op.get("value") for op in providers
            ):
                return rest_json_error(
                    400,
                    "BadRequestException",
                    "Invalid patch operation specified for /providerARNs",
                )
            located = moto_adapter.find_rest_api(match["api"])
            changed = located and moto_adapter.change_authorizer_providers(
                *located,
                match["api"],
                match["authorizer"],
                add=[op["value"] for op in providers if op["op"] == "add"],
                remove=[op["value"] for op in providers if op["op"] == "remove"],
            )
            if not changed:
                return rest_json_error(
                    404, "NotFoundException", "Invalid Authorizer identifier specified"
                )
        rest = [op for op in operations if op.get("path") != "/providerARNs"]
        body = json.dumps({"patchOperations": rest}).encode()
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return forward(environ)

    @staticmethod
    def _update_method(match: re.Match, environ: dict[str, Any]) -> Reply:
        """UpdateMethod and UpdateIntegration: moto 5 does not implement them."""
        api_id, resource_id = match["api"], match["resource"]
        http_method, integration = unquote(match["method"]).upper(), bool(match["integration"])
        located = moto_adapter.find_rest_api(api_id)
        method = located and moto_adapter.get_method(*located, api_id, resource_id, http_method)
        if not method or (integration and not method.get("methodIntegration")):
            what = "Integration" if integration else "Method"
            return rest_json_error(404, "NotFoundException", f"Invalid {what} identifier specified")
        try:
            operations = json_body(environ).get("patchOperations") or []
            if integration:
                doc = apply_patch(method["methodIntegration"], operations, INTEGRATION_FIELDS)
                result = moto_adapter.set_integration(
                    *located, api_id, resource_id, http_method, doc
                )
            else:
                doc = _authorization_consistent(apply_patch(method, operations, METHOD_FIELDS))
                result = moto_adapter.set_method(*located, api_id, resource_id, http_method, doc)
        except (PatchError, ValueError, AttributeError) as exc:
            return rest_json_error(400, "BadRequestException", str(exc))
        return Reply(200, [("Content-Type", "application/json")], json.dumps(result).encode())


def _authorization_consistent(method: dict[str, Any]) -> dict[str, Any]:
    """As AWS: a Cognito or custom authorization type needs an authorizer; any other drops it."""
    kind = method.get("authorizationType") or "NONE"
    if kind in ("COGNITO_USER_POOLS", "CUSTOM"):
        if not method.get("authorizerId"):
            raise PatchError(
                f"Invalid authorizer ID specified. Setting the authorization type to {kind} "
                "requires a valid authorizer."
            )
    else:
        method.pop("authorizerId", None)
    return method


class DataPlaneBackends:
    """The cloud as the API Gateway data plane sees it (implements ``model.Backends``).

    Reads are cached per control-plane generation: any write through the local cloud's API bumps
    the generation, so a burst of data-plane requests touches moto's state once.
    """

    def __init__(
        self, deployments: DeploymentStore, runtime: LambdaRuntime, generation: Callable[[], int]
    ) -> None:
        self.deployments = deployments
        self.runtime = runtime
        self._generation = generation
        self._cache: dict[tuple, Any] = {}
        self._cache_generation = -1

    def _cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        generation = self._generation()
        if generation != self._cache_generation:
            self._cache = {}
            self._cache_generation = generation
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def stage_target(self, api_id: str, stage: str) -> StageTarget | None:
        return self._cached(("stage", api_id, stage), lambda: self._stage_target(api_id, stage))

    def _stage_target(self, api_id: str, stage: str) -> StageTarget | None:
        located = moto_adapter.find_rest_api(api_id)
        if located is None:
            return None
        account, region = located
        found = moto_adapter.stage_deployment(account, region, api_id, stage)
        if found is None:
            return None
        deployment_id, variables = found
        deployment = self.deployments.get(api_id, deployment_id)
        if deployment is None:  # deployed before this process knew it: freeze what is there now
            deployment = self.deployments.freeze(account, region, api_id, deployment_id)
        return StageTarget(
            account=account, region=region, deployment=deployment, variables=variables
        )

    def user_pool_jwks(self, pool_arn: str) -> Mapping[str, Any] | None:
        parts = pool_arn.split(":")
        if len(parts) < 6:
            return None
        region, account, pool_id = parts[3], parts[4], pool_arn.rsplit("/", 1)[-1]
        return self._cached(
            ("jwks", pool_arn), lambda: moto_adapter.user_pool_jwks(account, region, pool_id)
        )

    def api_keys(self, account: str, region: str) -> tuple[list[dict], list[dict]]:
        return self._cached(
            ("keys", account, region),
            lambda: moto_adapter.api_keys_and_usage_plans(account, region),
        )

    def _function(self, function_arn: str) -> moto_adapter.FunctionSpec | None:
        parts = function_arn.split(":")
        if len(parts) < 7:
            return None
        region, account = parts[3], parts[4]
        qualifier = parts[7] if len(parts) > 7 else None
        return self._cached(
            ("fn", function_arn),
            lambda: moto_adapter.get_function(account, region, ":".join(parts[:7]), qualifier),
        )

    def function_policy(self, function_arn: str) -> tuple[bool, Mapping[str, Any] | None]:
        spec = self._function(function_arn)
        return (spec is not None, spec.policy if spec else None)

    def invoke(self, function_arn: str, payload: bytes, wait_seconds: float) -> InvokeResult:
        spec = self._function(function_arn)
        if spec is None:
            return InvokeResult(b'{"errorMessage": "function not found"}', function_error=True)
        try:
            result = self.runtime.invoke(spec, payload, wait_seconds=wait_seconds)
        except UnsupportedRuntime as exc:
            return InvokeResult(
                json.dumps({"errorMessage": str(exc)}).encode(), function_error=True
            )
        return InvokeResult(
            result.payload,
            function_error=bool(result.function_error),
            caller_timed_out=result.caller_timed_out,
        )
