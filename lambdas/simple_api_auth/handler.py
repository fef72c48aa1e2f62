"""The sign-in endpoint: ``GET /auth?username=...&password=...`` returns Cognito tokens.

API Gateway passes the query string to this Lambda (proxy integration), and the Lambda signs the
user in with ``AdminInitiateAuth`` (flow ``ADMIN_USER_PASSWORD_AUTH``) on the user pool named by
the ``USER_POOL_ID`` and ``CLIENT_ID`` environment variables. A good password answers 200 with the
tokens; a wrong one 401; a user who must first change or reset their password 403.
"""

from __future__ import annotations

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
    """A Lambda proxy integration response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sign the user in and answer with their tokens, or with why not."""
    params = event.get("queryStringParameters") or {}
    missing = [name for name in REQUIRED_PARAMETERS if not params.get(name)]
    if missing:
        message = f"Missing required request parameters: [{', '.join(missing)}]"
        return _response(400, {"message": message})
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
