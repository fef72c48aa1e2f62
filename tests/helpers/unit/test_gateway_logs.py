"""helpers.gateway_logs and helpers.cors without a cloud: waiting for log lines (progress, a cap,
one sentence), what a printed log line hides, and the preflight's header mapping."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from helpers.cors import ALLOW_HEADERS, preflight_headers
from helpers.errors import KitError
from helpers.gateway_logs import (
    ACCESS_LOG_FORMAT,
    execution_log_group,
    lines_holding,
    set_execution_logging,
    shown_lines,
    wait_for_lines,
)

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def exchange(request_id: str = "req-1", extended: str = "ext-1") -> SimpleNamespace:
    headers = {"x-amzn-RequestId": request_id, "x-amz-apigw-id": extended}
    return SimpleNamespace(response=SimpleNamespace(headers=headers))


def test_wait_for_lines_returns_as_soon_as_they_are_complete():
    clock, said = FakeClock(), []
    reads = iter([[], ["Starting"], ["Starting", "Method completed with status: 200"]])
    lines = wait_for_lines(
        lambda: next(reads),
        lambda got: bool(got) and got[-1].startswith("Method completed"),
        what="request req-1",
        sleep=clock.sleep,
        clock=clock,
        progress=said.append,
    )
    assert lines[-1] == "Method completed with status: 200"
    assert said == [
        "waiting for the log lines of request req-1: 0 s",
        "waiting for the log lines of request req-1: 5 s",
    ]


def test_wait_for_lines_stops_at_its_cap_with_one_sentence():
    clock, said = FakeClock(), []
    with pytest.raises(KitError) as err:
        wait_for_lines(
            list,
            bool,
            what="request req-2",
            timeout_s=20,
            sleep=clock.sleep,
            clock=clock,
            progress=said.append,
        )
    assert str(err.value) == (
        "No complete log lines for request req-2 after 20 s; CloudWatch Logs can be slow, so run "
        "this cell again in a minute."
    )
    assert len(said) == 4  # 0, 5, 10, 15 s


def test_shown_lines_hide_ids_secrets_tokens_and_the_masked_authorization():
    lines = [
        "Extended Request Id: ext-1",
        "Starting execution for request: req-1",
        "Method request headers: {Authorization=****************************abc123, Accept=*/*}",
        'Method request body before transformations: {"username": "misi", "password": "Pw-1!x"}',
        f'Method response body after transformations: {{"IdToken": "{TOKEN}", '
        '"RefreshToken": "9efca647-b48d-4595", "ExpiresIn": 3600}',
    ]
    shown = shown_lines(lines, exchange(), secrets=["Pw-1!x"])
    assert "req-1" not in shown and "ext-1" not in shown
    assert "Pw-1!x" not in shown and TOKEN not in shown and "9efca647" not in shown
    assert "abc123" not in shown and "Authorization=‹masked›" in shown
    assert shown.splitlines()[:2] == [
        "Extended Request Id: ‹extended id›",
        "Starting execution for request: ‹request id›",
    ]
    assert '"ExpiresIn": 3600' in shown  # only secrets go
    kept = shown_lines(lines, exchange(), keep=("Method request body",))
    assert kept == (
        'Method request body before transformations: {"username": "misi", "password": "‹hidden›"}'
    )


def test_lines_holding_finds_the_secret_and_nothing_for_an_empty_one():
    lines = ["a Pw-1!x b", "nothing", "Pw-1!x"]
    assert lines_holding(lines, "Pw-1!x") == ["a Pw-1!x b", "Pw-1!x"]
    assert lines_holding(lines, "") == []


def test_the_execution_log_group_and_the_access_log_format():
    assert execution_log_group("abc123", "dev") == "API-Gateway-Execution-Logs_abc123/dev"
    fields = json.loads(ACCESS_LOG_FORMAT)
    assert fields["requestId"] == "$context.requestId"  # AWS requires a request id in it
    assert fields["status"] == "$context.status"


def test_a_log_level_that_is_not_one_is_refused_before_any_call():
    with pytest.raises(KitError, match="level must be OFF, ERROR or INFO, not 'DEBUG'"):
        set_execution_logging(object(), "abc123", "dev", "DEBUG")


def test_the_preflight_maps_three_quoted_literals():
    assert preflight_headers("*", "GET,OPTIONS") == {
        "method.response.header.Access-Control-Allow-Origin": "'*'",
        "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
        "method.response.header.Access-Control-Allow-Headers": "'Authorization,Content-Type'",
    }
    assert ALLOW_HEADERS.split(",") == ["Authorization", "Content-Type"]
