"""Cognito sign-in as AWS answers it: the app client's ``ExplicitAuthFlows`` are enforced,
``PreventUserExistenceErrors`` hides unknown users, and a wrong password says so plainly."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .. import moto_adapter
from ..aws_call import AwsCall, Reply, json_error, read_body

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


def flow_enabled(auth_flow: str, explicit_flows: list[str] | None) -> bool:
    enabled = set(explicit_flows) if explicit_flows else DEFAULT_FLOWS
    return bool(FLOW_SETTINGS.get(auth_flow, {auth_flow}) & enabled)


def handle(
    call: AwsCall, environ: dict[str, Any], forward: Callable[[dict[str, Any]], Reply]
) -> Reply | None:
    if call.operation not in ("AdminInitiateAuth", "InitiateAuth"):
        return None
    try:
        params = json.loads(read_body(environ) or b"{}")
    except ValueError:
        return None
    account = moto_adapter.account_for_access_key(call.access_key)
    client_id = params.get("ClientId", "")
    if call.operation == "AdminInitiateAuth":
        client = moto_adapter.user_pool_client(
            account, call.region, params.get("UserPoolId", ""), client_id
        )
    else:
        found = moto_adapter.find_user_pool_client(account, call.region, client_id)
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
