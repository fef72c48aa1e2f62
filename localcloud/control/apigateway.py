"""API Gateway's control plane where moto falls short: a deployment freezes the API for the data
plane (docs/aws-behavior.md#stages-serve-deployments), and the rules and operations of
docs/aws-behavior.md#api-gateway-control-plane: among them, a model must be a draft-4 schema whose
references stay inside the API (docs/aws-behavior.md#request-validation), and an authorizer's
``identityValidationExpression`` must be a regular expression."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from .. import timing
from ..authz.matching import resource_policy_allows
from ..aws_call import AwsCall, Reply, replace_body, rest_json_error
from ..execute_api.authorizer import expression_error
from ..execute_api.deployments import DeploymentStore
from ..execute_api.validation import model_schema_error
from ..moto import apigateway as moto_apigateway
from ..moto import iam as moto_iam
from .patch import INTEGRATION_FIELDS, METHOD_FIELDS, MODEL_FIELDS, PatchError, apply_patch


def _error(status: int, error_type: str, message: str) -> Reply:
    """An API Gateway control-plane error: ``{"message": ...}`` and ``x-amzn-ErrorType``."""
    return rest_json_error(status, error_type, message, service="apigateway")


_DEPLOYMENTS = re.compile(r"^/restapis/(?P<api>[^/]+)/deployments/?$")
_DEPLOYMENT = re.compile(r"^/restapis/(?P<api>[^/]+)/deployments/(?P<deployment>[^/]+)/?$")
_METHOD_PART = re.compile(
    r"^/restapis/(?P<api>[^/]+)/resources/(?P<resource>[^/]+)/methods/(?P<method>[^/]+)"
    r"/(?:(?P<integration>integration)|responses/(?P<status>\d{3}))/?$"
)
_INTEGRATION_RESPONSE = re.compile(
    r"^/restapis/(?P<api>[^/]+)/resources/(?P<resource>[^/]+)/methods/(?P<method>[^/]+)"
    r"/integration/responses/(?P<status>\d{3})/?$"
)
_MAPPING_ERROR = "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
_STAGE = re.compile(r"^/restapis/(?P<api>[^/]+)/stages/(?P<stage>[^/]+)/?$")
_NO_LOGS_ROLE = "CloudWatch Logs role ARN must be set in account settings to enable logging"
_ROLE_NOT_TRUSTED = (
    "The role ARN does not have required permissions configured. Please grant trust permission "
    "for API Gateway and add the required role policy."
)
_LOG_LEVELS = ("OFF", "ERROR", "INFO")
_MODELS = re.compile(r"^/restapis/(?P<api>[^/]+)/models/?$")
_MODEL = re.compile(r"^/restapis/(?P<api>[^/]+)/models/(?P<model>[^/]+)/?$")
_ANY_OF_AN_API = re.compile(r"^/restapis/(?P<api>[^/]+)(?:/.*)?$")
_GATEWAY_RESPONSES = re.compile(
    r"^/restapis/(?P<api>[^/]+)/gatewayresponses(?:/(?P<type>[A-Z_0-9]+))?/?$"
)
#: each response type and the status of its default gateway response (None: the error's own)
#: (docs/aws-behavior.md#gateway-errors rule 13)
DEFAULT_GATEWAY_STATUSES: dict[str, str | None] = {
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "RESOURCE_NOT_FOUND": "404",
    "UNAUTHORIZED": "401",
    "INVALID_API_KEY": "403",
    "ACCESS_DENIED": "403",
    "AUTHORIZER_FAILURE": "500",
    "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "INVALID_SIGNATURE": "403",
    "EXPIRED_TOKEN": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403",
    "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504",
    "API_CONFIGURATION_ERROR": "500",
    "UNSUPPORTED_MEDIA_TYPE": "415",
    "BAD_REQUEST_PARAMETERS": "400",
    "BAD_REQUEST_BODY": "400",
    "REQUEST_TOO_LARGE": "413",
    "THROTTLED": "429",
    "QUOTA_EXCEEDED": "429",
    "WAF_FILTERED": "403",
}
_DEFAULT_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}


def unknown_api(account: str, api_id: str) -> Reply:
    """API Gateway's answer to any call on a REST API id that does not exist."""
    message = f"Invalid API identifier specified {account}:{api_id}"
    return _error(404, "NotFoundException", message)


def default_gateway_response(response_type: str) -> dict[str, Any]:
    """What GetGatewayResponse answers for a type the API did not customize."""
    answer: dict[str, Any] = {"responseType": response_type, "defaultResponse": True}
    if (status := DEFAULT_GATEWAY_STATUSES[response_type]) is not None:
        answer["statusCode"] = status
    return {**answer, "responseParameters": {}, "responseTemplates": dict(_DEFAULT_TEMPLATE)}


_AUTHORIZERS = re.compile(r"^/restapis/(?P<api>[^/]+)/authorizers/?$")
_AUTHORIZER = re.compile(r"^/restapis/(?P<api>[^/]+)/authorizers/(?P<authorizer>[^/]+)/?$")
_METHOD = re.compile(
    r"^/restapis/(?P<api>[^/]+)/resources/(?P<resource>[^/]+)/methods/"
    r"(?P<method>[^/]+)(?P<integration>/integration)?/?$"
)


def _throttle(call: AwsCall) -> Reply | None:
    """AWS timing mode: API Gateway's per-account control-plane quotas, answered as AWS does
    (429 ``TooManyRequestsException``, ``Too Many Requests``, a ``Retry-After``)
    (docs/aws-behavior.md#aws-timing-mode)."""
    rules = timing.current()
    if not rules.throttled(call.account, call.region, call.operation):
        return None
    reply = _error(429, "TooManyRequestsException", timing.TOO_MANY_REQUESTS)
    reply.headers.append(("Retry-After", str(rules.retry_after_s(call.operation))))
    return reply


class ApiGatewayService:
    """API Gateway's control plane where moto falls short: CreateDeployment freezes the API,
    CreateAuthorizer keeps ``identityValidationExpression``, UpdateMethod and UpdateIntegration
    apply their patch operations."""

    def __init__(self, deployments: DeploymentStore) -> None:
        self.deployments = deployments

    def handle(
        self, call: AwsCall, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
    ) -> Reply | None:
        if (throttled := _throttle(call)) is not None:
            return throttled
        if (match := _ANY_OF_AN_API.match(call.path)) and not moto_apigateway.find_rest_api(
            match["api"]
        ):
            # moto fails DeleteRestApi of an unknown id with a KeyError (a 500), and words the
            # others its own way (docs/aws-behavior.md#api-gateway-control-plane rule 23)
            return unknown_api(call.account, match["api"])
        if call.method == "POST" and (match := _DEPLOYMENTS.match(call.path)):
            return self._create_deployment(match["api"], call, environ, forward)
        if call.method == "DELETE" and (match := _DEPLOYMENT.match(call.path)):
            return self._delete_deployment(call.account, match["api"], match["deployment"])
        if call.method == "GET" and (match := _METHOD_PART.match(call.path)):
            return self._missing_method_part(match)
        if call.method == "GET" and (match := _INTEGRATION_RESPONSE.match(call.path)):
            return self._missing_integration_response(match)
        if call.method == "PATCH" and _STAGE.match(call.path):
            return self._check_stage_logging(call)
        if call.method == "PATCH" and call.path.rstrip("/") == "/account":
            return self._check_account(call)
        if call.method == "PUT" and (match := _INTEGRATION_RESPONSE.match(call.path)):
            return self._check_integration_response(match, call)
        if call.method == "POST" and (match := _MODELS.match(call.path)):
            return self._check_model(match["api"], call)
        if call.method == "GET" and (match := _GATEWAY_RESPONSES.match(call.path)):
            return self._gateway_responses(match["type"], environ, forward)
        if call.method == "PATCH" and (match := _MODEL.match(call.path)):
            return self._update_model(match["api"], unquote(match["model"]), call)
        if call.method == "POST" and (match := _AUTHORIZERS.match(call.path)):
            return self._create_authorizer(match["api"], call, environ, forward)
        if call.method == "PATCH" and (match := _AUTHORIZER.match(call.path)):
            return self._update_authorizer(match, call, environ, forward)
        if call.method == "PATCH" and (match := _METHOD.match(call.path)):
            return self._update_method(match, call)
        return None

    def _create_deployment(
        self,
        api_id: str,
        call: AwsCall,
        environ: dict[str, Any],
        forward: Callable[[dict[str, Any]], Reply],
    ) -> Reply:
        """CreateDeployment: the API frozen for the data plane; an existing stage keeps its
        settings and serves the new deployment."""
        located = moto_apigateway.find_rest_api(api_id)
        if located is None:
            return forward(environ)
        restore = moto_apigateway.keep_stage_on_redeploy(
            *located, api_id, call.params.get("stageName")
        )
        reply = forward(environ)
        if reply.status < 300:
            restore(call.params.get("variables"))
            self.deployments.freeze(*located, api_id, json.loads(reply.body)["id"])
        return reply

    def _delete_deployment(self, account: str, api_id: str, deployment_id: str) -> Reply:
        """DeleteDeployment, refused only while a stage serves the deployment (as on AWS)."""
        located = moto_apigateway.find_rest_api(api_id)
        if not located:  # deleted since handle() looked
            return unknown_api(account, api_id)
        outcome = moto_apigateway.delete_deployment(*located, api_id, deployment_id)
        if outcome == "not found":
            return _error(404, "NotFoundException", "Invalid Deployment identifier specified")
        if outcome == "in use":
            return _error(
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
        located = moto_apigateway.find_rest_api(match["api"])
        http_method = unquote(match["method"]).upper()
        method = located and moto_apigateway.get_method(
            *located, match["api"], match["resource"], http_method
        )
        if match["integration"]:
            if method and method.get("methodIntegration"):
                return None
            return _error(404, "NotFoundException", "Invalid Integration identifier specified")
        if method and match["status"] in (method.get("methodResponses") or {}):
            return None
        return _error(404, "NotFoundException", "Invalid Response status code specified")

    @staticmethod
    def _missing_integration_response(match: re.Match) -> Reply | None:
        """GetIntegrationResponse of a method, integration or status that is not there: AWS
        answers 404 (docs/aws-behavior.md#api-gateway-control-plane); moto fails with a 500."""
        located = moto_apigateway.find_rest_api(match["api"])
        method = located and moto_apigateway.get_method(
            *located, match["api"], match["resource"], unquote(match["method"]).upper()
        )
        if not method:
            return _error(404, "NotFoundException", "Invalid Method identifier specified")
        integration = method.get("methodIntegration")
        if not integration:
            return _error(404, "NotFoundException", "Invalid Integration identifier specified")
        if match["status"] in (integration.get("integrationResponses") or {}):
            return None
        return _error(404, "NotFoundException", "Invalid Response status code specified")

    @staticmethod
    def _check_stage_logging(call: AwsCall) -> Reply | None:
        """UpdateStage: turning on execution logs (``/*/*/logging/loglevel`` ``ERROR``/``INFO``,
        ``/*/*/logging/dataTrace`` ``true``) or access logs (``/accessLogSettings/...``) needs the
        account's CloudWatch Logs role (docs/aws-behavior.md#execution-and-access-logs)."""
        enabling = False
        for op in call.params.get("patchOperations") or []:
            path, value = op.get("path") or "", op.get("value")
            if op.get("op") == "remove":
                continue
            if path.endswith("/logging/loglevel"):
                if str(value).upper() not in _LOG_LEVELS:
                    return _error(
                        400,
                        "BadRequestException",
                        f"Invalid value for loggingLevel: {value}. Must be one of: "
                        "[OFF, ERROR, INFO]",
                    )
                enabling |= str(value).upper() != "OFF"
            elif path.endswith("/logging/dataTrace"):
                enabling |= str(value).lower() == "true"
            elif path.startswith("/accessLogSettings/"):
                enabling = True
        if enabling and not moto_apigateway.cloudwatch_role_arn(call.account, call.region):
            return _error(400, "BadRequestException", _NO_LOGS_ROLE)
        return None

    @staticmethod
    def _check_account(call: AwsCall) -> Reply | None:
        """UpdateAccount ``/cloudwatchRoleArn``: the role must let API Gateway assume it."""
        for op in call.params.get("patchOperations") or []:
            if op.get("path") == "/cloudwatchRoleArn" and op.get("value"):
                trust = moto_iam.role_trust_policy(call.account, op["value"])
                if not resource_policy_allows(
                    trust, service_principal="apigateway.amazonaws.com", action="sts:AssumeRole"
                ):
                    return _error(400, "BadRequestException", _ROLE_NOT_TRUSTED)
        return None

    @staticmethod
    def _check_integration_response(match: re.Match, call: AwsCall) -> Reply | None:
        """PutIntegrationResponse maps only into headers its method response declares, and needs
        that method response (docs/aws-behavior.md#api-gateway-control-plane)."""
        located = moto_apigateway.find_rest_api(match["api"])
        method = located and moto_apigateway.get_method(
            *located, match["api"], match["resource"], unquote(match["method"]).upper()
        )
        if not method:
            return None  # moto answers the unknown method
        declared = (method.get("methodResponses") or {}).get(match["status"])
        if declared is None:
            return _error(
                400,
                "BadRequestException",
                _MAPPING_ERROR + "[No method response exists for method.]",
            )
        allowed = declared.get("responseParameters") or {}
        for key, value in (call.params.get("responseParameters") or {}).items():
            if key.startswith("method.response.header.") and key not in allowed:
                return _error(
                    400,
                    "BadRequestException",
                    _MAPPING_ERROR + f"[Invalid mapping expression parameter specified: {key}]",
                )
            if isinstance(value, str) and not (
                (len(value) >= 2 and value.startswith("'") and value.endswith("'"))
                or value.startswith(("integration.", "context.", "stageVariables."))
            ):
                return _error(
                    400,
                    "BadRequestException",
                    _MAPPING_ERROR + f"[Invalid mapping expression specified: {value}]",
                )
        return None

    @staticmethod
    def _check_model(api_id: str, call: AwsCall) -> Reply | None:
        """CreateModel refuses a schema that is not draft-4 JSON Schema, or whose ``$ref`` leaves
        the API; a good one (or an unknown API) goes to moto."""
        located = moto_apigateway.find_rest_api(api_id)
        snapshot = located and moto_apigateway.rest_api_snapshot(*located, api_id)
        if not snapshot or "schema" not in call.params:
            return None
        names = {m["name"] for m in snapshot.get("models", [])}
        problem = model_schema_error(call.params.get("schema"), api_id, names)
        if problem:
            return _error(400, "BadRequestException", problem)
        return None

    @staticmethod
    def _gateway_responses(
        response_type: str | None,
        environ: dict[str, Any],
        forward: Callable[[dict[str, Any]], Reply],
    ) -> Reply:
        """GetGatewayResponse(s) with the defaults AWS lists beside the customized ones (moto
        knows only the customized)."""
        reply = forward(environ)
        if response_type is not None:
            customized = reply.status < 300 or b"NotFoundException" not in reply.body
            if customized or response_type not in DEFAULT_GATEWAY_STATUSES:
                return reply  # moto answers an uncustomized type with a NotFoundException
            doc = default_gateway_response(response_type)
        elif reply.status == 200:
            doc = json.loads(reply.body)
            customized = {item["responseType"]: item for item in doc.get("item") or []}
            doc["item"] = [
                customized.get(kind) or default_gateway_response(kind)
                for kind in DEFAULT_GATEWAY_STATUSES
            ]
        else:
            return reply
        return Reply(200, [("Content-Type", "application/json")], json.dumps(doc).encode())

    @staticmethod
    def _update_model(api_id: str, name: str, call: AwsCall) -> Reply:
        """UpdateModel (moto lacks it): ``replace`` on ``/schema`` or ``/description``; the new
        schema passes the same checks as CreateModel's
        (docs/aws-behavior.md#api-gateway-control-plane)."""
        located = moto_apigateway.find_rest_api(api_id)
        model = located and moto_apigateway.get_model(*located, api_id, name)
        if not model:
            return _error(404, "NotFoundException", "Invalid Model Name specified")
        try:
            doc = apply_patch(model, call.params.get("patchOperations") or [], MODEL_FIELDS)
        except PatchError as exc:
            return _error(400, "BadRequestException", str(exc))
        if doc.get("schema") != model.get("schema"):
            snapshot = moto_apigateway.rest_api_snapshot(*located, api_id) or {}
            names = {m["name"] for m in snapshot.get("models", [])}
            if problem := model_schema_error(doc.get("schema"), api_id, names):
                return _error(400, "BadRequestException", problem)
        result = moto_apigateway.update_model(*located, api_id, name, doc)
        return Reply(200, [("Content-Type", "application/json")], json.dumps(result).encode())

    @staticmethod
    def _create_authorizer(
        api_id: str,
        call: AwsCall,
        environ: dict[str, Any],
        forward: Callable[[dict[str, Any]], Reply],
    ) -> Reply:
        """CreateAuthorizer, keeping the ``identityValidationExpression`` that moto drops (and
        refusing one that is not a regular expression)."""
        expression = call.params.get("identityValidationExpression")
        if expression is not None and (problem := expression_error(expression)):
            return _error(400, "BadRequestException", problem)
        reply = forward(environ)
        located = moto_apigateway.find_rest_api(api_id)
        if not (expression and reply.status < 300 and located):
            return reply
        doc = json.loads(reply.body)
        moto_apigateway.set_authorizer_validation_expression(
            *located, api_id, doc["id"], expression
        )
        doc["identityValidationExpression"] = expression
        return Reply(reply.status, reply.headers, json.dumps(doc).encode())

    @staticmethod
    def _update_authorizer(
        match: re.Match,
        call: AwsCall,
        environ: dict[str, Any],
        forward: Callable[[dict[str, Any]], Reply],
    ) -> Reply:
        """UpdateAuthorizer: ``add``/``remove`` on ``/providerARNs`` (the pool ARN as value) are
        applied here, as moto cannot; the other operations go to moto."""
        operations = call.params.get("patchOperations") or []
        expressions = [
            op.get("value")
            for op in operations
            if op.get("path") == "/identityValidationExpression" and op.get("op") != "remove"
        ]
        for expression in expressions:
            if problem := expression_error(expression):
                return _error(400, "BadRequestException", problem)
        providers = [op for op in operations if op.get("path") == "/providerARNs"]
        if providers:
            if any(
                op.get("op") not in ("add", "remove") or not op.get("value") for op in providers
            ):
                return _error(
                    400,
                    "BadRequestException",
                    "Invalid patch operation specified for /providerARNs",
                )
            located = moto_apigateway.find_rest_api(match["api"])
            changed = located and moto_apigateway.change_authorizer_providers(
                *located,
                match["api"],
                match["authorizer"],
                add=[op["value"] for op in providers if op["op"] == "add"],
                remove=[op["value"] for op in providers if op["op"] == "remove"],
            )
            if not changed:
                return _error(404, "NotFoundException", "Invalid Authorizer identifier specified")
        rest = [op for op in operations if op.get("path") != "/providerARNs"]
        replace_body(environ, json.dumps({"patchOperations": rest}).encode())
        return forward(environ)

    @staticmethod
    def _update_method(match: re.Match, call: AwsCall) -> Reply:
        """UpdateMethod and UpdateIntegration: moto 5 does not implement them."""
        api_id, resource_id = match["api"], match["resource"]
        http_method, integration = unquote(match["method"]).upper(), bool(match["integration"])
        located = moto_apigateway.find_rest_api(api_id)
        method = located and moto_apigateway.get_method(*located, api_id, resource_id, http_method)
        if not method or (integration and not method.get("methodIntegration")):
            what = "Integration" if integration else "Method"
            return _error(404, "NotFoundException", f"Invalid {what} identifier specified")
        try:
            operations = call.params.get("patchOperations") or []
            if integration:
                doc = apply_patch(method["methodIntegration"], operations, INTEGRATION_FIELDS)
                result = moto_apigateway.update_method(
                    *located,
                    api_id,
                    resource_id,
                    http_method,
                    doc,
                    INTEGRATION_FIELDS,
                    integration=True,
                )
            else:
                doc = _authorization_consistent(apply_patch(method, operations, METHOD_FIELDS))
                result = moto_apigateway.update_method(
                    *located, api_id, resource_id, http_method, doc, METHOD_FIELDS
                )
        except (PatchError, ValueError, AttributeError) as exc:
            return _error(400, "BadRequestException", str(exc))
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
