"""Cognito as AWS answers it: the app client's ``ExplicitAuthFlows`` are enforced,
``PreventUserExistenceErrors`` hides unknown users, a wrong password says so plainly, and the pool's
password policy applies to temporary passwords too (docs/aws-behavior.md#cognito-sign-in)."""

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


def handle(
    call: AwsCall, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
) -> Reply | None:
    if call.operation not in ("AdminInitiateAuth", "InitiateAuth", *_PASSWORD_FIELDS):
        return None
    params = call.params
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
