"""Stage 6, response: the one place gateway errors become bytes, and every response gets
``x-amzn-RequestId`` and ``x-amz-apigw-id`` (docs/aws-behavior.md#gateway-errors), except the
front door's refusals, answered before the request has an id."""

from __future__ import annotations

import json

from .errors import GatewayError
from .model import Context, HttpResponse


def error_response(err: GatewayError) -> HttpResponse:
    """``{"message":"..."}`` (gateway template) or ``{"message": "..."}`` (integration failure);
    the front door's refusals (:attr:`GatewayError.front_door`) are plain text, without an error
    type."""
    if err.front_door:
        return HttpResponse(
            status=err.status,
            body=err.message.encode(),
            headers=[("Content-Type", err.content_type)],
        )
    separators = (", ", ": ") if err.spaced else (",", ":")
    body = json.dumps({"message": err.message}, separators=separators).encode()
    return HttpResponse(
        status=err.status,
        body=body,
        headers=[
            ("Content-Type", err.content_type),
            ("x-amzn-ErrorType", err.error_type),
        ],
    )


def finalize(ctx: Context, response: HttpResponse) -> HttpResponse:
    """Add the headers API Gateway puts on every response."""
    response.headers.append(("x-amzn-RequestId", ctx.request_id))
    response.headers.append(("x-amz-apigw-id", ctx.apigw_id))
    return response
