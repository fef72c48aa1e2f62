"""helpers.retry: backoff, giving up, and the predicates on errors AWS really answers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from helpers.retry import conflict_in_progress, error_code, role_not_ready, throttled, with_retry

ROLE_NOT_READY = "The role defined for the function cannot be assumed by Lambda."
UPDATE_IN_PROGRESS = (
    "The operation cannot be performed at this time. An update is in progress for resource: "
    "arn:aws:lambda:us-east-1:123456789012:function:simple-api-hello"
)


def client_error(code: str, message: str = "", operation: str = "CreateFunction") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class Flaky:
    """A call that raises ``errors`` in turn, then returns ``result``; counts its calls."""

    def __init__(self, errors: list[Exception], result: object = "done") -> None:
        self.errors = list(errors)
        self.result = result
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.result


def test_first_success_returns_without_sleeping():
    delays: list[float] = []
    call = Flaky([])
    assert with_retry(call, retry_if=throttled, sleep=delays.append) == "done"
    assert call.calls == 1
    assert delays == []


def test_retries_with_exponential_backoff_capped_at_max_delay():
    delays: list[float] = []
    call = Flaky([client_error("TooManyRequestsException")] * 6, result={"id": "d1"})
    answer = with_retry(
        call, retry_if=throttled, attempts=8, first_delay=2, max_delay=10, sleep=delays.append
    )
    assert answer == {"id": "d1"}
    assert call.calls == 7
    assert delays == [2, 4, 8, 10, 10, 10]


def test_default_backoff_is_2_4_8_16_30_30_30():
    delays: list[float] = []
    call = Flaky([client_error("TooManyRequestsException")] * 7)
    assert with_retry(call, retry_if=throttled, sleep=delays.append) == "done"
    assert call.calls == 8
    assert delays == [2, 4, 8, 16, 30, 30, 30]


def test_reraises_the_last_error_when_attempts_run_out():
    delays: list[float] = []
    errors = [client_error("TooManyRequestsException", f"try {i}") for i in range(1, 4)]
    call = Flaky(errors + [client_error("TooManyRequestsException", "never reached")])
    with pytest.raises(ClientError) as caught:
        with_retry(call, retry_if=throttled, attempts=3, first_delay=1, sleep=delays.append)
    assert caught.value.response["Error"]["Message"] == "try 3"
    assert call.calls == 3
    assert delays == [1, 2]  # no sleep after the last attempt


def test_does_not_retry_an_error_retry_if_rejects():
    delays: list[float] = []
    denied = client_error("AccessDeniedException", "not allowed")
    call = Flaky([denied])
    with pytest.raises(ClientError) as caught:
        with_retry(call, retry_if=throttled, sleep=delays.append)
    assert caught.value is denied
    assert call.calls == 1
    assert delays == []


def test_stops_at_the_first_error_retry_if_rejects_after_retrying():
    delays: list[float] = []
    call = Flaky([client_error("TooManyRequestsException"), client_error("BadRequestException")])
    with pytest.raises(ClientError) as caught:
        with_retry(call, retry_if=throttled, first_delay=3, sleep=delays.append)
    assert error_code(caught.value) == "BadRequestException"
    assert call.calls == 2
    assert delays == [3]


def test_other_exceptions_pass_straight_through():
    delays: list[float] = []
    call = Flaky([ValueError("bug")])
    with pytest.raises(ValueError):
        with_retry(call, retry_if=lambda err: True, sleep=delays.append)
    assert call.calls == 1 and delays == []


def test_error_code_of_a_response_without_error_is_empty():
    assert error_code(ClientError({}, "GetFunction")) == ""
    assert error_code(client_error("NotFoundException")) == "NotFoundException"


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("InvalidParameterValueException", ROLE_NOT_READY, True),
        ("InvalidParameterValueException", "Unzipped size must be smaller than 262144000", False),
        ("AccessDeniedException", ROLE_NOT_READY, False),
        ("TooManyRequestsException", "Rate exceeded", False),
    ],
)
def test_role_not_ready(code, message, expected):
    assert role_not_ready(client_error(code, message)) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("TooManyRequestsException", True),
        ("ThrottlingException", True),
        ("Throttling", True),
        ("ConflictException", False),
        ("LimitExceededException", False),
        ("", False),
    ],
)
def test_throttled(code, expected):
    assert throttled(client_error(code, "Too Many Requests", "CreateDeployment")) is expected


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("ResourceConflictException", UPDATE_IN_PROGRESS, True),
        ("ResourceConflictException", "Function already exist: simple-api-hello", False),
        ("TooManyRequestsException", UPDATE_IN_PROGRESS, False),
    ],
)
def test_conflict_in_progress(code, message, expected):
    err = client_error(code, message, "UpdateFunctionCode")
    assert conflict_in_progress(err) is expected
