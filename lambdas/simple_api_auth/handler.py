"""The sign-in endpoint: ``POST /auth`` with ``{"username": ..., "password": ...}`` as JSON (or
the seed's ``GET /auth?username=...&password=...``) returns Cognito tokens.

API Gateway passes the request to this Lambda (proxy integration): the JSON body of a POST, the
query string of a GET. The Lambda signs the user in with ``AdminInitiateAuth`` (flow
``ADMIN_USER_PASSWORD_AUTH``) on the user pool named by the ``USER_POOL_ID`` and ``CLIENT_ID``
environment variables. A good password answers 200 with the tokens; a wrong one 401; a user who
must first change or reset their password 403.

With the ``ALLOWED_ORIGIN`` environment variable set, every answer carries
``Access-Control-Allow-Origin`` with its value, so a page on that origin may read it (CORS); a
proxy integration passes the function's headers through, and API Gateway adds none.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from typing import Any

import boto3
from botocore.exceptions import ClientError

cognito = boto3.client("cognito-idp")
logger = logging.getLogger(__name__)

REQUIRED_PARAMETERS = ("password", "username")
# The tokens returned to the caller; anything else in AuthenticationResult is dropped.
TOKEN_KEYS = ("AccessToken", "ExpiresIn", "IdToken", "RefreshToken", "TokenType")
# Cognito errors that are the caller's problem, with the answer they get.
CLIENT_ERRORS = {
    "NotAuthorizedException": (401, "Incorrect username or password."),
    "UserNotFoundException": (401, "Incorrect username or password."),
    "PasswordResetRequiredException": (403, "Password reset required."),
    "UserNotConfirmedException": (403, "User is not confirmed."),
}


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """A Lambda proxy integration response with a JSON body (and the CORS header, when the
    function has an ``ALLOWED_ORIGIN``)."""
    headers = {"Content-Type": "application/json"}
    origin = os.environ.get("ALLOWED_ORIGIN")
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
    return {"statusCode": status, "headers": headers, "body": json.dumps(body)}


def _json_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """The request body as a JSON object, or None when it is not one."""
    raw = event.get("body") or ""
    try:
        if event.get("isBase64Encoded"):
            raw = base64.b64decode(raw, validate=True).decode()
        body = json.loads(raw)
    except (ValueError, binascii.Error):  # UnicodeDecodeError and JSONDecodeError too
        return None
    return body if isinstance(body, dict) else None


def _credentials(event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``(username and password, None)``, or ``({}, the 400 to answer)``: from the JSON body of a
    POST, from the query string otherwise."""
    if event.get("httpMethod") == "POST":
        body = _json_body(event)
        if body is None:
            message = "The request body must be a JSON object with username and password."
            return {}, _response(400, {"message": message})
        found = {name: body.get(name) for name in REQUIRED_PARAMETERS}
        what = "body properties"
    else:
        found = dict(event.get("queryStringParameters") or {})
        what = "request parameters"
    missing = [
        name
        for name in REQUIRED_PARAMETERS
        if not isinstance(found.get(name), str) or not found[name]
    ]
    if missing:
        return {}, _response(400, {"message": f"Missing required {what}: [{', '.join(missing)}]"})
    return found, None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sign the user in and answer with their tokens, or with why not."""
    params, refusal = _credentials(event)
    if refusal is not None:
        return refusal
    username = params["username"]

    try:
        result = cognito.admin_initiate_auth(
            UserPoolId=os.environ["USER_POOL_ID"],
            ClientId=os.environ["CLIENT_ID"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": params["password"]},
        )
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code not in CLIENT_ERRORS:
            raise  # API Gateway answers 502; the error and its traceback go to the logs
        logger.info("Sign-in refused for %r: %s", username, code)
        status, message = CLIENT_ERRORS[code]
        return _response(status, {"message": message})

    if "AuthenticationResult" in result:
        tokens = result["AuthenticationResult"]
        logger.info("Signed in %r", username)
        return _response(
            200, {"AuthenticationResult": {key: tokens[key] for key in TOKEN_KEYS if key in tokens}}
        )

    challenge = result.get("ChallengeName")
    if not challenge:
        raise RuntimeError("AdminInitiateAuth returned neither tokens nor a challenge")
    logger.info("Sign-in for %r needs challenge %s", username, challenge)
    if challenge == "NEW_PASSWORD_REQUIRED":
        return _response(403, {"message": "Password change required."})
    return _response(403, {"message": f"Sign-in challenge required: {challenge}."})
