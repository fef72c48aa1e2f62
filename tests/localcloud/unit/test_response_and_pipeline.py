"""Gateway error bytes (docs/aws-behavior.md#gateway-errors), finalize, and the order of the
chain."""

from __future__ import annotations

import re
import time

import pytest

from localcloud.execute_api import errors
from localcloud.execute_api.model import HttpResponse, InvokeResult
from localcloud.execute_api.pipeline import handle
from localcloud.execute_api.response import error_response, finalize

from .fakes import (
    APIGW_ID,
    FUNCTION_ARN,
    REQUEST_ID,
    FakeBackends,
    UserPool,
    cognito_authorizer,
    context,
    deployment,
    method,
    proxy_answer,
    request,
    validator,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
POOL = UserPool()
KEY = "pipeline-key-0123456789abcdefghij"

# -- error_response --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("err", "status", "body", "error_type"),
    [
        (
            errors.MissingAuthenticationToken(),
            403,
            b'{"message":"Missing Authentication Token"}',
            "MissingAuthenticationTokenException",
        ),
        (errors.Unauthorized(), 401, b'{"message":"Unauthorized"}', "UnauthorizedException"),
        (
            errors.ExpiredToken(),
            401,
            b'{"message":"The incoming token has expired"}',
            "UnauthorizedException",
        ),
        (errors.InvalidApiKey(), 403, b'{"message":"Forbidden"}', "ForbiddenException"),
        (
            errors.BadRequestParameters(["h1", "p1", "q1"]),
            400,
            b'{"message":"Missing required request parameters: [h1, p1, q1]"}',
            "BadRequestException",
        ),
        (
            errors.BadRequestBody(),
            400,
            b'{"message":"Invalid request body"}',
            "BadRequestException",
        ),
        (
            errors.IntegrationFailure(),
            502,
            b'{"message": "Internal server error"}',
            "InternalServerErrorException",
        ),
        (
            errors.IntegrationConfigurationError(),
            500,
            b'{"message": "Internal server error"}',
            "InternalServerErrorException",
        ),
        (
            errors.IntegrationTimeout(),
            504,
            b'{"message": "Endpoint request timed out"}',
            "InternalServerErrorException",
        ),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, errors.GatewayError) else None,
)
def test_error_response_bytes(err, status, body, error_type):
    response = error_response(err)
    assert response.status == status
    assert response.body == body
    assert response.header("Content-Type") == "application/json"
    assert response.header("x-amzn-ErrorType") == error_type


def test_unauthorized_body_is_26_bytes_and_internal_error_36():
    assert len(error_response(errors.Unauthorized()).body) == 26
    assert len(error_response(errors.IntegrationFailure()).body) == 36


def test_detail_never_reaches_the_client():
    err = errors.IntegrationFailure(detail="Lambda function error: secret stack trace")
    assert b"secret" not in error_response(err).body


def test_finalize_adds_request_id_and_apigw_id():
    ctx = context(request())
    response = finalize(ctx, HttpResponse(status=200, headers=[("X-A", "1")], body=b"ok"))
    assert response.headers == [
        ("X-A", "1"),
        ("x-amzn-RequestId", REQUEST_ID),
        ("x-amz-apigw-id", APIGW_ID),
    ]
    assert response.body == b"ok"


def test_finalize_on_an_error_response_keeps_the_error_type():
    ctx = context(request())
    response = finalize(ctx, error_response(errors.Unauthorized()))
    assert response.header("x-amzn-ErrorType") == "UnauthorizedException"
    assert response.header("x-amzn-RequestId") == REQUEST_ID
    assert response.header("x-amz-apigw-id") == APIGW_ID


# -- pipeline.handle -------------------------------------------------------------------------


def make_backends() -> FakeBackends:
    guarded = method(
        "POST",
        authorizationType="COGNITO_USER_POOLS",
        authorizerId="auth1",
        apiKeyRequired=True,
        requestValidatorId="val1",
        requestParameters={"method.request.querystring.q": True},
    )
    routes = {"/pets": {"POST": guarded}, "/open": {"GET": method("GET")}}
    dep = deployment(routes, authorizers=[cognito_authorizer()], validators=[validator()])
    return FakeBackends().serve(dep).add_pool(POOL).add_key(KEY).allow_apigateway()


def send(backends, *, token=None, key=None, query=None, path="/pets", verb="POST"):
    headers = {}
    if token is not None:
        headers["Authorization"] = token
    if key is not None:
        headers["x-api-key"] = key
    return handle(request(verb, path, headers=headers, query=query or {}), backends)


def assert_gateway_error(response, status, body, error_type):
    assert (response.status, response.body) == (status, body)
    assert response.header("x-amzn-ErrorType") == error_type
    assert UUID.match(response.header("x-amzn-RequestId") or "")
    assert response.header("x-amz-apigw-id")


def test_everything_valid_invokes_once_with_the_response_request_id():
    backends = make_backends()
    response = send(backends, token=POOL.id_token(), key=KEY, query={"q": "1"})
    assert response.status == 200
    assert response.body == b'{"ok":true}'
    assert len(backends.invocations) == 1
    event = backends.invocations[0].event
    assert event["requestContext"]["requestId"] == response.header("x-amzn-RequestId")
    assert UUID.match(response.header("x-amzn-RequestId"))
    assert event["requestContext"]["authorizer"]["claims"]["cognito:username"] == "alice"
    assert event["requestContext"]["identity"]["apiKeyId"] == "key1"
    assert abs(event["requestContext"]["requestTimeEpoch"] / 1000 - time.time()) < 60
    assert response.header("x-amzn-ErrorType") is None


def test_unmatched_route_is_403_before_anything_else():
    backends = make_backends()
    response = send(backends, path="/nowhere", verb="GET")
    assert_gateway_error(
        response,
        403,
        b'{"message":"Missing Authentication Token"}',
        "MissingAuthenticationTokenException",
    )
    assert backends.invocations == []


def test_authorizer_runs_before_api_key_and_validation():
    backends = make_backends()
    response = send(backends, token="not-a-jwt")  # no key, no q either
    assert_gateway_error(response, 401, b'{"message":"Unauthorized"}', "UnauthorizedException")
    assert backends.invocations == []


def test_expired_token_answers_its_own_message():
    backends = make_backends()
    response = send(backends, token=POOL.id_token(now=time.time() - 7200), key=KEY)
    assert_gateway_error(
        response, 401, b'{"message":"The incoming token has expired"}', "UnauthorizedException"
    )
    assert backends.invocations == []


def test_api_key_checked_after_the_authorizer_and_before_validation():
    backends = make_backends()
    response = send(backends, token=POOL.id_token())  # good token; no key; no q
    assert_gateway_error(response, 403, b'{"message":"Forbidden"}', "ForbiddenException")
    assert backends.invocations == []


def test_validation_after_api_key_and_before_integration():
    backends = make_backends()
    response = send(backends, token=POOL.id_token(), key=KEY)  # no q
    assert_gateway_error(
        response,
        400,
        b'{"message":"Missing required request parameters: [q]"}',
        "BadRequestException",
    )
    assert backends.invocations == []


def test_integration_permission_failure_is_500_without_invocation():
    backends = make_backends()
    backends.functions[FUNCTION_ARN] = None  # the function exists, with no resource policy
    response = send(backends, token=POOL.id_token(), key=KEY, query={"q": "1"})
    assert_gateway_error(
        response, 500, b'{"message": "Internal server error"}', "InternalServerErrorException"
    )
    assert backends.invocations == []


@pytest.mark.parametrize(
    ("answer", "status", "body"),
    [
        (
            InvokeResult(payload=b'{"errorMessage":"boom"}', function_error=True),
            502,
            b'{"message": "Internal server error"}',
        ),
        (InvokeResult(payload=b'{"nope": 1}'), 502, b'{"message": "Internal server error"}'),
        (
            InvokeResult(payload=b"", caller_timed_out=True),
            504,
            b'{"message": "Endpoint request timed out"}',
        ),
    ],
)
def test_integration_failures_after_every_check_passed(answer, status, body):
    backends = make_backends()
    backends.answer = answer
    response = send(backends, token=POOL.id_token(), key=KEY, query={"q": "1"})
    assert_gateway_error(response, status, body, "InternalServerErrorException")
    assert len(backends.invocations) == 1


def test_lambda_response_gets_the_gateway_headers():
    backends = make_backends()
    backends.answer = InvokeResult(payload=proxy_answer(418, "teapot", headers={"X-T": "1"}))
    response = handle(request("GET", "/open"), backends)
    assert (response.status, response.body) == (418, b"teapot")
    assert response.header("X-T") == "1"
    assert UUID.match(response.header("x-amzn-RequestId"))
    assert re.fullmatch(r"[A-Za-z0-9]{15}=", response.header("x-amz-apigw-id"))
    assert response.header("x-amzn-ErrorType") is None


def test_each_request_gets_its_own_request_id():
    backends = make_backends()
    first = handle(request("GET", "/open"), backends).header("x-amzn-RequestId")
    second = handle(request("GET", "/open"), backends).header("x-amzn-RequestId")
    assert first != second


def test_log_receives_the_refusal():
    lines: list[str] = []
    handle(request("POST", "/pets"), make_backends(), log=lines.append)
    assert len(lines) == 1
    assert "401" in lines[0] and "/pets" in lines[0]
