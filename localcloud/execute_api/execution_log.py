"""Execution and access logs of a stage (docs/aws-behavior.md#execution-and-access-logs).

Built after the request is answered, from what the stages learned (the context) and how it ended
(the response, the gateway error). Execution log lines carry AWS's wording where public material
shows it; each message starts with ``(<request id>) ``, as in the execution logs users post.
The writing goes through :class:`.model.Backends` (``write_log``), never to moto directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from .context_vars import render, variables
from .errors import (
    BadRequestBody,
    GatewayError,
    IntegrationConfigurationError,
    IntegrationFailure,
    IntegrationTimeout,
    Unauthorized,
)
from .model import Context, HttpResponse

#: loggingLevel values that write execution logs, and what each writes
LEVELS = ("ERROR", "INFO")


def execution_group(api_id: str, stage: str) -> str:
    return f"API-Gateway-Execution-Logs_{api_id}/{stage}"


def stream_name(*parts: str) -> str:
    """A log stream name: a hex digest (inferred; AWS's streams are opaque hex names)."""
    return hashlib.md5("/".join(parts).encode()).hexdigest()


def group_of(destination_arn: str) -> str | None:
    """The log group named by an access log ``destinationArn``
    (``arn:aws:logs:<region>:<account>:log-group:<name>``, optionally ``:*``)."""
    _, marker, rest = destination_arn.partition(":log-group:")
    if not marker or not rest:
        return None
    return rest[:-2] if rest.endswith(":*") else rest


def _java_map(pairs: Mapping[str, str] | None) -> str:
    """``{a=1, b=2}``: how execution logs print maps (Java's ``Map.toString``)."""
    return "{" + ", ".join(f"{k}={v}" for k, v in (pairs or {}).items()) + "}"


def _masked(name: str, value: str) -> str:
    """The Authorization header is masked but for its last characters (inferred)."""
    if name.lower() != "authorization":
        return value
    return "*" * max(len(value) - 6, 0) + value[-6:]


def execution_lines(
    ctx: Context,
    response: HttpResponse,
    error: GatewayError | None,
    *,
    level: str,
    data_trace: bool,
) -> list[str]:
    """The lines the stage's execution log gets for one request (none at ``OFF``, and none for a
    request that matched no method: method settings apply to methods)."""
    if level not in LEVELS or ctx.method is None or ctx.resource is None:
        return []
    req = ctx.request
    lines: list[tuple[str, str]] = [
        ("INFO", f"Extended Request Id: {ctx.apigw_id}"),
        ("INFO", f"Starting execution for request: {ctx.request_id}"),
        ("INFO", f"HTTP Method: {req.method}, Resource Path: {req.path}"),
    ]
    if data_trace:
        lines += [
            ("INFO", f"Method request path: {_java_map(ctx.path_parameters)}"),
            ("INFO", f"Method request query string: {_java_map(dict(req.query))}"),
            (
                "INFO",
                "Method request headers: " + _java_map({k: _masked(k, v) for k, v in req.headers}),
            ),
            (
                "INFO",
                "Method request body before transformations: "
                + req.body.decode("utf-8", errors="replace"),
            ),
        ]
    if isinstance(error, Unauthorized):
        lines.append(("ERROR", f"Unauthorized request: {ctx.request_id}"))
        lines.append(("ERROR", f"Method completed with status: {response.status}"))
        return _at(level, ctx, lines)
    if ctx.authorizer is not None:
        lines.append(("INFO", f"Authorization succeeded for principal: {_principal(ctx)}"))
    integration = ctx.method.integration or {}
    uri = integration.get("uri") or ""
    reached_integration = error is None or isinstance(
        error, (IntegrationConfigurationError, IntegrationFailure, IntegrationTimeout)
    )
    if (integration.get("type") or "").upper() == "AWS_PROXY" and reached_integration:
        function = uri.split("/functions/", 1)[-1].removesuffix("/invocations")
        endpoint = f"https://lambda.{ctx.target.region if ctx.target else ''}.amazonaws.com"
        invocation = f"{endpoint}/2015-03-31/functions/{function}/invocations"
        lines.append(("INFO", f"Endpoint request URI: {invocation}"))
        lines.append(("INFO", f"Sending request to {invocation}"))
    if error is not None:
        failure = _failure_line(error)
        if failure:
            lines.append(("ERROR", failure))
        lines.append(("ERROR", f"Method completed with status: {response.status}"))
        return _at(level, ctx, lines)
    if data_trace:
        body = response.body.decode("utf-8", errors="replace")
        lines.append(("INFO", f"Method response body after transformations: {body}"))
    lines.append(("INFO", "Successfully completed execution"))
    lines.append(("INFO", f"Method completed with status: {response.status}"))
    return _at(level, ctx, lines)


def _principal(ctx: Context) -> str:
    claims = (ctx.authorizer or {}).get("claims") or {}
    return str(claims.get("sub", ""))


def _failure_line(error: GatewayError) -> str | None:
    detail = error.detail
    if "Invalid permissions on Lambda function" in detail:
        return "Execution failed due to configuration error: Invalid permissions on Lambda function"
    if isinstance(error, IntegrationTimeout):
        return "Execution failed due to a timeout error"
    if isinstance(error, IntegrationFailure):
        if detail.startswith("Lambda function error"):
            return "Lambda execution failed with status 200 due to customer function error"
        return "Execution failed due to configuration error: Malformed Lambda proxy response"
    if isinstance(error, IntegrationConfigurationError):
        return "Execution failed due to configuration error"
    if isinstance(error, BadRequestBody):
        return detail  # what the validator found, in its words
    if error.status >= 400:
        return f"{error.message}"
    return None


def _at(level: str, ctx: Context, lines: list[tuple[str, str]]) -> list[str]:
    """At ``ERROR`` only the error lines are written; at ``INFO`` all of them."""
    return [
        f"({ctx.request_id}) {text}" for lvl, text in lines if level == "INFO" or lvl == "ERROR"
    ]


def access_line(
    ctx: Context, response: HttpResponse, error: GatewayError | None, log_format: str
) -> str:
    """One access log line: the format with its ``$context`` variables; a variable without a
    value for this request is ``-``."""
    values = variables(ctx, error=error, status=response.status, response_length=len(response.body))
    return render(log_format, values, lambda _name: "-")
