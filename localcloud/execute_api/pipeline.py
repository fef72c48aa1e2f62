"""The chain: payload limit, route, authorizer, API key, request validation, integration,
response.

A refusal is a :class:`~.errors.GatewayError`; any other exception is a fault of the local
cloud itself, logged with its traceback and answered as AWS answers its own failures (a 500 in
AWS's shape, never an HTML page).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable

from .. import ids
from .api_keys import check_api_key
from .authorizer import authorize
from .errors import GatewayError, InternalError
from .execution_log import access_line, execution_group, execution_lines, group_of, stream_name
from .integration import integrate
from .limits import check_payload_size
from .model import ApiRequest, Backends, Context, HttpResponse
from .response import error_response, finalize
from .routing import route
from .validation import validate_request


def handle(
    request: ApiRequest, backends: Backends, log: Callable[[str], None] = lambda _msg: None
) -> HttpResponse:
    """Answer one stage-URL request as API Gateway would."""
    ctx = Context(
        request=request,
        request_id=ids.uuid4(),
        apigw_id=ids.apigw_id(),
        request_time_epoch_ms=int(time.time() * 1000),
        log=log,
    )
    error: GatewayError | None = None
    try:
        check_payload_size(request)
        route(ctx, backends)
        authorize(ctx, backends)
        check_api_key(ctx, backends)
        validate_request(ctx)
        response = integrate(ctx, backends)
    except GatewayError as err:
        log(
            f"{request.method} /{request.stage}{request.path} -> {err.status} "
            f"{err.response_type}: {err.detail or err.message}"
        )
        response = error_response(err, ctx)
        if err.front_door:  # refused before the request had an id
            return response
        error = err
    except Exception:
        log(
            f"{request.method} /{request.stage}{request.path} -> 500, an error inside the local "
            f"cloud:\n{traceback.format_exc().rstrip()}"
        )
        error = InternalError()
        response = error_response(error)
    response = finalize(ctx, response)
    try:
        write_logs(ctx, backends, response, error)
    except Exception:
        log(f"writing the stage's logs failed:\n{traceback.format_exc().rstrip()}")
    return response


def write_logs(
    ctx: Context, backends: Backends, response: HttpResponse, error: GatewayError | None
) -> None:
    """The stage's execution log and access log lines for this request, if it has them on
    (docs/aws-behavior.md#execution-and-access-logs)."""
    target = ctx.target
    if target is None:  # no such API or stage: no stage settings to follow
        return
    req = ctx.request
    lines = execution_lines(
        ctx, response, error, level=target.logging_level, data_trace=target.data_trace
    )
    if lines:
        backends.write_log(
            target.account,
            target.region,
            execution_group(req.api_id, req.stage),
            stream_name(req.api_id, req.stage, "execution"),
            lines,
        )
    settings = target.access_log or {}
    group = group_of(settings.get("destinationArn") or "")
    if group and settings.get("format"):
        backends.write_log(
            target.account,
            target.region,
            group,
            stream_name(req.api_id, req.stage, "access"),
            [access_line(ctx, response, error, settings["format"])],
        )
