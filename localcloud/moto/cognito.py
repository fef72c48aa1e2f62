"""Cognito user pools in moto: app clients, password policies and the pools' signing keys."""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.models import cognitoidp_backends
from moto.utilities.utils import load_resource


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
