"""Tokens in depth (notebook 08): the pool's domain and token endpoint, a resource server with a
custom scope, a machine client (client credentials), a client whose tokens live 5 minutes, a
method that wants a scope, refresh, sign-out, and waiting for a token to expire.

Each ``ensure_*`` finds its resource by name and creates only what is missing. Secrets (client
secrets, refresh tokens, whole tokens) are never part of what these helpers show.
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from botocore.exceptions import ClientError

from helpers import names
from helpers.cloud import Cloud
from helpers.cognito import CLIENT_AUTH_FLOWS, find_app_client
from helpers.display import HIDDEN, redact, token_claims
from helpers.errors import KitError
from helpers.retry import error_code, unless_missing

#: the short-lived client's ID and access token lifetime: the shortest Cognito allows
SHORT_LIFETIME_MINUTES = 5
_NOT_FOUND = "ResourceNotFoundException"


# ------------------------------------------------------------------ domain and token endpoint


def token_domain(cloud: Cloud) -> str:
    """The domain prefix the series gives the pool: ``simple-api-<account id>``."""
    return names.domain_prefix(cloud.account)


def token_url(cloud: Cloud, domain: str) -> str:
    """The pool's OAuth 2.0 token endpoint: on AWS the hosted domain's
    ``https://<domain>.auth.<region>.amazoncognito.com/oauth2/token``, on the local cloud
    ``<endpoint>/_cognito/<domain>/oauth2/token``."""
    if cloud.is_local:
        return f"{cloud.endpoint_url}/_cognito/{domain}/oauth2/token"
    return f"https://{domain}.auth.{cloud.region}.amazoncognito.com/oauth2/token"


def find_domain(idp: Any, pool_id: str) -> str | None:
    """The pool's domain prefix, or None when it has none."""
    return idp.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Domain") or None


def ensure_domain(idp: Any, pool_id: str, prefix: str) -> str:
    """The pool's domain (a pool has one at most): the one it has, else ``prefix``, created."""
    current = find_domain(idp, pool_id)
    if current:
        return current
    try:
        idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    except ClientError as err:
        if error_code(err) == "InvalidParameterException":
            raise KitError(
                f"Cognito refused the domain {prefix!r}: {err.response['Error']['Message']} "
                "(domain prefixes are global per region); delete the pool that holds it."
            ) from None
        raise
    return prefix


# ------------------------------------------------------------------ resource server and clients


def ensure_resource_server(
    idp: Any, pool_id: str, identifier: str, scopes: Mapping[str, str], name: str | None = None
) -> dict:
    """The resource server ``identifier`` with exactly ``scopes`` (name -> description),
    created if missing, its scopes put right if they differ."""
    wanted = [{"ScopeName": k, "ScopeDescription": v} for k, v in scopes.items()]
    found = unless_missing(
        lambda: idp.describe_resource_server(UserPoolId=pool_id, Identifier=identifier),
        _NOT_FOUND,
    )
    if found is None:
        return idp.create_resource_server(
            UserPoolId=pool_id, Identifier=identifier, Name=name or identifier, Scopes=wanted
        )["ResourceServer"]
    server = found["ResourceServer"]
    have = sorted((s["ScopeName"], s["ScopeDescription"]) for s in server.get("Scopes") or [])
    if have != sorted(scopes.items()):
        server = idp.update_resource_server(
            UserPoolId=pool_id, Identifier=identifier, Name=server["Name"], Scopes=wanted
        )["ResourceServer"]
    return server


def _ensure_client(idp: Any, pool_id: str, name: str, settings: dict, *, secret: bool) -> dict:
    """The app client ``name`` with ``settings``; created if missing (with a secret when
    ``secret``), updated (every setting named: an update resets unnamed ones) if one differs."""
    client = find_app_client(idp, pool_id, name)
    if client is None:
        return idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=name, GenerateSecret=secret, **settings
        )["UserPoolClient"]
    if bool(client.get("ClientSecret")) != secret:
        has = "has" if client.get("ClientSecret") else "has no"
        raise KitError(
            f"App client {name!r} {has} a client secret, unlike the one this notebook makes; "
            "delete the client (or run 99_teardown) and run this notebook again."
        )
    differs = any(_setting(client, key) != _setting(settings, key) for key in settings)
    if differs:
        client = idp.update_user_pool_client(
            UserPoolId=pool_id, ClientId=client["ClientId"], ClientName=name, **settings
        )["UserPoolClient"]
    return client


def _setting(doc: Mapping[str, Any], key: str) -> Any:
    value = doc.get(key)
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, Mapping):
        return {k: v for k, v in value.items() if k in ("IdToken", "AccessToken")}
    return value


def machine_client_settings(scopes: Sequence[str]) -> dict:
    """A client for services, not people: client credentials only, for these custom scopes."""
    return {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": list(scopes),
    }


def ensure_machine_client(idp: Any, pool_id: str, name: str, scopes: Sequence[str]) -> dict:
    """The machine client ``name``: a secret, the ``client_credentials`` grant only, ``scopes``.
    The answer holds ``ClientSecret``: never show it."""
    client = _ensure_client(idp, pool_id, name, machine_client_settings(scopes), secret=True)
    if not client.get("ClientSecret"):  # an update's answer may leave it out
        client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])[
            "UserPoolClient"
        ]
    return client


def short_lived_client_settings(minutes: int = SHORT_LIFETIME_MINUTES) -> dict:
    """Admin sign-in and refresh, as ``simple-api-client``, but ID and access tokens that live
    ``minutes`` (refresh tokens keep the default 30 days)."""
    return {
        "ExplicitAuthFlows": list(CLIENT_AUTH_FLOWS),
        "PreventUserExistenceErrors": "ENABLED",
        "IdTokenValidity": minutes,
        "AccessTokenValidity": minutes,
        "TokenValidityUnits": {"IdToken": "minutes", "AccessToken": "minutes"},
    }


def ensure_short_lived_client(
    idp: Any, pool_id: str, name: str, minutes: int = SHORT_LIFETIME_MINUTES
) -> dict:
    """The app client ``name``, no secret, whose ID and access tokens live ``minutes``."""
    return _ensure_client(idp, pool_id, name, short_lived_client_settings(minutes), secret=False)


def delete_app_client(idp: Any, pool_id: str, name: str) -> bool:
    """Delete the pool's app client ``name``; False when it was not there (nor the pool)."""
    client = unless_missing(lambda: find_app_client(idp, pool_id, name), _NOT_FOUND)
    if client is None:
        return False
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    return True


@contextmanager
def throwaway_app_client(idp: Any, pool_id: str, name: str, **settings: Any) -> Iterator[dict]:
    """An app client made for one demonstration, deleted afterwards whatever happens."""
    delete_app_client(idp, pool_id, name)
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=name, **settings)[
        "UserPoolClient"
    ]
    try:
        yield client
    finally:
        idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])


def delete_domain(idp: Any, pool_id: str) -> bool:
    """Delete the pool's domain; False when the pool has none (or is gone)."""
    domain = unless_missing(lambda: find_domain(idp, pool_id), _NOT_FOUND)
    if not domain:
        return False
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    return True


# ------------------------------------------------------------------ a method that wants a scope


def ensure_scoped_method(
    apigw: Any,
    api_id: str,
    resource_id: str,
    http_method: str,
    authorizer_id: str,
    scopes: Sequence[str],
) -> dict:
    """A method behind the Cognito authorizer that wants an access token with one of
    ``scopes`` (``authorizationScopes``); created if missing, patched where it differs."""
    ids = dict(restApiId=api_id, resourceId=resource_id, httpMethod=http_method)
    method = unless_missing(lambda: apigw.get_method(**ids), "NotFoundException")
    if method is None:
        return apigw.put_method(
            **ids,
            authorizationType="COGNITO_USER_POOLS",
            authorizerId=authorizer_id,
            authorizationScopes=list(scopes),
        )
    ops: list[dict[str, str]] = []
    if method.get("authorizationType") != "COGNITO_USER_POOLS":
        ops.append({"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"})
    if method.get("authorizerId") != authorizer_id:
        ops.append({"op": "replace", "path": "/authorizerId", "value": authorizer_id})
    have = set(method.get("authorizationScopes") or [])
    ops += [
        {"op": "add", "path": "/authorizationScopes", "value": s} for s in scopes if s not in have
    ]
    ops += [
        {"op": "remove", "path": "/authorizationScopes", "value": s}
        for s in sorted(have - set(scopes))
    ]
    if not ops:
        return method
    return apigw.update_method(**ids, patchOperations=ops)


# ------------------------------------------------------------------ the token endpoint


@dataclass
class TokenAnswer:
    """One POST to the token endpoint and its answer, shown without the secret or the token."""

    form: dict[str, str]
    status: int
    reason: str
    body: Any

    def __repr__(self) -> str:
        sent = ", ".join(f"{k}={HIDDEN if 'secret' in k else v}" for k, v in self.form.items())
        shown = json.dumps(redact(self.body), ensure_ascii=False)
        return (
            f"POST /oauth2/token  [form: {sent}; Authorization: Basic {HIDDEN}]\n"
            f"→ {self.status} {self.reason}  {shown}"
        )

    @property
    def access_token(self) -> str:
        if self.status != 200:
            raise KitError(f"The token endpoint answered {self.status} {self.body}, not a token.")
        return self.body["access_token"]


def request_token(
    url: str,
    client_id: str,
    client_secret: str,
    scope: str | None = None,
    *,
    wait_s: float = 0.0,
) -> TokenAnswer:
    """``grant_type=client_credentials`` at ``url``, as a service asks for a token: a form POST
    with the client's id and secret in a Basic ``Authorization`` header.

    ``wait_s``: keep trying that long while the host does not answer (on AWS a new domain takes
    a minute or so to resolve)."""
    form = {"grant_type": "client_credentials"}
    if scope:
        form["scope"] = scope
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    deadline = time.monotonic() + wait_s
    while True:
        try:
            response = requests.post(
                url, data=form, headers={"Authorization": f"Basic {basic}"}, timeout=30
            )
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise KitError(f"The token endpoint {url} does not answer.") from None
            time.sleep(5)
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    return TokenAnswer(form, response.status_code, response.reason or "", body)


# ------------------------------------------------------------------ refresh, sign-out, refusals


def refresh_tokens(idp: Any, pool_id: str, client_id: str, refresh_token: str) -> dict:
    """``admin-initiate-auth`` with ``REFRESH_TOKEN_AUTH``: new ID and access tokens
    (``AuthenticationResult``)."""
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )["AuthenticationResult"]


def cognito_refusal(call: Callable[[], Any]) -> str:
    """What AWS answers to ``call``, which must be refused: ``Code: message``."""
    try:
        call()
    except ClientError as err:
        error = err.response.get("Error", {})
        return f"{error.get('Code', '')}: {error.get('Message', '')}"
    raise KitError("The call was expected to be refused, and it was not.")


# ------------------------------------------------------------------ waiting for expiry


def _clock_url(cloud: Cloud) -> str:
    return f"{cloud.endpoint_url}/_localcloud/clock"


def _post_clock(cloud: Cloud, doc: dict) -> dict:
    response = requests.post(_clock_url(cloud), json=doc, timeout=10)
    if response.status_code != 200:
        raise KitError(f"The local cloud's clock refused {doc}: {response.text}")
    return response.json()


@contextmanager
def wait_until_expired(cloud: Cloud, token: str, *, margin_s: int = 1) -> Iterator[str]:
    """Until ``token``'s ``exp`` has passed; yields one line saying how.

    On the local cloud its clock moves forward (``POST /_localcloud/clock``) and is reset when
    the ``with`` block ends, whatever happens, so later cells and notebooks see a normal clock;
    on AWS this waits for real, with a progress bar."""
    exp = token_claims(token)["exp"]
    if cloud.is_local:
        now = requests.get(_clock_url(cloud), timeout=10).json()["now"]
        seconds = max(0, math.ceil(exp - now)) + margin_s
        _post_clock(cloud, {"advance_seconds": seconds})
        try:
            yield "the local cloud's clock moved past the token's exp"
        finally:
            _post_clock(cloud, {"reset": True})
        return
    from tqdm.auto import tqdm

    seconds = max(0, math.ceil(exp - time.time())) + margin_s + 4  # a little clock skew
    for _ in tqdm(range(seconds), desc="waiting for the token to expire", unit="s"):
        time.sleep(1)
    yield "waited past the token's exp"


def minutes_after_issue(token: str, claim: str = "exp") -> str:
    """``exp`` (or another time claim) as "N min after issue", the same on every run."""
    claims = token_claims(token)
    return f"{(claims[claim] - claims['iat']) / 60:g} min after issue"
