"""Stage 5, integration: Lambda proxy (docs/aws-behavior.md#lambda-proxy-integration) and MOCK."""

from __future__ import annotations

import json

import pytest

from localcloud.execute_api.errors import (
    IntegrationConfigurationError,
    IntegrationFailure,
    IntegrationTimeout,
)
from localcloud.execute_api.integration import integrate
from localcloud.execute_api.model import Deployment, InvokeResult
from localcloud.execute_api.permission import source_arn

from .fakes import (
    ACCOUNT,
    API_ID,
    DEPLOYMENT_ID,
    FUNCTION_ARN,
    REGION,
    REQUEST_ID,
    REQUEST_TIME_MS,
    STAGE,
    FakeBackends,
    deployment,
    invoke_permission,
    lambda_integration,
    lambda_uri,
    method,
    mock_integration,
    policy,
    proxy_answer,
    routed,
    snapshot,
)

EXECUTE_API = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}"


def make_backends(integration: dict | None = None, *, variables=None) -> FakeBackends:
    integ = integration if integration is not None else lambda_integration()
    routes = {
        "/pets": {"GET": method("GET", integration=integ), "ANY": method("ANY", integration=integ)},
        "/pets/{petId}": {"GET": method("GET", integration=integ)},
    }
    return FakeBackends().serve(deployment(routes), variables=variables)


def call(backends: FakeBackends, verb="GET", path="/pets", **kwargs):
    ctx = routed(backends, verb, path, **kwargs)
    return ctx, integrate(ctx, backends)


def assert_500_without_invoking(backends: FakeBackends, verb="GET", path="/pets"):
    with pytest.raises(IntegrationConfigurationError) as info:
        call(backends, verb, path)
    assert info.value.status == 500
    assert info.value.message == "Internal server error"
    assert info.value.error_type == "InternalServerErrorException"
    assert backends.invocations == []


# -- configuration and permission ------------------------------------------------------------


@pytest.mark.parametrize("http_method", ["GET", "PUT", "ANY", None])
def test_integration_method_must_be_post(http_method):
    integ = lambda_integration()
    integ["httpMethod"] = http_method
    backends = make_backends(integ).allow_apigateway()
    assert_500_without_invoking(backends)


def test_integration_method_post_is_case_insensitive():
    backends = make_backends(lambda_integration(http_method="post")).allow_apigateway()
    _, response = call(backends)
    assert response.status == 200 and len(backends.invocations) == 1


def test_missing_function_is_500():
    assert_500_without_invoking(make_backends())  # no function at all


def test_uri_that_is_not_a_lambda_invocation_is_500():
    integ = lambda_integration()
    integ["uri"] = "arn:aws:apigateway:us-east-1:s3:path/bucket/key"
    assert_500_without_invoking(make_backends(integ).allow_apigateway())


def test_method_without_integration_is_500():
    snap = snapshot({"/pets": {"GET": method("GET")}})
    for resource in snap["resources"]:
        for doc in resource["resourceMethods"].values():
            del doc["methodIntegration"]
    dep = Deployment.from_snapshot(API_ID, DEPLOYMENT_ID, snap)
    assert_500_without_invoking(FakeBackends().serve(dep).allow_apigateway())


def test_function_without_a_policy_is_500():
    backends = make_backends()
    backends.functions[FUNCTION_ARN] = None
    assert_500_without_invoking(backends)


@pytest.mark.parametrize(
    "statement",
    [
        invoke_permission(f"{EXECUTE_API}/*/*/*", principal="lambda.amazonaws.com"),
        invoke_permission(f"{EXECUTE_API}/*/*/*", principal="s3.amazonaws.com"),
        invoke_permission(f"{EXECUTE_API}/*/*/*", action="lambda:GetFunction"),
        invoke_permission(
            f"{EXECUTE_API}/*/*/*",
            function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other",
        ),
        invoke_permission(f"{EXECUTE_API}/*/*/*", effect="Deny"),
    ],
    ids=["lambda-principal", "s3-principal", "other-action", "other-function", "deny"],
)
def test_policy_not_granting_apigateway_invoke_is_500(statement):
    backends = make_backends()
    backends.functions[FUNCTION_ARN] = policy(statement)
    assert_500_without_invoking(backends)


@pytest.mark.parametrize(
    "source",
    [
        f"arn:aws:execute-api:{REGION}:{ACCOUNT}:otherapi99/*/*/*",  # another API
        f"{EXECUTE_API}/prod/*/*",  # another stage
        f"{EXECUTE_API}/*/POST/pets",  # another method
        f"{EXECUTE_API}/*/GET/cats",  # another resource
        f"{EXECUTE_API}/*/GET/pets/*",  # a sub-path pattern does not cover /pets
        f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:{API_ID}/*/*/*",  # another region
        f"arn:aws:execute-api:{REGION}:999999999999:{API_ID}/*/*/*",  # another account
        f"{EXECUTE_API}/*/get/pets",  # ARNs compare case-sensitively
    ],
)
def test_source_arn_that_does_not_match_is_500_and_no_invocation(source):
    backends = make_backends().allow_apigateway(source_arn=source)
    assert_500_without_invoking(backends)


@pytest.mark.parametrize(
    "source",
    [
        f"{EXECUTE_API}/{STAGE}/GET/pets",
        f"{EXECUTE_API}/*/GET/pets",
        f"{EXECUTE_API}/*/*/pets",
        f"{EXECUTE_API}/*/*/*",
        f"{EXECUTE_API}/*",
        f"{EXECUTE_API}/d?v/G?T/pets",
        f"arn:aws:execute-api:*:{ACCOUNT}:{API_ID}/*",
    ],
)
def test_source_arn_with_wildcards_that_matches_invokes(source):
    backends = make_backends().allow_apigateway(source_arn=source)
    _, response = call(backends)
    assert response.status == 200
    assert [i.function_arn for i in backends.invocations] == [FUNCTION_ARN]


def test_permission_without_source_arn_invokes():
    backends = make_backends()
    backends.functions[FUNCTION_ARN] = policy(invoke_permission(None))
    call(backends)
    assert len(backends.invocations) == 1


@pytest.mark.parametrize(("account", "invoked"), [(ACCOUNT, True), ("999999999999", False)])
def test_source_account_condition(account, invoked):
    statement = invoke_permission(
        f"{EXECUTE_API}/*", extra_condition={"StringEquals": {"AWS:SourceAccount": account}}
    )
    backends = make_backends()
    backends.functions[FUNCTION_ARN] = policy(statement)
    if invoked:
        call(backends)
        assert len(backends.invocations) == 1
    else:
        assert_500_without_invoking(backends)


def test_explicit_deny_beats_allow():
    backends = make_backends()
    backends.functions[FUNCTION_ARN] = policy(
        invoke_permission(f"{EXECUTE_API}/*"),
        invoke_permission(f"{EXECUTE_API}/*/GET/*", effect="Deny"),
    )
    assert_500_without_invoking(backends)


def test_source_arn_is_built_from_stage_method_and_resource_path():
    backends = make_backends()
    ctx = routed(backends, "GET", "/pets")
    assert source_arn(ctx) == f"{EXECUTE_API}/{STAGE}/GET/pets"


def test_any_method_source_arn_uses_the_request_verb():
    backends = make_backends()
    ctx = routed(backends, "delete", "/pets")
    assert ctx.method.http_method == "ANY"
    assert source_arn(ctx) == f"{EXECUTE_API}/{STAGE}/DELETE/pets"


def test_stage_variable_in_the_uri_picks_the_function():
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:pets-dev"
    integ = lambda_integration()
    integ["uri"] = lambda_uri(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:${{stageVariables.fn}}")
    backends = make_backends(integ, variables={"fn": "pets-dev"}).allow_apigateway(fn)
    call(backends)
    assert [i.function_arn for i in backends.invocations] == [fn]


# -- the function's answer -------------------------------------------------------------------


def test_function_error_is_502():
    backends = make_backends().allow_apigateway()
    backends.answer = InvokeResult(
        payload=b'{"errorMessage":"boom","errorType":"Exception","stackTrace":[]}',
        function_error=True,
    )
    with pytest.raises(IntegrationFailure) as info:
        call(backends)
    err = info.value
    assert (err.status, err.message, err.error_type) == (
        502,
        "Internal server error",
        "InternalServerErrorException",
    )
    assert len(backends.invocations) == 1


def test_malformed_answer_is_502():
    backends = make_backends().allow_apigateway()
    backends.answer = InvokeResult(payload=b'{"statusCode": 200, "message": "hi"}')
    with pytest.raises(IntegrationFailure):
        call(backends)


def test_caller_timed_out_is_504():
    backends = make_backends().allow_apigateway()
    backends.answer = InvokeResult(payload=b"", caller_timed_out=True)
    with pytest.raises(IntegrationTimeout) as info:
        call(backends)
    err = info.value
    assert (err.status, err.message, err.error_type) == (
        504,
        "Endpoint request timed out",
        "InternalServerErrorException",
    )


@pytest.mark.parametrize(("timeout_ms", "seconds"), [(None, 29.0), (5000, 5.0), (50, 0.05)])
def test_invoke_waits_for_the_integration_timeout(timeout_ms, seconds):
    integ = lambda_integration()
    if timeout_ms is not None:
        integ["timeoutInMillis"] = timeout_ms
    backends = make_backends(integ).allow_apigateway()
    call(backends)
    assert backends.invocations[0].wait_seconds == pytest.approx(seconds)


def test_answer_becomes_the_http_response():
    backends = make_backends().allow_apigateway()
    backends.answer = InvokeResult(payload=proxy_answer(201, "created", headers={"X-Trace": "t1"}))
    _, response = call(backends)
    assert response.status == 201
    assert response.body == b"created"
    assert response.header("X-Trace") == "t1"


# -- the event -------------------------------------------------------------------------------


def invoked_event(backends: FakeBackends, *args, authorizer=None, api_key=None, **kwargs):
    ctx = routed(backends, *args, **kwargs)
    ctx.authorizer = authorizer
    ctx.api_key = api_key
    integrate(ctx, backends)
    assert len(backends.invocations) == 1
    return ctx, backends.invocations[0].event


def test_event_has_the_payload_1_0_fields():
    backends = make_backends().allow_apigateway()
    ctx, event = invoked_event(
        backends,
        "GET",
        "/pets/7",
        headers=[
            ("Host", f"{API_ID}.execute-api.{REGION}.amazonaws.com"),
            ("User-Agent", "pytest/1"),
            ("X-Multi", "one"),
            ("X-Multi", "two"),
        ],
        query=[("color", "red"), ("color", "blue"), ("size", "s")],
        body='{"a": 1}',
    )
    assert set(event) == {
        "resource",
        "path",
        "httpMethod",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "requestContext",
        "body",
        "isBase64Encoded",
    }
    assert event["resource"] == "/pets/{petId}"
    assert event["path"] == "/pets/7"  # without the stage
    assert event["httpMethod"] == "GET"
    assert event["headers"]["X-Multi"] == "two"
    assert event["multiValueHeaders"]["X-Multi"] == ["one", "two"]
    assert event["headers"]["User-Agent"] == "pytest/1"
    assert event["queryStringParameters"] == {"color": "blue", "size": "s"}  # last value wins
    assert event["multiValueQueryStringParameters"] == {"color": ["red", "blue"], "size": ["s"]}
    assert event["pathParameters"] == {"petId": "7"}
    assert event["stageVariables"] is None
    assert event["body"] == '{"a": 1}'
    assert event["isBase64Encoded"] is False

    rc = event["requestContext"]
    assert rc["path"] == f"/{STAGE}/pets/7"  # with the stage
    assert rc["stage"] == STAGE
    assert rc["requestId"] == REQUEST_ID == ctx.request_id
    assert rc["accountId"] == ACCOUNT
    assert rc["apiId"] == API_ID
    assert rc["deploymentId"] == DEPLOYMENT_ID
    assert rc["httpMethod"] == "GET"
    assert rc["resourceId"] == ctx.resource.id
    assert rc["resourcePath"] == "/pets/{petId}"
    assert rc["protocol"] == "HTTP/1.1"
    assert rc["requestTimeEpoch"] == REQUEST_TIME_MS
    assert rc["requestTime"] == "18/Jun/2024:15:00:04 +0000"
    assert rc["identity"]["sourceIp"] == "127.0.0.1"
    assert rc["identity"]["userAgent"] == "pytest/1"
    for field in (
        "cognitoIdentityPoolId",
        "cognitoIdentityId",
        "cognitoAuthenticationType",
        "cognitoAuthenticationProvider",
    ):
        assert field in rc["identity"] and rc["identity"][field] is None
    assert "authorizer" not in rc


def test_event_nulls_when_there_is_nothing():
    backends = make_backends().allow_apigateway()
    _, event = invoked_event(backends, "GET", "/pets")
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert "authorizer" not in event["requestContext"]


def test_event_carries_stage_variables():
    backends = make_backends(variables={"env": "dev", "table": "pets"}).allow_apigateway()
    _, event = invoked_event(backends, "GET", "/pets")
    assert event["stageVariables"] == {"env": "dev", "table": "pets"}


def test_event_authorizer_only_when_set_and_exactly_claims():
    backends = make_backends().allow_apigateway()
    authorizer = {"claims": {"cognito:username": "alice", "exp": "Tue Jun 18 16:00:04 UTC 2024"}}
    _, event = invoked_event(backends, "GET", "/pets", authorizer=authorizer)
    assert event["requestContext"]["authorizer"] == authorizer


def test_event_has_api_key_identity_when_a_key_passed():
    backends = make_backends().allow_apigateway()
    _, event = invoked_event(backends, "GET", "/pets", api_key={"id": "key1", "value": "v" * 30})
    assert event["requestContext"]["identity"]["apiKey"] == "v" * 30
    assert event["requestContext"]["identity"]["apiKeyId"] == "key1"


def test_event_request_id_follows_the_context():
    backends = make_backends().allow_apigateway()
    ctx = routed(backends, "GET", "/pets")
    ctx.request_id = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    integrate(ctx, backends)
    assert backends.invocations[0].event["requestContext"]["requestId"] == ctx.request_id


def test_payload_is_json():
    backends = make_backends().allow_apigateway()
    call(backends)
    assert isinstance(json.loads(backends.invocations[0].payload), dict)


# -- MOCK ------------------------------------------------------------------------------------


MOCK_RESPONSES = {
    "200": {
        "statusCode": "200",
        "responseTemplates": {"application/json": '{"ok": true}'},
        "responseParameters": {"method.response.header.X-Mock": "'yes'"},
    },
    "404": {
        "statusCode": "404",
        "selectionPattern": "404",
        "responseTemplates": {"application/json": '{"error": "not found"}'},
    },
    "500": {
        "statusCode": "500",
        "selectionPattern": "5\\d{2}",
        "responseTemplates": {"application/json": '{"error": "boom"}'},
    },
}


@pytest.mark.parametrize(
    ("template_status", "status", "body"),
    [
        (200, 200, b'{"ok": true}'),
        (404, 404, b'{"error": "not found"}'),
        (503, 500, b'{"error": "boom"}'),
        (201, 200, b'{"ok": true}'),  # no pattern matches: the default response
    ],
)
def test_mock_picks_the_integration_response_by_selection_pattern(template_status, status, body):
    backends = make_backends(mock_integration(template_status, MOCK_RESPONSES))
    _, response = call(backends)
    assert (response.status, response.body) == (status, body)
    assert response.header("Content-Type") == "application/json"
    assert backends.invocations == []


def test_mock_response_parameters_become_headers():
    backends = make_backends(mock_integration(200, MOCK_RESPONSES))
    _, response = call(backends)
    assert response.header("X-Mock") == "yes"


def test_mock_without_a_matching_or_default_response_is_500():
    responses = {"404": MOCK_RESPONSES["404"]}
    backends = make_backends(mock_integration(200, responses))
    assert_500_without_invoking(backends)
