"""The Cognito authorizer's cache of verified tokens: a token's signature is checked once, and
everything that can change between two requests with the same token is still checked on each:
expiry against the (movable) clock, the pool's keys, the pool itself
(docs/aws-behavior.md#cognito-user-pool-authorizer)."""

from __future__ import annotations

import pytest

from localcloud.execute_api import authorizer
from localcloud.execute_api.authorizer import verify_token
from localcloud.execute_api.errors import ExpiredToken, Unauthorized

from .fakes import cognito_authorizer
from .test_authorizer import NOW, OTHER_POOL, POOL, make_backends


@pytest.fixture(autouse=True)
def _empty_caches():
    authorizer._unverified.cache_clear()
    authorizer._verified.cache_clear()


def verify(backends, token: str, now: float = NOW) -> dict:
    return verify_token(token, cognito_authorizer(), (), backends, now=now)


def test_a_token_is_verified_once(monkeypatch):
    backends = make_backends()
    token = POOL.id_token(now=NOW)
    checks = []
    decode = authorizer.jwt.decode

    def counting(*args, **kwargs):
        if kwargs.get("key") is not None:
            checks.append(1)
        return decode(*args, **kwargs)

    monkeypatch.setattr(authorizer.jwt, "decode", counting)
    for _ in range(3):
        assert verify(backends, token)["token_use"] == "id"
    assert len(checks) == 1


def test_a_cached_token_still_expires_with_the_clock():
    backends = make_backends()
    token = POOL.id_token(now=NOW)
    verify(backends, token)
    with pytest.raises(ExpiredToken):
        verify(backends, token, now=NOW + 3600)


def test_a_cached_token_is_refused_once_the_pool_has_another_key():
    backends = make_backends()
    token = POOL.id_token(now=NOW)
    verify(backends, token)
    rotated = OTHER_POOL.jwks
    rotated["keys"][0]["kid"] = POOL.kid  # same kid, another key
    backends.jwks[POOL.arn] = rotated
    with pytest.raises(Unauthorized):
        verify(backends, token)


def test_a_cached_token_is_refused_once_its_pool_is_deleted():
    backends = make_backends()
    token = POOL.id_token(now=NOW)
    verify(backends, token)
    del backends.jwks[POOL.arn]
    with pytest.raises(Unauthorized):
        verify(backends, token)


def test_a_caller_changing_its_claims_does_not_change_the_cache():
    backends = make_backends()
    token = POOL.id_token(now=NOW)
    verify(backends, token)["token_use"] = "access"
    assert verify(backends, token)["token_use"] == "id"
