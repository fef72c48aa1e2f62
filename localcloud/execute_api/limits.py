"""Stage 0, limits: what API Gateway's front door refuses before routing. A body over the
10 MB payload quota (10,485,760 bytes) is a 413 in plain text, ``HTTP content length exceeded
10485760 bytes.``, without request ids; the request reaches no later stage.

The AWS behaviour it reproduces: docs/aws-behavior.md#gateway-errors.
"""

from __future__ import annotations

from .errors import RequestTooLarge
from .model import ApiRequest

#: API Gateway's REST API payload quota, in bytes (10 MB, not raisable)
PAYLOAD_LIMIT = 10 * 1024 * 1024


def check_payload_size(request: ApiRequest, limit: int = PAYLOAD_LIMIT) -> None:
    """Raise :class:`RequestTooLarge` when the body is over the payload quota."""
    if len(request.body) > limit:
        raise RequestTooLarge(limit, detail=f"body of {len(request.body)} bytes")
