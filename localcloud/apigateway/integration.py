"""Stage 5, integration: call the backend the method is integrated with.

``AWS_PROXY`` to Lambda: the integration's own method must be POST, the function must exist and
its resource policy must let ``apigateway.amazonaws.com`` invoke it for this API's source ARN
(else 500); a function error or a malformed answer is a 502; waiting past ``timeoutInMillis``
(default 29 s) is a 504. ``MOCK``: the request template's ``statusCode`` picks the integration
response.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..policy import resource_policy_allows
from .errors import IntegrationConfigurationError, IntegrationFailure, IntegrationTimeout
from .lambda_proxy import build_event, parse_response
from .model import Backends, Context, HttpResponse

DEFAULT_TIMEOUT_MS = 29_000
_LAMBDA_URI = re.compile(
    r"^arn:[^:]+:apigateway:[^:]+:lambda:path/2015-03-31/functions/"
    r"(?P<function>.+)/invocations$"
)
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def integrate(ctx: Context, backends: Backends) -> HttpResponse:
    method = ctx.method
    assert method is not None
    integration = method.integration
    if not integration:
        raise IntegrationConfigurationError(detail="method has no integration")
    kind = (integration.get("type") or "").upper()
    if kind == "AWS_PROXY":
        return _lambda_proxy(ctx, integration, backends)
    if kind == "MOCK":
        return mock_response(integration)
    raise IntegrationConfigurationError(detail=f"integration type {kind} is not run locally")


def source_arn(ctx: Context) -> str:
    """``arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<resource path>``."""
    target, req, resource = ctx.target, ctx.request, ctx.resource
    assert target is not None and resource is not None
    return (
        f"arn:aws:execute-api:{target.region}:{target.account}:{req.api_id}/{req.stage}/"
        f"{req.method.upper()}{resource.path}"
    )


def _lambda_proxy(ctx: Context, integration: Mapping[str, Any], backends: Backends) -> HttpResponse:
    if (integration.get("httpMethod") or "").upper() != "POST":
        raise IntegrationConfigurationError(
            detail="a Lambda integration must use POST as its integration HTTP method"
        )
    uri = _STAGE_VAR.sub(
        lambda m: (ctx.target.variables if ctx.target else {}).get(m[1], ""),
        integration.get("uri") or "",
    )
    match = _LAMBDA_URI.match(uri)
    if not match:
        raise IntegrationConfigurationError(detail=f"not a Lambda invocation URI: {uri}")
    function_arn = match["function"]
    exists, policy = backends.function_policy(function_arn)
    if not exists:
        raise IntegrationConfigurationError(detail=f"Invalid Lambda function {function_arn}")
    arn = source_arn(ctx)
    if not resource_policy_allows(
        policy,
        service_principal="apigateway.amazonaws.com",
        action="lambda:InvokeFunction",
        resource=_unqualified(function_arn),
        context={"aws:sourcearn": arn, "aws:sourceaccount": ctx.target.account},
    ):
        raise IntegrationConfigurationError(
            detail=f"Execution failed due to configuration error: Invalid permissions on Lambda "
            f"function (no lambda:InvokeFunction for apigateway.amazonaws.com from {arn})"
        )
    timeout_ms = int(integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS)
    payload = json.dumps(build_event(ctx), separators=(",", ":")).encode()
    result = backends.invoke(function_arn, payload, timeout_ms / 1000)
    if result.caller_timed_out:
        raise IntegrationTimeout(detail=f"no answer from {function_arn} within {timeout_ms} ms")
    if result.function_error:
        raise IntegrationFailure(detail=f"Lambda function error: {result.payload[:500]!r}")
    return parse_response(result.payload)


def _unqualified(function_arn: str) -> str:
    parts = function_arn.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 else function_arn


def mock_response(integration: Mapping[str, Any]) -> HttpResponse:
    """The MOCK integration: statusCode from the JSON request template, then its response."""
    templates = integration.get("requestTemplates") or {}
    template = templates.get("application/json") or next(iter(templates.values()), None)
    status = 200
    if template:
        try:
            status = int(json.loads(template).get("statusCode", 200))
        except (ValueError, AttributeError, TypeError):
            status = 200
    responses = integration.get("integrationResponses") or {}
    chosen = None
    for response in responses.values():
        pattern = response.get("selectionPattern")
        if pattern and re.fullmatch(pattern, str(status)):
            chosen = response
            break
        if not pattern and chosen is None:
            chosen = response
    if chosen is None:
        raise IntegrationConfigurationError(
            detail="No match for output mapping and no default output mapping specified"
        )
    body_templates = chosen.get("responseTemplates") or {}
    body = body_templates.get("application/json") or next(iter(body_templates.values()), "") or ""
    headers = [("Content-Type", "application/json")]
    for key, value in (chosen.get("responseParameters") or {}).items():
        prefix = "method.response.header."
        if key.startswith(prefix) and value.startswith("'") and value.endswith("'"):
            headers.append((key[len(prefix) :], value[1:-1]))
    return HttpResponse(
        status=int(chosen.get("statusCode", 200)), headers=headers, body=body.encode("utf-8")
    )
