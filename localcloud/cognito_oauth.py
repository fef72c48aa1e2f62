"""A user pool's OAuth 2.0 token endpoint, as Cognito serves it once the pool has a domain
(CreateUserPoolDomain): on AWS ``https://{domain}.auth.{region}.amazoncognito.com/oauth2/token``,
here ``{endpoint}/_cognito/{domain}/oauth2/token``. Unsigned, form-encoded, answered in OAuth's
shape: ``{"access_token", "expires_in", "token_type"}`` or ``400 {"error": "..."}``.

Grants: ``client_credentials`` (machine clients, custom scopes) and ``refresh_token``. There is no
hosted UI here, so no authorization code is ever valid. The rules and their sources:
docs/aws-behavior.md#cognito-token-endpoint.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import parse_qs

from .aws_call import Reply, read_body
from .moto import cognito as moto_cognito
from .moto import iam as moto_iam

TOKEN_URL = re.compile(r"^/_cognito/(?P<domain>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)/oauth2/token$")
_JSON = [("Content-Type", "application/json;charset=UTF-8"), ("Cache-Control", "no-store")]
_GRANTS = ("authorization_code", "client_credentials", "refresh_token")


def _error(code: str, status: int = 400) -> Reply:
    return Reply(status, list(_JSON), json.dumps({"error": code}).encode())


def _ok(doc: dict[str, Any]) -> Reply:
    return Reply(200, list(_JSON), json.dumps(doc).encode())


def _credentials(
    headers: dict[str, str], form: dict[str, str]
) -> tuple[str | None, str | None] | None:
    """(client id, secret) from ``Authorization: Basic`` or the body; None when malformed."""
    auth = headers.get("authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            return None
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


def token(domain: str, environ: dict[str, Any]) -> Reply:
    account = moto_iam.account_for_access_key(None)
    found = moto_cognito.pool_of_domain(account, domain)
    if found is None:
        body = json.dumps({"message": f"no user pool has the domain {domain}"}).encode()
        return Reply(404, [("Content-Type", "application/json")], body)
    region, pool_id = found
    if environ.get("REQUEST_METHOD") != "POST":
        return _error("invalid_request", 405)
    content_type = environ.get("CONTENT_TYPE", "")
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        return _error("invalid_request")
    raw = parse_qs(read_body(environ).decode("utf-8", "replace"), keep_blank_values=True)
    if any(len(values) > 1 for values in raw.values()):
        return _error("invalid_request")
    form = {k: v[0] for k, v in raw.items()}
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k[:5] == "HTTP_"}
    grant = form.get("grant_type")
    if not grant:
        return _error("invalid_request")
    creds = _credentials(headers, form)
    if creds is None or not creds[0]:
        return _error("invalid_request" if creds is not None else "invalid_client")
    client_id, secret = creds
    client = moto_cognito.user_pool_client(account, region, pool_id, client_id)
    if client is None:
        return _error("invalid_client")
    if client.get("ClientSecret") and secret != client["ClientSecret"]:
        return _error("invalid_client")
    if grant not in _GRANTS:
        return _error("unsupported_grant_type")
    if grant == "client_credentials":
        return _client_credentials(account, region, pool_id, client, form)
    if grant == "refresh_token":
        return _refresh(account, region, pool_id, client, form)
    return _error("invalid_grant")  # no hosted UI here: no authorization code is valid


def _client_credentials(
    account: str, region: str, pool_id: str, client: dict[str, Any], form: dict[str, str]
) -> Reply:
    if not client.get("ClientSecret"):
        return _error("invalid_client")
    if not client.get("AllowedOAuthFlowsUserPoolClient"):
        return _error("invalid_grant")
    if "client_credentials" not in (client.get("AllowedOAuthFlows") or []):
        return _error("unauthorized_client")
    allowed = [s for s in client.get("AllowedOAuthScopes") or [] if "/" in s]
    requested = form["scope"].split() if form.get("scope") else allowed
    if not requested or any(s not in allowed for s in requested):
        return _error("invalid_scope")
    access, lifetime = moto_cognito.issue_client_token(
        account, region, pool_id, client["ClientId"], requested
    )
    return _ok({"access_token": access, "expires_in": lifetime, "token_type": "Bearer"})


def _refresh(
    account: str, region: str, pool_id: str, client: dict[str, Any], form: dict[str, str]
) -> Reply:
    refresh = form.get("refresh_token")
    if not refresh:
        return _error("invalid_request")
    flows = client.get("ExplicitAuthFlows")
    if flows and "ALLOW_REFRESH_TOKEN_AUTH" not in flows:
        return _error("unauthorized_client")
    state = moto_cognito.refresh_token_state(account, region, pool_id, client["ClientId"], refresh)
    if state != "valid":
        return _error("invalid_grant")
    access, id_token, lifetime = moto_cognito.tokens_from_refresh_token(
        account, region, pool_id, refresh
    )
    return _ok(
        {
            "id_token": id_token,
            "access_token": access,
            "expires_in": lifetime,
            "token_type": "Bearer",
        }
    )
