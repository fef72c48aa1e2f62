"""helpers.retry: backoff, giving up, and the predicates on errors AWS really answers."""

from __future__ import annotations

from types import SimpleNamespace

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


# -- budgets, scale, progress, waiters (docs/aws-behavior.md#aws-timing-mode) --------------------

import io  # noqa: E402
import json  # noqa: E402
import types  # noqa: E402

import boto3  # noqa: E402
from botocore.stub import Stubber  # noqa: E402

import helpers.retry as retry  # noqa: E402
from helpers.errors import KitError  # noqa: E402
from helpers.retry import GaveUp, answer_until, wait_for, wait_scale  # noqa: E402


def test_a_budget_ends_the_retries_with_one_line_naming_what_was_awaited():
    delays: list[float] = []
    apigw = boto3.client("apigateway", region_name="us-east-1")
    refusal = apigw.exceptions.TooManyRequestsException(
        {"Error": {"Code": "TooManyRequestsException", "Message": "Too Many Requests"}},
        "DeleteRestApi",
    )
    call = Flaky([refusal] * 20)
    with pytest.raises(GaveUp) as caught:
        with_retry(
            call,
            retry_if=throttled,
            budget_s=60,
            sleep=delays.append,
            waiting_for="API Gateway to accept DeleteRestApi simple-api",
            advice="wait a minute and run it again",
        )
    assert delays == [2, 4, 8, 16, 30]  # 60 s: the next 30 s would pass the budget
    assert str(caught.value) == (
        "Gave up waiting for API Gateway to accept DeleteRestApi simple-api after 60 s (6 tries, "
        "last answer TooManyRequestsException): wait a minute and run it again."
    )
    # still the error botocore raised, for code that catches it; and a KitError (one line)
    assert isinstance(caught.value, apigw.exceptions.TooManyRequestsException)
    assert isinstance(caught.value, KitError)
    assert error_code(caught.value) == "TooManyRequestsException"


def test_without_a_name_the_last_error_is_raised_unchanged_when_the_budget_ends():
    errors = [client_error("TooManyRequestsException", f"try {i}") for i in range(1, 9)]
    with pytest.raises(ClientError) as caught:
        with_retry(Flaky(errors), retry_if=throttled, budget_s=5, sleep=lambda s: None)
    assert not isinstance(caught.value, GaveUp)
    assert caught.value.response["Error"]["Message"] == "try 2"  # slept 2; 2 + 4 passes 5


def fake_client(endpoint: str | None) -> object:
    return types.SimpleNamespace(meta=types.SimpleNamespace(endpoint_url=endpoint))


def serve_health(monkeypatch, doc: dict | None) -> list[str]:
    asked: list[str] = []

    def urlopen(url, timeout):
        asked.append(url)
        if doc is None:
            raise OSError("connection refused")
        return io.BytesIO(json.dumps(doc).encode())

    monkeypatch.setattr(retry, "urlopen", urlopen)
    return asked


def test_aws_waits_at_full_scale_without_asking_anything(monkeypatch):
    asked = serve_health(monkeypatch, {})
    assert wait_scale(fake_client("https://lambda.us-east-1.amazonaws.com")) == 1.0
    assert wait_scale(fake_client(None)) == 1.0
    assert asked == []


def test_a_local_cloud_in_timing_mode_gives_its_scale(monkeypatch):
    asked = serve_health(monkeypatch, {"aws_timing": {"enabled": True, "scale": 0.1}})
    assert wait_scale(fake_client("http://127.0.0.1:4599")) == 0.1
    assert asked == ["http://127.0.0.1:4599/_localcloud/health"]


def test_a_plain_local_cloud_gives_up_fast(monkeypatch):
    serve_health(monkeypatch, {"aws_timing": {"enabled": False, "scale": 0.1}})
    assert wait_scale(fake_client("http://127.0.0.1:4599")) == retry.PLAIN_LOCAL_SCALE
    serve_health(monkeypatch, {"service": "localcloud"})  # an older local cloud
    assert wait_scale(fake_client("http://127.0.0.1:4599")) == retry.PLAIN_LOCAL_SCALE


def test_an_endpoint_that_does_not_answer_waits_as_aws(monkeypatch):
    serve_health(monkeypatch, None)
    assert wait_scale(fake_client("http://127.0.0.1:4599")) == 1.0


def test_delays_and_budget_are_scaled_and_long_waits_show_progress(monkeypatch):
    serve_health(monkeypatch, {"aws_timing": {"enabled": True, "scale": 0.1}})
    delays: list[float] = []
    shown: list[str] = []
    call = Flaky([client_error("InvalidParameterValueException", ROLE_NOT_READY)] * 4)
    with_retry(
        call,
        retry_if=role_not_ready,
        budget_s=60,
        client=fake_client("http://127.0.0.1:4599"),
        sleep=delays.append,
        waiting_for="Lambda to be able to assume role r",
        progress=shown.append,
    )
    assert delays == pytest.approx([0.2, 0.4, 0.8, 1.6])
    # quiet until the wait passes a second: 0.2 + 0.4 + 0.8 = 1.4 s
    assert shown == [
        "waiting for Lambda to be able to assume role r: InvalidParameterValueException, "
        "try 4 in 0.8 s",
        "waiting for Lambda to be able to assume role r: InvalidParameterValueException, "
        "try 5 in 1.6 s",
    ]


def test_a_wrong_trust_policy_ends_within_the_scaled_budget(monkeypatch):
    serve_health(monkeypatch, {"aws_timing": {"enabled": False}})
    delays: list[float] = []
    forever = Flaky([client_error("InvalidParameterValueException", ROLE_NOT_READY)] * 100)
    with pytest.raises(GaveUp, match=r"^Gave up waiting for Lambda to be able to assume role r"):
        with_retry(
            forever,
            retry_if=role_not_ready,
            budget_s=60,
            client=fake_client("http://127.0.0.1:4599"),
            sleep=delays.append,
            waiting_for="Lambda to be able to assume role r",
            progress=lambda line: None,
        )
    assert sum(delays) <= 60 * retry.PLAIN_LOCAL_SCALE + 1e-9
    assert forever.calls == 6


def lambda_stub(monkeypatch) -> tuple[object, Stubber, list[float]]:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    lam = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    stubber = Stubber(lam)
    stubber.activate()
    return lam, stubber, slept


def configuration(**fields) -> dict:
    return {"Configuration": {"FunctionName": "f", **fields}}


def test_wait_for_uses_botocores_waiter_and_its_polls(monkeypatch):
    lam, stubber, slept = lambda_stub(monkeypatch)
    for state in ("Pending", "Pending", "Active"):
        stubber.add_response("get_function", configuration(State=state), {"FunctionName": "f"})
    wait_for(lam, "function_active_v2", "f to be Active", FunctionName="f", progress=print)
    stubber.assert_no_pending_responses()
    assert slept == [1.0, 1.0]  # botocore's delay on AWS


def test_wait_for_a_failed_function_is_one_line(monkeypatch):
    lam, stubber, _ = lambda_stub(monkeypatch)
    stubber.add_response("get_function", configuration(State="Failed"), {"FunctionName": "f"})
    with pytest.raises(KitError) as caught:
        wait_for(lam, "function_active_v2", "f to be Active", FunctionName="f")
    assert str(caught.value).startswith("Gave up waiting for f to be Active after 0 s (")
    assert "\n" not in str(caught.value)


def test_wait_for_gives_up_when_its_budget_is_spent(monkeypatch):
    lam, stubber, slept = lambda_stub(monkeypatch)
    for _ in range(3):
        stubber.add_response("get_function", configuration(State="Pending"), {"FunctionName": "f"})
    with pytest.raises(KitError, match="Gave up waiting for f to be Active"):
        wait_for(lam, "function_active_v2", "f to be Active", budget_s=2, FunctionName="f")
    assert len(slept) == 2  # 3 polls, 1 s apart: the budget of 2 s


class Answers:
    """HTTP answers with these statuses, in turn (the last one repeats)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.sent = 0

    def __call__(self) -> SimpleNamespace:
        status = self.statuses[min(self.sent, len(self.statuses) - 1)]
        self.sent += 1
        return SimpleNamespace(status_code=status)


def test_answer_until_asks_again_until_the_expected_status(monkeypatch):
    monkeypatch.setattr("helpers.retry.time.sleep", lambda s: None)
    said: list[str] = []
    send = Answers(403, 403, 200)
    assert answer_until(send, 200, what="GET /hello", progress=said.append).status_code == 200
    assert send.sent == 3
    assert said[0].startswith("waiting for GET /hello to answer 200, not 403")


def test_answer_until_returns_the_first_answer_without_expect_or_when_it_fits():
    for expect in (None, 401):
        send = Answers(401, 200)
        assert answer_until(send, expect, progress=pytest.fail).status_code == 401
        assert send.sent == 1


def test_answer_until_gives_the_last_answer_when_time_is_up():
    send = Answers(403)
    assert answer_until(send, 200, wait_s=-1, progress=lambda _: None).status_code == 403
    assert send.sent == 1
