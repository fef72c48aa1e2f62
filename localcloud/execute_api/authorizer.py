"""Stage 2, authorizer: the Cognito user pool authorizer (``COGNITO_USER_POOLS``).

It knows only the pools' ARNs and the header to read. A token passes when it is a JWT signed by
one of those pools' keys, issued by one of them, unexpired, of the right ``token_use`` (ID token
without method scopes; access token sharing a scope with them), and its ``aud`` matches the
``identityValidationExpression`` when there is one. The claims reach the integration as strings.
A token whose time claims (``exp``, ``iat``, ``auth_time``, ``nbf``) are not finite JSON numbers,
or an expression that is not a regular expression, is refused with 401, never a 500.

The AWS behaviour it reproduces: docs/aws-behavior.md#cognito-user-pool-authorizer.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jwt

from .. import arns, clock
from .errors import ExpiredToken, IntegrationConfigurationError, Unauthorized
from .model import Backends, Context

_ISSUER = "https://cognito-idp.{region}.amazonaws.com/{pool_id}"
#: the claims that hold a NumericDate (RFC 7519): a JSON number of seconds since the epoch
TIME_CLAIMS = ("exp", "iat", "auth_time", "nbf")
#: AWS's answer to CreateAuthorizer/UpdateAuthorizer with an expression that does not compile
INVALID_EXPRESSION = "Invalid identity validation expression specified"


def authorize(ctx: Context, backends: Backends, now: float | None = None) -> None:
    method = ctx.method
    assert method is not None
    kind = method.authorization_type.upper()
    if kind == "NONE":
        return
    if kind != "COGNITO_USER_POOLS":
        raise IntegrationConfigurationError(
            detail=f"authorization type {kind} is not run by the local cloud"
        )
    authorizer = ctx.deployment.authorizers.get(method.authorizer_id or "")
    if authorizer is None or authorizer.get("type") != "COGNITO_USER_POOLS":
        raise IntegrationConfigurationError(
            detail=f"method refers to authorizer {method.authorizer_id!r}, not in the deployment"
        )
    header = _identity_header(authorizer)
    token = ctx.request.header(header)
    claims = verify_token(token, authorizer, method.authorization_scopes, backends, now=now)
    ctx.authorizer = {"claims": claims_as_strings(claims)}


def _identity_header(authorizer: Mapping[str, Any]) -> str:
    source = authorizer.get("identitySource") or "method.request.header.Authorization"
    prefix = "method.request.header."
    return source[len(prefix) :] if source.startswith(prefix) else "Authorization"


def verify_token(
    token: str | None,
    authorizer: Mapping[str, Any],
    scopes: tuple[str, ...],
    backends: Backends,
    now: float | None = None,
) -> dict[str, Any]:
    """The verified claims of a token, or :class:`Unauthorized` / :class:`ExpiredToken`."""
    if not token or not token.strip():
        raise Unauthorized(detail="no token in the identity source header")
    token = token.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    try:
        header, unverified = _unverified(token)
    except jwt.PyJWTError as exc:
        raise Unauthorized(detail=f"not a JWT: {exc}") from None
    for name in TIME_CLAIMS:
        if name in unverified and not is_numeric_date(unverified[name]):
            raise Unauthorized(detail=f"{name} is not a NumericDate: {unverified[name]!r:.80}")

    issuer = unverified.get("iss")
    if not isinstance(issuer, str):
        raise Unauthorized(detail=f"iss is not a string: {issuer!r:.80}")
    pool_arns = {_issuer_of(arn): arn for arn in authorizer.get("providerARNs") or []}
    if issuer not in pool_arns:
        raise Unauthorized(detail=f"issuer {issuer!r} is not one of the authorizer's pools")
    jwks = backends.user_pool_jwks(pool_arns[issuer])
    if not jwks:
        raise Unauthorized(detail="the authorizer's user pool no longer exists")
    jwk = _jwk_for(jwks, header.get("kid"))
    if jwk is None:
        raise Unauthorized(detail=f"no key {header.get('kid')!r} in the pool's JWKS")
    try:
        claims = _decode_at(token, jwk, issuer, clock.now() if now is None else now)
    except jwt.ExpiredSignatureError:
        raise ExpiredToken(detail="token expired") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(detail=f"token rejected: {exc}") from None

    token_use = claims.get("token_use")
    if scopes:
        granted = set(str(claims.get("scope", "")).split())
        if token_use != "access" or not granted.intersection(scopes):
            raise Unauthorized(detail="method needs an access token with one of its scopes")
    elif token_use != "id":
        raise Unauthorized(detail=f"method without scopes needs an ID token, got {token_use!r}")

    expression = authorizer.get("identityValidationExpression")
    if expression:
        try:
            pattern = re.compile(expression)
        except (re.error, TypeError) as exc:
            raise Unauthorized(
                detail=f"identityValidationExpression {expression!r} is not a regular "
                f"expression ({exc}); every token is refused"
            ) from None
        if not pattern.fullmatch(str(claims.get("aud", ""))):
            raise Unauthorized(detail="aud does not match identityValidationExpression")
    return claims


def is_numeric_date(value: Any) -> bool:
    """A NumericDate as a token may hold it: a finite JSON number (not a boolean) that is a
    date (the claims become dates for the integration)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if not math.isfinite(value):
        return False
    try:
        datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return False
    return True


def expression_error(expression: Any) -> str | None:
    """AWS's message for an ``identityValidationExpression`` that is not a regular expression
    (None when it is one)."""
    if not isinstance(expression, str):
        return INVALID_EXPRESSION
    try:
        re.compile(expression)
    except re.error:
        return INVALID_EXPRESSION
    return None


def _decode_at(token: str, jwk: str, issuer: str, now: float) -> dict[str, Any]:
    """Verify signature and issuer with PyJWT (once per token, key and issuer: see
    :func:`_verified`), and expiry against ``now`` (injectable clock) on every call."""
    claims = _verified(token, jwk, issuer)
    if float(claims["exp"]) <= now:
        raise jwt.ExpiredSignatureError("Signature has expired")
    return dict(claims)  # the caller's copy: the cached one stays as verified


#: how many tokens' parse and signature results are kept (least recently used go first)
TOKEN_CACHE_SIZE = 1024


@functools.lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A token's header and claims, not yet verified (read-only: the results are cached).
    PyJWT's parse is pure Python over every character, and a client sends the same token
    again and again; an error is raised again each time (errors are not cached)."""
    header = jwt.get_unverified_header(token)
    return header, jwt.decode(token, options={"verify_signature": False})


@functools.lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _verified(token: str, jwk: str, issuer: str) -> dict[str, Any]:
    """The claims of a token whose signature ``jwk`` (a JWK as JSON) verifies and whose ``iss``
    is ``issuer`` (read-only: cached). Only what cannot change for the same token, key and
    issuer is cached; expiry (the movable clock), the pool's keys, the token's use, scopes and
    the authorizer's expression are checked by the caller on every request."""
    return jwt.decode(
        token,
        key=_public_key(jwk),
        algorithms=["RS256"],
        issuer=issuer,
        options={
            "verify_aud": False,
            "verify_exp": False,
            "verify_iat": False,
            "require": ["exp", "iss", "token_use"],
        },
    )


@functools.lru_cache(maxsize=64)
def _public_key(jwk: str) -> Any:
    return jwt.PyJWK.from_json(jwk).key


def _issuer_of(pool_arn: str) -> str:
    """The ``iss`` of a pool's tokens, from its ARN (``...:userpool/<pool id>``)."""
    pool = arns.parse(pool_arn)
    return _ISSUER.format(region=pool.region if pool else "", pool_id=arns.resource_name(pool_arn))


def _jwk_for(jwks: Mapping[str, Any], kid: str | None) -> str | None:
    """The pool's key ``kid``, as JSON (the cache key of :func:`_verified`), or None."""
    for jwk in jwks.get("keys", []):
        if jwk.get("kid") == kid:
            return json.dumps(jwk, sort_keys=True)
    return None


def claims_as_strings(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway hands them to the integration: every value a string."""
    out: dict[str, str] = {}
    for name, value in claims.items():
        if name in ("exp", "iat") and isinstance(value, (int, float)):
            out[name] = _aws_date(value)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            out[name] = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            out[name] = json.dumps(value, separators=(",", ":"))
        else:
            out[name] = str(value)
    return out


def _aws_date(epoch: float) -> str:
    """``Tue Jun 18 15:00:04 UTC 2024``: the Java-style date API Gateway uses for exp and iat."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
