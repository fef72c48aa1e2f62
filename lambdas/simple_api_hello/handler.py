"""The protected "hello" endpoint: greets the caller named in the Cognito token.

API Gateway calls this Lambda through a proxy integration (REST API, payload 1.0). When the
method has a Cognito user pool authorizer, API Gateway has already checked the ID token and
passes its claims in ``requestContext.authorizer.claims``; without an authorizer that key is
absent and the caller is anonymous. The handler only reads those claims and never checks a token.

With the ``ALLOWED_ORIGIN`` environment variable set, the answer carries
``Access-Control-Allow-Origin`` with its value, so a page on that origin may read it (CORS).
"""

from __future__ import annotations

import json
import os
from typing import Any

# The claims echoed back to the caller, in this order (others, like email, are left out).
ECHOED_CLAIMS = ("cognito:username", "sub", "token_use", "iss")


def _claims(event: dict[str, Any]) -> dict[str, str]:
    """The Cognito authorizer's claims, or an empty dict when there are none."""
    request_context = event.get("requestContext") or {}
    authorizer = request_context.get("authorizer") or {}
    return authorizer.get("claims") or {}


def _response(body: dict[str, Any]) -> dict[str, Any]:
    """A Lambda proxy integration response with a JSON body (and the CORS header, when the
    function has an ``ALLOWED_ORIGIN``)."""
    headers = {"Content-Type": "application/json"}
    origin = os.environ.get("ALLOWED_ORIGIN")
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
    return {"statusCode": 200, "headers": headers, "body": json.dumps(body)}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Greet the signed-in user by name, or an anonymous caller."""
    claims = _claims(event)
    if not claims:
        return _response({"message": "Hello, anonymous caller!", "authenticated": False})
    # ID tokens carry cognito:username; access tokens call the same claim "username".
    name = claims.get("cognito:username") or claims.get("username") or "authenticated caller"
    return _response(
        {
            "message": f"Hello, {name}!",
            "authenticated": True,
            "claims": {key: claims[key] for key in ECHOED_CLAIMS if key in claims},
        }
    )
