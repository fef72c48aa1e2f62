"""Stage 6, response: the one place gateway errors become bytes, and every response gets
``x-amzn-RequestId`` and ``x-amz-apigw-id`` (docs/aws-behavior.md#gateway-errors), except the
front door's refusals, answered before the request has an id.

A deployment's customized gateway responses apply here: the error's own response type if the API
customized it, else ``DEFAULT_4XX``/``DEFAULT_5XX`` by the error's status class; its
``statusCode``, its ``gatewayresponse.header.*`` parameters and its template
(docs/aws-behavior.md#gateway-errors)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .context_vars import render, variables
from .errors import GatewayError
from .model import Context, HttpResponse

DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
_HEADER = "gatewayresponse.header."


def gateway_response_for(
    err: GatewayError, responses: Mapping[str, Mapping[str, Any]]
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """(the customized response of the error's own type, the customized default of its class)."""
    group = "DEFAULT_4XX" if err.status < 500 else "DEFAULT_5XX"
    return responses.get(err.response_type), responses.get(group)


def error_response(err: GatewayError, ctx: Context | None = None) -> HttpResponse:
    """``{"message":"..."}`` (gateway template) or ``{"message": "..."}`` (integration failure),
    or the API's customized gateway response; the front door's refusals
    (:attr:`GatewayError.front_door`) are plain text, without an error type, never customized."""
    if err.front_door:
        return HttpResponse(
            status=err.status,
            body=err.message.encode(),
            headers=[("Content-Type", err.content_type)],
        )
    separators = (", ", ": ") if err.spaced else (",", ":")
    body = json.dumps({"message": err.message}, separators=separators).encode()
    response = HttpResponse(
        status=err.status,
        body=body,
        headers=[
            ("Content-Type", err.content_type),
            ("x-amzn-ErrorType", err.error_type),
        ],
    )
    if ctx is None or ctx.target is None:
        return response
    own, group = gateway_response_for(err, ctx.target.deployment.gateway_responses)
    chosen = own or group
    if chosen is None:
        return response
    status = (own or {}).get("statusCode") or (group or {}).get("statusCode")
    if status:
        response.status = int(status)
    values = variables(ctx, error=err, status=response.status)
    templates = chosen.get("responseTemplates") or {}
    if templates:
        content_type = (
            "application/json" if "application/json" in templates else next(iter(templates))
        )
        response.body = render(templates[content_type], values, lambda _name: "").encode()
        response.headers[0] = ("Content-Type", content_type)
    for key, value in (chosen.get("responseParameters") or {}).items():
        if key.startswith(_HEADER) and (resolved := _parameter_value(value, ctx)) is not None:
            response.headers.append((key[len(_HEADER) :], resolved))
    return response


def _parameter_value(value: str, ctx: Context) -> str | None:
    """A static ``'literal'``, or ``method.request.header|querystring|path.<name>``."""
    if len(value) >= 2 and value.startswith("'") and value.endswith("'"):
        return value[1:-1]
    source, _, name = value.rpartition(".")
    if source == "method.request.header":
        return ctx.request.header(name)
    if source == "method.request.querystring":
        return ctx.request.query_value(name)
    if source == "method.request.path":
        return (ctx.path_parameters or {}).get(name)
    return None


def finalize(ctx: Context, response: HttpResponse) -> HttpResponse:
    """Add the headers API Gateway puts on every response."""
    response.headers.append(("x-amzn-RequestId", ctx.request_id))
    response.headers.append(("x-amz-apigw-id", ctx.apigw_id))
    return response
