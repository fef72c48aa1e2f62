"""Cognito user pools in moto: app clients, password policies, the pools' signing keys, and the
tokens moto issues (their lifetimes, their clock, their revocation).

Moto issues tokens with ``time.time()`` and a fixed lifetime of an hour, and forgets an access
token when its user signs out. :func:`install` mends that once, at start-up, by wrapping three
methods of moto's ``CognitoIdpUserPool`` (see its docstring); nothing else here changes moto.
"""

from __future__ import annotations

import functools
import threading
import time
import types
from collections.abc import Callable
from typing import Any

import jwt
from moto.cognitoidp import models as _models
from moto.cognitoidp.models import CognitoIdpUserPool, cognitoidp_backends
from moto.utilities.utils import load_resource

#: seconds in each of TokenValidityUnits' units
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
#: token -> (validity parameter, TokenValidityUnits key, default value, default unit)
VALIDITY = {
    "id": ("IdTokenValidity", "IdToken", 60, "minutes"),
    "access": ("AccessTokenValidity", "AccessToken", 60, "minutes"),
    "refresh": ("RefreshTokenValidity", "RefreshToken", 30, "days"),
}
#: the unit a validity is in when TokenValidityUnits does not name one
DEFAULT_UNITS = {"id": "hours", "access": "hours", "refresh": "days"}

_lock = threading.Lock()
#: refresh token -> (issued at, lifetime in seconds), by the local cloud's clock
_refresh_issued: dict[str, tuple[float, int]] = {}
#: access tokens revoked by a sign-out or RevokeToken (moto forgets them; AWS says so)
_revoked_access: set[str] = set()
_now: Callable[[], float] | None = None


def _pools(account: str, region: str) -> dict[str, Any]:
    return cognitoidp_backends[account][region].user_pools


def user_pool_client(
    account: str, region: str, pool_id: str, client_id: str
) -> dict[str, Any] | None:
    """DescribeUserPoolClient's shape for one app client, or None."""
    pool = _pools(account, region).get(pool_id)
    client = pool.clients.get(client_id) if pool else None
    return client.to_json(extended=True) if client else None


def find_user_pool_client(
    account: str, region: str, client_id: str
) -> tuple[str, dict[str, Any]] | None:
    """(pool id, client) for an app client id, searched across the region's pools."""
    for pool_id, pool in _pools(account, region).items():
        if client_id in pool.clients:
            return pool_id, pool.clients[client_id].to_json(extended=True)
    return None


def user_pool_password_policy(account: str, region: str, pool_id: str) -> dict[str, Any] | None:
    """The pool's ``PasswordPolicy`` as DescribeUserPool shows it, or None (no such pool)."""
    pool = _pools(account, region).get(pool_id)
    if pool is None:
        return None
    return dict((pool.to_json(extended=True).get("Policies") or {}).get("PasswordPolicy") or {})


def user_pool_jwks(account: str, region: str, pool_id: str) -> dict[str, Any] | None:
    """The public JWKS a pool signs its tokens with, or None when the pool does not exist."""
    if pool_id not in _pools(account, region):
        return None
    return load_resource("cognitoidp/resources/jwks-public.json")


def user_pool_signing_jwk() -> dict[str, Any]:
    """The private JWK the local Cognito signs with (for tests that forge expired tokens)."""
    return load_resource("cognitoidp/resources/jwks-private.json")


def validity_seconds(config: dict[str, Any], token: str) -> int:
    """How long an app client's ``token`` ("id", "access", "refresh") lives, in seconds, from
    ``*TokenValidity`` and ``TokenValidityUnits`` as DescribeUserPoolClient shows them."""
    name, unit_key, default, default_unit = VALIDITY[token]
    value = config.get(name)
    if value is None:
        return int(default * UNIT_SECONDS[default_unit])
    unit = (config.get("TokenValidityUnits") or {}).get(unit_key) or DEFAULT_UNITS[token]
    return int(value) * UNIT_SECONDS.get(unit, 1)


#: AWS's shapes: a pool ID is ``{region}_`` and 9 letters and digits, an app client ID 26 lower-case
#: letters and digits (moto: 32 hex digits, and 26); docs/aws-behavior.md#aws-shaped-ids
POOL_ID_LENGTH = 9
CLIENT_ID_LENGTH = 26
_POOL_IDS, _CLIENT_IDS = "localcloud-pool-id", "localcloud-client-id"


def install_ids(make_id: Callable[[int, bool], str]) -> None:
    """Make moto's pool and app client IDs AWS-shaped: ``make_id(length, mixed_case)``. moto
    asks a strategy function which kind of ID to make and passes it to ``generate_id``; both are
    replaced here, in ``moto.cognitoidp.models`` (moto 5.x). Idempotent."""

    def generate_id(strategy: str | None, *args: Any) -> str:
        if strategy == _POOL_IDS:
            return make_id(POOL_ID_LENGTH, True)
        return make_id(CLIENT_ID_LENGTH, False)

    _models.get_cognito_idp_user_pool_id_strategy = lambda: _POOL_IDS  # type: ignore[attr-defined]
    _models.get_cognito_idp_user_pool_client_id_strategy = (  # type: ignore[attr-defined]
        lambda: _CLIENT_IDS
    )
    _models.generate_id = generate_id  # type: ignore[attr-defined]


def install(now: Callable[[], float]) -> None:
    """Make moto issue Cognito tokens by the local cloud's clock ``now`` and with the app
    client's token lifetimes, and remember what sign-out revokes. Idempotent.

    - ``moto.cognitoidp.models.time`` is replaced by an object whose ``time()`` is ``now``: the
      module reads the time only in ``CognitoIdpUserPool.create_jwt`` (moto 5.x).
    - ``create_jwt`` gets the client's lifetime for ``id`` and ``access`` tokens (moto: 1 hour).
    - ``create_refresh_token`` records when each refresh token was issued, and its lifetime.
    - ``sign_out`` records the access tokens it drops, so that they read as revoked.
    """
    global _now
    _now = now
    _models.time = types.SimpleNamespace(time=now)  # type: ignore[attr-defined]
    if getattr(CognitoIdpUserPool, "_localcloud_installed", False):
        return
    create_jwt = CognitoIdpUserPool.create_jwt
    create_refresh_token = CognitoIdpUserPool.create_refresh_token
    sign_out = CognitoIdpUserPool.sign_out

    @functools.wraps(create_jwt)
    def _create_jwt(self, client_id, username, token_use, expires_in=None, extra_data=None):
        if expires_in is None:
            client = self.clients.get(client_id)
            config = client.extended_config if client else {}
            expires_in = validity_seconds(config, token_use if token_use in VALIDITY else "id")
        return create_jwt(self, client_id, username, token_use, expires_in, extra_data)

    @functools.wraps(create_refresh_token)
    def _create_refresh_token(self, client_id, username):
        token, origin = create_refresh_token(self, client_id, username)
        client = self.clients.get(client_id)
        lifetime = validity_seconds(client.extended_config if client else {}, "refresh")
        with _lock:
            _refresh_issued[token] = (now(), lifetime)
        return token, origin

    @functools.wraps(sign_out)
    def _sign_out(self, username):
        dropped = [t for t, (_, user) in self.access_tokens.items() if user == username]
        with _lock:
            _revoked_access.update(dropped)
        return sign_out(self, username)

    CognitoIdpUserPool.create_jwt = _create_jwt  # type: ignore[method-assign]
    CognitoIdpUserPool.create_refresh_token = _create_refresh_token  # type: ignore[method-assign]
    CognitoIdpUserPool.sign_out = _sign_out  # type: ignore[method-assign]
    CognitoIdpUserPool._localcloud_installed = True  # type: ignore[attr-defined]


def refresh_token_state(
    account: str, region: str, pool_id: str | None, client_id: str, token: str
) -> str:
    """What a refresh token is for an app client: "valid", "revoked", "expired" or "invalid"
    (unknown, or issued to another client). ``pool_id`` None: search the region's pools."""
    pools = _pools(account, region)
    candidates = [pools[pool_id]] if pool_id in pools else [] if pool_id else list(pools.values())
    for pool in candidates:
        if token not in pool.refresh_tokens:
            continue
        entry = pool.refresh_tokens[token]
        if entry is None:
            return "revoked"
        if entry[0] != client_id:
            return "invalid"
        with _lock:
            issued = _refresh_issued.get(token)
        if issued and (_now or time.time)() >= issued[0] + issued[1]:
            return "expired"
        return "valid"
    return "invalid"


def access_token_revoked(token: str) -> bool:
    """Whether an access token was revoked by a sign-out or RevokeToken."""
    with _lock:
        return token in _revoked_access


def revoke_refresh_token(account: str, region: str, client_id: str, token: str) -> bool:
    """RevokeToken: the refresh token and the access tokens issued from it stop working.
    False when no pool of the region issued ``token`` to ``client_id``."""
    for pool in _pools(account, region).values():
        entry = pool.refresh_tokens.get(token)
        if token not in pool.refresh_tokens:
            continue
        if entry is None:
            return True
        if entry[0] != client_id:
            return False
        origin = entry[2]
        pool.refresh_tokens[token] = None
        for access, _ in list(pool.access_tokens.items()):
            claims = jwt.decode(access, options={"verify_signature": False})
            if claims.get("origin_jti") == origin:
                pool.access_tokens.pop(access)
                with _lock:
                    _revoked_access.add(access)
        return True
    return False


#: the scopes every pool has, besides its resource servers' custom scopes
STANDARD_SCOPES = frozenset(
    {"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}
)


def user_pool_scopes(account: str, region: str, pool_id: str) -> set[str] | None:
    """Every scope a pool knows: the standard ones and ``<resource server>/<scope>`` for each
    custom scope (CreateResourceServer); None when the pool does not exist."""
    pool = _pools(account, region).get(pool_id)
    if pool is None:
        return None
    found = set(STANDARD_SCOPES)
    for identifier, server in pool.resource_servers.items():
        found.update(f"{identifier}/{s['ScopeName']}" for s in server.scopes or [])
    return found


def pool_of_domain(account: str, domain: str) -> tuple[str, str] | None:
    """(region, pool id) of a user pool domain (CreateUserPoolDomain), searched in every region
    moto has a Cognito backend for; None when no pool has that domain."""
    for region, backend in list(cognitoidp_backends[account].items()):
        found = backend.user_pool_domains.get(domain)
        if found is not None:
            return region, found.user_pool_id
    return None


def issue_client_token(
    account: str, region: str, pool_id: str, client_id: str, scopes: list[str]
) -> tuple[str, int]:
    """A client-credentials access token, signed with the pool's key: ``sub`` and ``client_id``
    are the app client, no user claims; its lifetime is the client's AccessTokenValidity."""
    pool = _pools(account, region)[pool_id]
    client = pool.clients[client_id]
    now = int((_now or time.time)())
    lifetime = validity_seconds(client.extended_config, "access")
    payload = {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": now,
        "iss": f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        "exp": now + lifetime,
        "iat": now,
        "version": 2,
        "jti": str(_models.random.uuid4()),
        "client_id": client_id,
    }
    header = {"kid": "dummy", "alg": "RS256"}  # the kid moto's jwks-public.json publishes
    return _models.jwt.encode(header, payload, pool.json_web_key), lifetime


def tokens_from_refresh_token(
    account: str, region: str, pool_id: str, refresh_token: str
) -> tuple[str, str, int]:
    """(access token, ID token, expires in) for a valid refresh token (see
    :func:`refresh_token_state`)."""
    return _pools(account, region)[pool_id].create_tokens_from_refresh_token(refresh_token)
