"""The machine-facing "reports" endpoint: answers a service that holds the scope
``simple-api/reports.read``.

API Gateway calls this Lambda through a proxy integration (REST API, payload 1.0). Its method has
``authorizationScopes``, so the Cognito authorizer lets through only an **access token** whose
``scope`` claim holds one of them (a machine token from the client-credentials grant, here) and
passes the token's claims in ``requestContext.authorizer.claims``. The handler reads those claims
and never checks a token; it calls nothing, so its role allows writing logs only.
"""

from __future__ import annotations

import json
from typing import Any

#: the reports a caller with the scope may read (a fixed list: the point is who gets it)
REPORTS = (
    {"id": "daily-signins", "title": "Sign-ins per day"},
    {"id": "failed-signins", "title": "Failed sign-ins per day"},
)


def _claims(event: dict[str, Any]) -> dict[str, str]:
    """The Cognito authorizer's claims, or an empty dict when there are none."""
    request_context = event.get("requestContext") or {}
    authorizer = request_context.get("authorizer") or {}
    return authorizer.get("claims") or {}


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """A Lambda proxy integration response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The reports, with the app client and the scopes the caller's access token carries."""
    claims = _claims(event)
    if claims.get("token_use") != "access" or not claims.get("scope"):
        # only reachable without the authorizer (a direct invoke, a misconfigured method)
        return _response(403, {"message": "An access token with a scope is required."})
    return _response(
        200,
        {
            "reports": list(REPORTS),
            "client_id": claims.get("client_id", ""),
            "scopes": sorted(claims["scope"].split()),
        },
    )
