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
        response = error_response(err)
        if err.front_door:  # refused before the request had an id
            return response
    except Exception:
        log(
            f"{request.method} /{request.stage}{request.path} -> 500, an error inside the local "
            f"cloud:\n{traceback.format_exc().rstrip()}"
        )
        response = error_response(InternalError())
    return finalize(ctx, response)
