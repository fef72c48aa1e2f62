"""Cognito as AWS answers it: the app client's ``ExplicitAuthFlows`` are enforced,
``PreventUserExistenceErrors`` hides unknown users, a wrong password says so plainly, and the pool's
password policy applies to temporary passwords too (docs/aws-behavior.md#cognito-sign-in).
Token lifetimes are checked against AWS's ranges, allowed OAuth scopes must exist, refresh tokens
that are unknown, expired or revoked are refused, and so are revoked access tokens; ``RevokeToken``
is served here (moto has none) (docs/aws-behavior.md#cognito-sign-in)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..aws_call import AwsCall, Reply, json_error
from ..moto import cognito as moto_cognito

#: The ExplicitAuthFlows values that enable each AuthFlow (legacy names included).
FLOW_SETTINGS = {
    "ADMIN_USER_PASSWORD_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ADMIN_NO_SRP_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "USER_PASSWORD_AUTH": {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
    "USER_SRP_AUTH": {"ALLOW_USER_SRP_AUTH"},
    "CUSTOM_AUTH": {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"},
    "USER_AUTH": {"ALLOW_USER_AUTH"},
    "REFRESH_TOKEN_AUTH": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "REFRESH_TOKEN": {"ALLOW_REFRESH_TOKEN_AUTH"},
}
#: What a client created without ExplicitAuthFlows allows.
DEFAULT_FLOWS = {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
WRONG_PASSWORD = "Incorrect username or password."
#: Characters Cognito counts as symbols in a password policy.
SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")


def password_problem(password: str, policy: dict[str, Any]) -> str | None:
    """Why a password breaks the pool's policy (AWS's wording), or None when it complies."""
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    checks = (
        ("RequireUppercase", str.isupper, "uppercase"),
        ("RequireLowercase", str.islower, "lowercase"),
        ("RequireNumbers", str.isdigit, "numeric"),
        ("RequireSymbols", SYMBOLS.__contains__, "symbol"),
    )
    for setting, test, kind in checks:
        if policy.get(setting) and not any(test(c) for c in password):
            return f"Password must have {kind} characters"
    return None


def flow_enabled(auth_flow: str, explicit_flows: list[str] | None) -> bool:
    enabled = set(explicit_flows) if explicit_flows else DEFAULT_FLOWS
    return bool(FLOW_SETTINGS.get(auth_flow, {auth_flow}) & enabled)


_PASSWORD_FIELDS = {"AdminCreateUser": "TemporaryPassword", "AdminSetUserPassword": "Password"}
#: AWS's answer to a token lifetime out of its range
#: (captured, see docs/aws-behavior.md#cognito-sign-in)
INVALID_VALIDITY = "Invalid range for token validity."
#: (shortest, longest) lifetime of each token, in seconds
VALIDITY_RANGES = {
    "id": (5 * 60, 24 * 3600),
    "access": (5 * 60, 24 * 3600),
    "refresh": (60 * 60, 3650 * 24 * 3600),
}
REFRESH_ERRORS = {
    "invalid": "Invalid Refresh Token.",
    "revoked": "Refresh Token has been revoked",
    "expired": "Refresh Token has expired",
}
ACCESS_TOKEN_REVOKED = "Access Token has been revoked"
#: operations authorized by the user's access token (the ones the local cloud checks)
_ACCESS_TOKEN_OPERATIONS = {
    "GetUser",
    "GlobalSignOut",
    "UpdateUserAttributes",
    "DeleteUser",
    "ChangePassword",
}


def validity_problem(params: dict[str, Any]) -> str | None:
    """AWS's message when a Create/UpdateUserPoolClient sets a token lifetime out of range."""
    for token, (low, high) in VALIDITY_RANGES.items():
        name = moto_cognito.VALIDITY[token][0]
        if params.get(name) is None:
            continue
        seconds = moto_cognito.validity_seconds(params, token)
        if not low <= seconds <= high:
            return INVALID_VALIDITY
    return None


def handle(
    call: AwsCall, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
) -> Reply | None:
    params = call.params
    if call.operation in ("CreateUserPoolClient", "UpdateUserPoolClient"):
        return _check_client(call, params)
    if call.operation in _ACCESS_TOKEN_OPERATIONS:
        if moto_cognito.access_token_revoked(str(params.get("AccessToken", ""))):
            return json_error(400, "NotAuthorizedException", ACCESS_TOKEN_REVOKED)
        return None
    if call.operation == "RevokeToken":
        return _revoke_token(call, params)
    if call.operation not in ("AdminInitiateAuth", "InitiateAuth", *_PASSWORD_FIELDS):
        return None
    if call.operation in _PASSWORD_FIELDS:
        password = params.get(_PASSWORD_FIELDS[call.operation])
        return _check_password(params.get("UserPoolId", ""), password, call.account, call.region)
    return _sign_in(call, params, call.account, environ, forward)


def _check_password(pool_id: str, password: str | None, account: str, region: str) -> Reply | None:
    """InvalidPasswordException when a password breaks the pool's policy, else None (to moto)."""
    policy = moto_cognito.user_pool_password_policy(account, region, pool_id)
    problem = password_problem(password, policy) if password is not None and policy else None
    if problem:
        return json_error(
            400, "InvalidPasswordException", f"Password did not conform with policy: {problem}"
        )
    return None


def _sign_in(
    call: AwsCall,
    params: dict[str, Any],
    account: str,
    environ: dict[str, Any],
    forward: Callable[[dict[str, Any]], Reply],
) -> Reply | None:
    """AdminInitiateAuth / InitiateAuth: flows enforced, user existence hidden when asked."""
    client_id = params.get("ClientId", "")
    if call.operation == "AdminInitiateAuth":
        client = moto_cognito.user_pool_client(
            account, call.region, params.get("UserPoolId", ""), client_id
        )
    else:
        found = moto_cognito.find_user_pool_client(account, call.region, client_id)
        client = found[1] if found else None
    if client is None:
        return None  # moto answers the unknown pool or client
    if not flow_enabled(params.get("AuthFlow", ""), client.get("ExplicitAuthFlows")):
        return json_error(400, "InvalidParameterException", "Auth flow not enabled for this client")
    if params.get("AuthFlow") in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        token = str((params.get("AuthParameters") or {}).get("REFRESH_TOKEN") or "")
        pool_id = params.get("UserPoolId") if call.operation == "AdminInitiateAuth" else None
        state = moto_cognito.refresh_token_state(account, call.region, pool_id, client_id, token)
        if state != "valid":
            return json_error(400, "NotAuthorizedException", REFRESH_ERRORS[state])
    reply = forward(environ)
    if reply.status < 400:
        return reply
    try:
        error = json.loads(reply.body)
    except ValueError:
        return reply
    kind = str(error.get("__type", "")).rsplit("#", 1)[-1]
    username = (params.get("AuthParameters") or {}).get("USERNAME")
    if kind == "UserNotFoundException" and client.get("PreventUserExistenceErrors") == "ENABLED":
        return json_error(400, "NotAuthorizedException", WRONG_PASSWORD)
    if kind == "NotAuthorizedException" and error.get("message") == username:
        return json_error(400, "NotAuthorizedException", WRONG_PASSWORD)
    return reply


def _check_client(call: AwsCall, params: dict[str, Any]) -> Reply | None:
    """Token lifetimes within AWS's ranges; every allowed OAuth scope exists in the pool."""
    problem = validity_problem(params)
    if problem:
        return json_error(400, "InvalidParameterException", problem)
    wanted = params.get("AllowedOAuthScopes") or []
    known = moto_cognito.user_pool_scopes(call.account, call.region, params.get("UserPoolId", ""))
    if known is None:
        return None  # moto answers the unknown pool
    for scope in wanted:
        if scope not in known:
            return json_error(
                400, "ScopeDoesNotExistException", f"Invalid scope requested: {scope}"
            )
    return None


def _revoke_token(call: AwsCall, params: dict[str, Any]) -> Reply:
    """RevokeToken: the refresh token, and the access tokens issued with it, stop working."""
    client_id = str(params.get("ClientId", ""))
    found = moto_cognito.find_user_pool_client(call.account, call.region, client_id)
    if found is None:
        return json_error(400, "ResourceNotFoundException", f"User pool client {client_id} "
                          "does not exist.")  # fmt: skip
    client = found[1]
    if client.get("ClientSecret") and params.get("ClientSecret") != client["ClientSecret"]:
        return json_error(400, "NotAuthorizedException", "Client secret is invalid.")
    if client.get("EnableTokenRevocation") is False:
        return json_error(
            400, "UnsupportedOperationException", "Token revocation is not enabled for this client."
        )
    token = str(params.get("Token", ""))
    if not moto_cognito.revoke_refresh_token(call.account, call.region, client_id, token):
        return json_error(400, "UnsupportedTokenTypeException", "Unsupported token type.")
    return Reply(200, [("Content-Type", "application/x-amz-json-1.1")], b"{}")
