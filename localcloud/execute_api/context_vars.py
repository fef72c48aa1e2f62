"""``$context`` variables: what gateway response templates and access log formats may name
(docs/aws-behavior.md#gateway-errors and #execution-and-access-logs).

:func:`variables` gives each known name its value for one request (None: not known for it);
:func:`render` substitutes ``$context.name`` (or ``${context.name}``) in a template or format.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping

from .errors import GatewayError
from .model import Context

_VARIABLE = re.compile(
    r"\$context\.authorizer\.claims\['(?P<claim>[^']+)'\]"
    r"|\$\{context\.(?P<braced>[A-Za-z0-9_.]+)\}"
    r"|\$context\.(?P<dotted>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def request_time(epoch_ms: int) -> str:
    """``$context.requestTime``: CLF-formatted, ``18/Jun/2024:15:00:04 +0000``."""
    t = time.gmtime(epoch_ms / 1000)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def variables(
    ctx: Context,
    *,
    error: GatewayError | None = None,
    status: int | None = None,
    response_length: int | None = None,
) -> dict[str, str | None]:
    req, target, resource = ctx.request, ctx.target, ctx.resource
    claims = (ctx.authorizer or {}).get("claims") or {}
    found: dict[str, str | None] = {
        "requestId": ctx.request_id,
        "extendedRequestId": ctx.apigw_id,
        "apiId": req.api_id,
        "stage": req.stage,
        "httpMethod": req.method,
        "path": f"/{req.stage}{req.path}",
        "resourcePath": resource.path if resource else None,
        "resourceId": resource.id if resource else None,
        "protocol": req.protocol,
        "requestTime": request_time(ctx.request_time_epoch_ms),
        "requestTimeEpoch": str(ctx.request_time_epoch_ms),
        "identity.sourceIp": req.source_ip,
        "identity.userAgent": req.header("User-Agent"),
        "identity.apiKey": (ctx.api_key or {}).get("value"),
        "identity.apiKeyId": (ctx.api_key or {}).get("id"),
        "accountId": target.account if target else None,
        "deploymentId": target.deployment.deployment_id if target else None,
        "domainName": req.header("Host"),
        "status": str(status) if status is not None else None,
        "responseLength": str(response_length) if response_length is not None else None,
        "error.message": error.message if error else None,
        "error.messageString": json.dumps(error.message) if error else None,
        "error.responseType": error.response_type if error else None,
        "authorizer.principalId": None,
    }
    for name, value in claims.items():
        found[f"authorizer.claims.{name}"] = str(value)
    return found


def render(template: str, values: Mapping[str, str | None], missing: Callable[[str], str]) -> str:
    """Substitute every ``$context.name`` (``$context.authorizer.claims['cognito:username']``
    for a claim whose name has a colon); a name without a value becomes ``missing(name)``.
    The longest known dotted name wins (``$context.status.`` is ``status`` then a dot)."""

    def substitute(match: re.Match) -> str:
        if match["claim"] is not None:
            name = f"authorizer.claims.{match['claim']}"
            value = values.get(name)
            return missing(name) if value is None else value
        if match["braced"] is not None:
            value = values.get(match["braced"])
            return missing(match["braced"]) if value is None else value
        parts = match["dotted"].split(".")
        for n in range(len(parts), 0, -1):
            name = ".".join(parts[:n])
            if name in values:
                value = values[name]
                rest = "".join("." + p for p in parts[n:])
                return (missing(name) if value is None else value) + rest
        return missing(match["dotted"])

    return _VARIABLE.sub(substitute, template)
