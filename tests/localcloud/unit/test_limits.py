"""Payload quotas, pure: API Gateway's 10 MB body (docs/aws-behavior.md#gateway-errors),
Lambda's 6 MB event and answer (docs/aws-behavior.md#lambda-proxy-integration), and the error
Lambda makes of an oversized answer (docs/aws-behavior.md#lambda)."""

from __future__ import annotations

import json

import pytest

from localcloud.execute_api import errors
from localcloud.execute_api.backends import DataPlaneBackends
from localcloud.execute_api.limits import PAYLOAD_LIMIT, check_payload_size
from localcloud.execute_api.model import InvokeResult
from localcloud.execute_api.pipeline import handle
from localcloud.execute_api.response import error_response
from localcloud.lambda_runtime.runtime import Invocation
from localcloud.lambda_runtime.spec import (
    INVOKE_REQUEST_LIMIT,
    INVOKE_RESPONSE_LIMIT,
    FunctionSpec,
    oversized_response,
)

from .fakes import FUNCTION_ARN, FakeBackends, deployment, method, request

TOO_LARGE = b"HTTP content length exceeded 10485760 bytes."
TOO_LONG = b'{"message": "Request Too Long"}'
INTERNAL = b'{"message": "Internal server error"}'


def test_the_quotas_are_awss_numbers():
    assert PAYLOAD_LIMIT == 10_485_760
    assert INVOKE_REQUEST_LIMIT == 6_291_456
    assert INVOKE_RESPONSE_LIMIT == 6_291_556


def served() -> FakeBackends:
    dep = deployment({"/up": {"POST": method("POST")}})
    return FakeBackends().serve(dep).allow_apigateway()


# -- API Gateway's 10 MB ---------------------------------------------------------------------


def test_a_body_at_the_limit_passes_the_front_door():
    check_payload_size(request("POST", "/up", body=b"x" * PAYLOAD_LIMIT))


def test_one_byte_over_is_refused():
    with pytest.raises(errors.RequestTooLarge) as info:
        check_payload_size(request("POST", "/up", body=b"x" * (PAYLOAD_LIMIT + 1)))
    assert info.value.status == 413


def test_the_front_doors_413_is_plain_text_without_ids_or_error_type():
    response = error_response(errors.RequestTooLarge(PAYLOAD_LIMIT))
    assert (response.status, response.body) == (413, TOO_LARGE)
    assert len(response.body) == 44
    assert response.headers == [("Content-Type", "text; charset=utf-8")]


def test_an_oversized_body_is_refused_before_routing_and_never_invoked():
    backends = served()
    logged: list[str] = []
    body = b"x" * (PAYLOAD_LIMIT + 1)
    for path in ("/up", "/nowhere"):  # even where routing would answer 403
        response = handle(request("POST", path, body=body), backends, log=logged.append)
        assert (response.status, response.body) == (413, TOO_LARGE)
        names = {k.lower() for k, _ in response.headers}
        assert names == {"content-type"}
    assert backends.invocations == []
    assert "413 REQUEST_TOO_LARGE" in logged[0]


# -- Lambda's 6 MB, through API Gateway ------------------------------------------------------


def test_an_event_over_lambdas_request_quota_is_413_request_too_long_and_not_invoked():
    backends = served()
    response = handle(request("POST", "/up", body=b"y" * INVOKE_REQUEST_LIMIT), backends)
    assert (response.status, response.body) == (413, TOO_LONG)
    assert response.header("x-amzn-ErrorType") == "BadRequestException"
    assert response.header("Content-Type") == "application/json"
    assert response.header("x-amzn-RequestId") and response.header("x-amz-apigw-id")
    assert backends.invocations == []


def test_an_event_just_under_the_quota_is_invoked():
    backends = served()
    event_overhead = len(
        json.dumps(
            {**_event_of(backends), "body": ""},
            separators=(",", ":"),
        ).encode()
    )
    body = b"y" * (INVOKE_REQUEST_LIMIT - event_overhead)
    response = handle(request("POST", "/up", body=body), backends)
    assert response.status == 200, response.body
    assert len(backends.invocations[-1].payload) == INVOKE_REQUEST_LIMIT


def _event_of(backends: FakeBackends) -> dict:
    handle(request("POST", "/up"), backends)
    return backends.invocations.pop().event


def test_the_event_quota_is_checked_before_the_invoke_permission():
    backends = served()
    backends.functions.clear()  # no function at all: would be a 500
    response = handle(request("POST", "/up", body=b"y" * INVOKE_REQUEST_LIMIT), backends)
    assert response.status == 413


# -- Lambda's answer quota -------------------------------------------------------------------


def test_an_answer_at_the_quota_fits():
    assert oversized_response(b"a" * INVOKE_RESPONSE_LIMIT) is None


def test_an_answer_over_the_quota_becomes_lambdas_function_error():
    payload = oversized_response(b"a" * (INVOKE_RESPONSE_LIMIT + 1))
    assert payload == (
        b'{"errorMessage":"Response payload size (6291557 bytes) exceeded maximum allowed '
        b'payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}'
    )


SPEC = FunctionSpec(
    name="hello",
    arn=FUNCTION_ARN,
    account="123456789012",
    region="us-east-1",
    runtime="python3.12",
    handler="handler.handler",
    role="arn:aws:iam::123456789012:role/r",
    timeout=3,
    memory_size=128,
    environment={},
    code_sha256="abc",
    last_modified="now",
)


class _Runtime:
    def __init__(self, payload: bytes, function_error: str | None = None) -> None:
        self.answer = Invocation("req-1", payload, function_error)

    def invoke(self, spec, payload, *, wait_seconds=None, client_context=None):
        return self.answer


class _Backends(DataPlaneBackends):
    def _function(self, function_arn):
        return SPEC


@pytest.mark.parametrize(
    ("size", "function_error"),
    [(INVOKE_RESPONSE_LIMIT, False), (INVOKE_RESPONSE_LIMIT + 1, True)],
)
def test_the_data_planes_backends_drop_an_oversized_answer(size, function_error):
    head, tail = b'{"statusCode":200,"body":"', b'"}'
    answer = head + b"p" * (size - len(head) - len(tail)) + tail
    assert len(answer) == size
    backends = _Backends(None, _Runtime(answer), generation=lambda: 0)  # type: ignore[arg-type]
    result = backends.invoke(FUNCTION_ARN, b"{}", 29)
    assert result.function_error is function_error
    if function_error:
        assert json.loads(result.payload)["errorType"] == "Function.ResponseSizeTooLarge"
    else:
        assert result.payload == answer


def test_an_oversized_answer_through_api_gateway_is_502():
    backends = served()
    backends.answer = InvokeResult(oversized_response(b"a" * 7_000_000) or b"", True)
    response = handle(request("POST", "/up"), backends)
    assert (response.status, response.body) == (502, INTERNAL)
