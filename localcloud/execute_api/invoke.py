"""Stage 5, integration, ``AWS_PROXY`` to Lambda: the integration's own method must be POST, the
URI must name a function (stage variables resolved), API Gateway must be allowed to invoke it;
then the proxy event goes to the function and its answer comes back as the HTTP response. An
event over Lambda's 6 MB request quota is a 413 ``Request Too Long`` and never reaches the
function; a function error, an answer over Lambda's response quota, or a malformed answer is a
502; waiting past ``timeoutInMillis`` (default 29 s) a 504
(docs/aws-behavior.md#lambda-proxy-integration).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..lambda_runtime.spec import INVOKE_REQUEST_LIMIT
from .errors import (
    IntegrationConfigurationError,
    IntegrationFailure,
    IntegrationTimeout,
    LambdaRequestTooLong,
)
from .lambda_proxy import build_event, parse_response
from .model import Backends, Context, HttpResponse
from .permission import check_invoke_permission

DEFAULT_TIMEOUT_MS = 29_000
_LAMBDA_URI = re.compile(
    r"^arn:[^:]+:apigateway:[^:]+:lambda:path/2015-03-31/functions/"
    r"(?P<function>.+)/invocations$"
)
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def invoke_lambda_proxy(
    ctx: Context, integration: Mapping[str, Any], backends: Backends
) -> HttpResponse:
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
    payload = json.dumps(build_event(ctx), separators=(",", ":")).encode()
    if len(payload) > INVOKE_REQUEST_LIMIT:
        raise LambdaRequestTooLong(
            detail=f"proxy event of {len(payload)} bytes is over Lambda's request quota "
            f"({INVOKE_REQUEST_LIMIT} bytes)"
        )
    check_invoke_permission(ctx, function_arn, backends)
    timeout_ms = int(integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS)
    result = backends.invoke(function_arn, payload, timeout_ms / 1000)
    if result.caller_timed_out:
        raise IntegrationTimeout(detail=f"no answer from {function_arn} within {timeout_ms} ms")
    if result.function_error:
        raise IntegrationFailure(detail=f"Lambda function error: {result.payload[:500]!r}")
    return parse_response(result.payload)
