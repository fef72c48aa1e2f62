"""The local cloud's movable clock and the token lifetime arithmetic
(docs/aws-behavior.md#cognito-token-endpoint rule 8,
docs/aws-behavior.md#cognito-sign-in rules 9-10)."""

from __future__ import annotations

import math
import time

import pytest

from localcloud import clock
from localcloud.control.cognito import INVALID_VALIDITY, validity_problem
from localcloud.moto.cognito import validity_seconds


@pytest.fixture(autouse=True)
def _reset():
    clock.reset()
    yield
    clock.reset()


def test_clock_advances_and_resets():
    assert abs(clock.now() - time.time()) < 1
    assert clock.advance(3600) == 3600
    assert clock.now() - time.time() > 3599
    clock.reset()
    assert clock.offset() == 0


@pytest.mark.parametrize("bad", [-1, math.inf, math.nan, "5", True, None])
def test_clock_refuses_bad_steps(bad):
    with pytest.raises(ValueError):
        clock.advance(bad)
    assert clock.offset() == 0


@pytest.mark.parametrize(
    ("config", "token", "seconds"),
    [
        ({}, "id", 3600),
        ({}, "access", 3600),
        ({}, "refresh", 30 * 86400),
        ({"AccessTokenValidity": 2}, "access", 7200),
        ({"RefreshTokenValidity": 2}, "refresh", 2 * 86400),
        ({"IdTokenValidity": 5, "TokenValidityUnits": {"IdToken": "minutes"}}, "id", 300),
    ],
)
def test_validity_seconds(config, token, seconds):
    assert validity_seconds(config, token) == seconds


def test_validity_ranges():
    assert validity_problem({"AccessTokenValidity": 1, "TokenValidityUnits": {}}) is None
    assert validity_problem({"AccessTokenValidity": 25}) == INVALID_VALIDITY
    assert validity_problem({"RefreshTokenValidity": 3650}) is None
    assert validity_problem({"RefreshTokenValidity": 3651}) == INVALID_VALIDITY
