"""Gateway responses, CORS pieces, POST bodies with models, execution and access logs, against a
real local cloud (docs/aws-behavior.md#gateway-errors, #lambda-proxy-integration,
#request-validation, #api-gateway-control-plane and #execution-and-access-logs)."""

from __future__ import annotations

import json

import pytest
import requests

from tests.support import REGION, create_function, unique

from .apibuilder import RestApi, UserPool
from .test_dataplane import BEHAVE, CREDS_SCHEMA, ECHO, assert_ids, echoed

pytestmark = pytest.mark.integration

STAGE = "test"
SIGN_IN = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["username", "password"],
    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
}
DEFAULT = '{"message":$context.error.messageString}'


def bearer(token: str) -> dict:
    return {"Authorization": token}


@pytest.fixture(scope="module")
def echo(localcloud, lambda_role):
    return create_function(localcloud, lambda_role, ECHO)


@pytest.fixture(scope="module")
def behave(localcloud, lambda_role):
    return create_function(localcloud, lambda_role, BEHAVE)


@pytest.fixture(scope="module")
def pool(localcloud):
    return UserPool.create(localcloud)


def put_response(api: RestApi, kind: str, **kwargs) -> dict:
    return api.apigw.put_gateway_response(restApiId=api.api_id, responseType=kind, **kwargs)


# ------------------------------------------------------------------ gateway responses


@pytest.fixture(scope="module")
def customized(localcloud, echo, behave, pool):
    """/private needs a Cognito token; /behave a Lambda; /form a required query string."""
    api = RestApi.create(localcloud)
    authorizer = api.cognito_authorizer([pool.arn])
    api.route("/private", "GET", echo, authorizer_id=authorizer)
    api.route("/behave", "GET", behave)
    validator = api.validator(params=True, body=False)
    api.route(
        "/form",
        "GET",
        echo,
        params={"method.request.querystring.name": True},
        validator_id=validator,
    )
    put_response(
        api,
        "UNAUTHORIZED",
        statusCode="401",
        responseParameters={
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
            "gatewayresponse.header.WWW-Authenticate": "'Bearer'",
        },
        responseTemplates={
            "application/json": '{"error":$context.error.messageString,'
            '"type":"$context.error.responseType","id":"$context.requestId",'
            '"raw":"$context.error.message"}'
        },
    )
    put_response(
        api,
        "DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={"application/json": DEFAULT},
    )
    put_response(
        api,
        "DEFAULT_5XX",
        statusCode="503",
        responseTemplates={"application/json": '{"oops":$context.error.messageString}'},
    )
    api.deploy(STAGE)
    return api


def test_moto_serves_the_gateway_response_operations(customized):
    got = customized.apigw.get_gateway_response(
        restApiId=customized.api_id, responseType="UNAUTHORIZED"
    )
    assert got["statusCode"] == "401"
    assert got["responseParameters"]["gatewayresponse.header.WWW-Authenticate"] == "'Bearer'"
    kinds = {
        item["responseType"]
        for item in customized.apigw.get_gateway_responses(restApiId=customized.api_id)["items"]
    }
    assert {"UNAUTHORIZED", "DEFAULT_4XX", "DEFAULT_5XX"} <= kinds


def test_the_defaults_are_listed_beside_the_customized_types(customized):
    """docs/aws-behavior.md#gateway-errors rule 13: every type, default or customized."""
    apigw, api_id = customized.apigw, customized.api_id
    items = {i["responseType"]: i for i in apigw.get_gateway_responses(restApiId=api_id)["items"]}
    assert len(items) == 21
    assert items["UNAUTHORIZED"]["defaultResponse"] is False
    assert items["EXPIRED_TOKEN"] == {
        "responseType": "EXPIRED_TOKEN",
        "statusCode": "403",
        "responseParameters": {},
        "responseTemplates": {"application/json": '{"message":$context.error.messageString}'},
        "defaultResponse": True,
    }
    single = apigw.get_gateway_response(restApiId=api_id, responseType="QUOTA_EXCEEDED")
    assert (single["statusCode"], single["defaultResponse"]) == ("429", True)
    fresh = RestApi.create(customized.cloud)
    defaults = apigw.get_gateway_responses(restApiId=fresh.api_id)["items"]
    assert all(item["defaultResponse"] for item in defaults) and len(defaults) == 21
    assert "statusCode" not in {i["responseType"]: i for i in defaults}["DEFAULT_4XX"]


def test_the_specific_type_wins_and_renders_its_template(customized):
    resp = requests.get(customized.url(STAGE, "/private"), timeout=10)
    request_id = assert_ids(resp)
    assert resp.status_code == 401
    assert resp.json() == {
        "error": "Unauthorized",
        "type": "UNAUTHORIZED",
        "id": request_id,
        "raw": "Unauthorized",
    }
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert resp.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert resp.headers["Content-Type"] == "application/json"


def test_default_4xx_covers_types_not_customized(customized):
    resp = requests.get(customized.url(STAGE, "/nowhere"), timeout=10)
    assert (resp.status_code, resp.content) == (403, b'{"message":"Missing Authentication Token"}')
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    resp = requests.get(customized.url(STAGE, "/form"), timeout=10)
    assert resp.status_code == 400
    assert resp.content == b'{"message":"Missing required request parameters: [name]"}'
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_default_5xx_status_code_changes_every_5xx(customized):
    resp = requests.get(customized.url(STAGE, "/behave"), params={"mode": "raise"}, timeout=30)
    assert (resp.status_code, resp.content) == (503, b'{"oops":"Internal server error"}')
    assert "Access-Control-Allow-Origin" not in resp.headers  # only what the API configured
    assert_ids(resp)


def test_gateway_responses_are_live_only_after_deploying(localcloud, echo):
    api = RestApi.create(localcloud)
    api.route("/hello", "GET", echo)
    api.deploy(STAGE)
    put_response(
        api,
        "MISSING_AUTHENTICATION_TOKEN",
        statusCode="404",
        responseTemplates={"application/json": '{"message":"no such route"}'},
    )
    resp = requests.get(api.url(STAGE, "/nope"), timeout=10)
    assert (resp.status_code, resp.content) == (403, b'{"message":"Missing Authentication Token"}')
    assert "Access-Control-Allow-Origin" not in resp.headers
    api.deploy(STAGE)
    resp = requests.get(api.url(STAGE, "/nope"), timeout=10)
    assert (resp.status_code, resp.content) == (404, b'{"message":"no such route"}')
    api.apigw.delete_gateway_response(
        restApiId=api.api_id, responseType="MISSING_AUTHENTICATION_TOKEN"
    )
    api.deploy(STAGE)
    resp = requests.get(api.url(STAGE, "/nope"), timeout=10)
    assert (resp.status_code, resp.content) == (403, b'{"message":"Missing Authentication Token"}')
    echoed(requests.get(api.url(STAGE, "/hello"), timeout=10))


def test_an_uncustomized_api_adds_no_cors_header(localcloud, echo):
    api = RestApi.create(localcloud)
    api.route("/hello", "GET", echo)
    api.deploy(STAGE)
    for resp in (
        requests.get(api.url(STAGE, "/hello"), timeout=10),
        requests.get(api.url(STAGE, "/nope"), timeout=10),
        requests.options(api.url(STAGE, "/hello"), timeout=10),
    ):
        assert not [h for h in resp.headers if h.lower().startswith("access-control-")]


# ------------------------------------------------------------------ CORS pieces

ALLOW = {
    "method.response.header.Access-Control-Allow-Origin": "'*'",
    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
    "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
}


def preflight(api: RestApi, path: str, *, declared: dict | None = None) -> str:
    """OPTIONS with authorization NONE and a MOCK integration; returns the resource id."""
    rid = api.method(path, "OPTIONS")
    ids = {"restApiId": api.api_id, "resourceId": rid, "httpMethod": "OPTIONS"}
    api.apigw.put_integration(
        **ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}
    )
    api.apigw.put_method_response(
        **ids,
        statusCode="200",
        responseParameters=declared if declared is not None else dict.fromkeys(ALLOW, False),
    )
    return rid


def test_options_preflight_passes_while_get_keeps_its_authorizer(localcloud, echo, pool):
    api = RestApi.create(localcloud)
    authorizer = api.cognito_authorizer([pool.arn])
    api.route("/profile", "GET", echo, authorizer_id=authorizer)
    rid = preflight(api, "/profile")
    api.apigw.put_integration_response(
        restApiId=api.api_id,
        resourceId=rid,
        httpMethod="OPTIONS",
        statusCode="200",
        responseParameters=ALLOW,
        responseTemplates={"application/json": ""},
    )
    api.deploy(STAGE)
    resp = requests.options(
        api.url(STAGE, "/profile"),
        headers={"Origin": "http://localhost:8000", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert (resp.status_code, resp.content) == (200, b"")
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization"
    assert resp.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert_ids(resp)
    refused = requests.get(api.url(STAGE, "/profile"), timeout=10)
    assert (refused.status_code, refused.content) == (401, b'{"message":"Unauthorized"}')
    assert "Access-Control-Allow-Origin" not in refused.headers  # no gateway response set
    token = pool.tokens()["IdToken"]
    event = echoed(requests.get(api.url(STAGE, "/profile"), headers=bearer(token), timeout=10))
    assert event["requestContext"]["authorizer"]["claims"]["cognito:username"] == pool.username


def test_an_integration_response_maps_only_declared_headers(localcloud):
    api = RestApi.create(localcloud)
    rid = preflight(api, "/undeclared", declared={})
    ids = {"restApiId": api.api_id, "resourceId": rid, "httpMethod": "OPTIONS"}
    with pytest.raises(api.apigw.exceptions.BadRequestException) as err:
        api.apigw.put_integration_response(**ids, statusCode="200", responseParameters=ALLOW)
    assert err.value.response["Error"]["Message"] == (
        "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
        "[Invalid mapping expression parameter specified: "
        "method.response.header.Access-Control-Allow-Origin]"
    )
    with pytest.raises(api.apigw.exceptions.BadRequestException) as err:
        api.apigw.put_integration_response(**ids, statusCode="204", responseParameters={})
    assert err.value.response["Error"]["Message"].endswith(
        "[No method response exists for method.]"
    )
    rid = preflight(api, "/unquoted")
    with pytest.raises(api.apigw.exceptions.BadRequestException) as err:
        api.apigw.put_integration_response(
            restApiId=api.api_id,
            resourceId=rid,
            httpMethod="OPTIONS",
            statusCode="200",
            responseParameters={"method.response.header.Access-Control-Allow-Origin": "*"},
        )
    assert err.value.response["Error"]["Message"].endswith(
        "[Invalid mapping expression specified: *]"
    )


# ------------------------------------------------------------------ POST bodies and models


@pytest.fixture(scope="module")
def signin(localcloud, echo):
    """POST /signin with a draft-4 model and a body validator, to the echo Lambda."""
    api = RestApi.create(localcloud)
    api.model("Creds", CREDS_SCHEMA)
    validator = api.validator(params=False, body=True)
    api.route("/signin", "POST", echo, validator_id=validator, models={"application/json": "Creds"})
    api.deploy(STAGE)
    return api


def test_post_body_reaches_the_lambda_as_sent(signin):
    raw = '{"username": "ana",  "password": "p\\u00e4ss"}'
    resp = requests.post(
        signin.url(STAGE, "/signin"),
        data=raw.encode(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    event = echoed(resp)
    assert event["httpMethod"] == "POST"
    assert event["body"] == raw  # the bytes as sent, not re-serialized
    assert event["isBase64Encoded"] is False
    assert event["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "body",
    [
        b'{"username": "ana"}',
        b'{"username": "", "password": "x"}',
        b'{"username": "ana", "password": "x", "extra": 1}',
        b"not json",
        b"",
    ],
)
def test_a_bad_body_is_refused_before_the_lambda(signin, body):
    resp = requests.post(
        signin.url(STAGE, "/signin"),
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert (resp.status_code, resp.content) == (400, b'{"message":"Invalid request body"}')
    assert resp.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert_ids(resp)


def test_bad_request_body_gateway_response_is_customizable(localcloud, echo):
    api = RestApi.create(localcloud)
    api.model("Creds", CREDS_SCHEMA)
    validator = api.validator(params=False, body=True)
    api.route("/signin", "POST", echo, validator_id=validator, models={"application/json": "Creds"})
    put_response(
        api,
        "BAD_REQUEST_BODY",
        statusCode="422",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={
            "application/json": '{"message":$context.error.messageString,'
            '"type":"$context.error.responseType"}'
        },
    )
    api.deploy(STAGE)
    resp = requests.post(api.url(STAGE, "/signin"), json={"username": "x"}, timeout=10)
    assert resp.status_code == 422
    assert resp.content == b'{"message":"Invalid request body","type":"BAD_REQUEST_BODY"}'
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


# ------------------------------------------------------------------ execution and access logs

APIGW_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
ACCESS_FORMAT = (
    '{"requestId":"$context.requestId","extended":"$context.extendedRequestId",'
    '"ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
    '"resourcePath":"$context.resourcePath","path":"$context.path","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength",'
    '"requestTime":"$context.requestTime","epoch":"$context.requestTimeEpoch",'
    '"error":"$context.error.message","type":"$context.error.responseType",'
    '"sub":"$context.authorizer.claims.sub",'
    '"user":"$context.authorizer.claims[\'cognito:username\']"}'
)


def in_region(cloud, service: str, region: str):
    import boto3

    return boto3.client(service, **{**cloud.client_kwargs(), "region_name": region})


def logging_ops(level: str = "INFO", trace: bool = True) -> list[dict]:
    return [
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": level},
        {"op": "replace", "path": "/*/*/logging/dataTrace", "value": str(trace).lower()},
    ]


def test_logging_needs_the_accounts_cloudwatch_role(localcloud):
    region = "ap-southeast-2"  # a region whose account settings no other test touches
    apigw = in_region(localcloud, "apigateway", region)
    api_id = apigw.create_rest_api(name=unique("api"))["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.create_deployment(restApiId=api_id, stageName=STAGE)
    assert apigw.get_account().get("cloudwatchRoleArn") is None
    refusals = [
        logging_ops("ERROR", False),
        logging_ops("OFF", True),
        [{"op": "replace", "path": "/accessLogSettings/destinationArn", "value": "arn:x"}],
    ]
    for ops in refusals:
        with pytest.raises(apigw.exceptions.BadRequestException) as err:
            apigw.update_stage(restApiId=api_id, stageName=STAGE, patchOperations=ops)
        assert err.value.response["Error"]["Message"] == (
            "CloudWatch Logs role ARN must be set in account settings to enable logging"
        )
    # turning logging off needs no role
    apigw.update_stage(restApiId=api_id, stageName=STAGE, patchOperations=logging_ops("OFF", False))

    iam = localcloud.client("iam")
    lambda_only = iam.create_role(
        RoleName=unique("not-apigw"),
        AssumeRolePolicyDocument=json.dumps(
            {
                **APIGW_TRUST,
                "Statement": [
                    {
                        **APIGW_TRUST["Statement"][0],
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    with pytest.raises(apigw.exceptions.BadRequestException) as err:
        apigw.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": lambda_only}]
        )
    assert err.value.response["Error"]["Message"] == (
        "The role ARN does not have required permissions configured. Please grant trust "
        "permission for API Gateway and add the required role policy."
    )
    role = iam.create_role(
        RoleName=unique("apigw-logs"), AssumeRolePolicyDocument=json.dumps(APIGW_TRUST)
    )["Role"]["Arn"]
    apigw.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
    )
    assert apigw.get_account()["cloudwatchRoleArn"] == role
    stage = apigw.update_stage(restApiId=api_id, stageName=STAGE, patchOperations=logging_ops())
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "INFO"
    assert stage["methodSettings"]["*/*"]["dataTraceEnabled"] is True
    with pytest.raises(apigw.exceptions.BadRequestException):
        apigw.update_stage(
            restApiId=api_id,
            stageName=STAGE,
            patchOperations=[{"op": "replace", "path": "/*/*/logging/loglevel", "value": "LOUD"}],
        )


@pytest.fixture(scope="module")
def logged(localcloud, echo, behave, pool):
    """An API whose stage has execution logs (INFO, data trace) and access logs on."""
    iam = localcloud.client("iam")
    role = iam.create_role(
        RoleName=unique("apigw-logs"), AssumeRolePolicyDocument=json.dumps(APIGW_TRUST)
    )["Role"]["Arn"]
    apigw = localcloud.client("apigateway")
    apigw.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
    )
    api = RestApi.create(localcloud)
    authorizer = api.cognito_authorizer([pool.arn])
    api.route("/private", "GET", echo, authorizer_id=authorizer)
    api.route("/behave", "GET", behave)
    api.method("/guarded", "GET")
    api.lambda_proxy("/guarded", "GET", echo, grant=False)
    signin = api.model("SignIn", SIGN_IN)
    api.method(
        "/signin",
        "POST",
        validator_id=api.validator(params=False, body=True),
        models={"application/json": signin},
    )
    api.lambda_proxy("/signin", "POST", echo)
    api.deploy(STAGE)
    logs = localcloud.client("logs")
    group = unique("access-logs")
    logs.create_log_group(logGroupName=group)
    arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["arn"]
    apigw.update_stage(
        restApiId=api.api_id,
        stageName=STAGE,
        patchOperations=[
            *logging_ops(),
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": arn},
            {"op": "replace", "path": "/accessLogSettings/format", "value": ACCESS_FORMAT},
        ],
    )
    return api, group


def messages(cloud, group: str) -> list[str]:
    return [
        e["message"] for e in cloud.client("logs").filter_log_events(logGroupName=group)["events"]
    ]


def execution_log(cloud, api: RestApi, request_id: str) -> list[str]:
    group = f"API-Gateway-Execution-Logs_{api.api_id}/{STAGE}"
    prefix = f"({request_id}) "
    return [m[len(prefix) :] for m in messages(cloud, group) if m.startswith(prefix)]


def access_entry(cloud, group: str, request_id: str) -> dict:
    found = [json.loads(m) for m in messages(cloud, group) if request_id in m]
    assert len(found) == 1, found
    return found[0]


def test_execution_log_of_a_success_with_data_trace(localcloud, logged, pool):
    api, group = logged
    token = pool.tokens()["IdToken"]
    resp = requests.get(
        api.url(STAGE, "/private"),
        params={"q": "1"},
        headers={**bearer(token), "X-Trace": "yes"},
        timeout=30,
    )
    event = echoed(resp)
    request_id = resp.headers["x-amzn-RequestId"]
    lines = execution_log(localcloud, api, request_id)
    assert lines[:3] == [
        f"Extended Request Id: {resp.headers['x-amz-apigw-id']}",
        f"Starting execution for request: {request_id}",
        "HTTP Method: GET, Resource Path: /private",
    ]
    assert "Method request query string: {q=1}" in lines
    headers = next(line for line in lines if line.startswith("Method request headers: "))
    assert "X-Trace=yes" in headers and token not in headers and token[-6:] in headers
    sub = event["requestContext"]["authorizer"]["claims"]["sub"]
    assert f"Authorization succeeded for principal: {sub}" in lines
    assert lines[-2:] == ["Successfully completed execution", "Method completed with status: 200"]
    entry = access_entry(localcloud, group, request_id)
    assert entry["status"] == "200" and entry["method"] == "GET"
    assert entry["resourcePath"] == "/private" and entry["path"] == f"/{STAGE}/private"
    assert entry["sub"] == sub and entry["user"] == pool.username
    assert entry["extended"] == resp.headers["x-amz-apigw-id"]
    assert entry["responseLength"] == str(len(resp.content))
    assert entry["protocol"] == "HTTP/1.1" and entry["ip"]
    assert entry["error"] == "-" and entry["type"] == "-"
    assert entry["requestTime"] == event["requestContext"]["requestTime"]
    assert entry["epoch"] == str(event["requestContext"]["requestTimeEpoch"])


def test_execution_log_of_refusals_and_failures(localcloud, logged, echo):
    api, group = logged
    resp = requests.get(api.url(STAGE, "/private"), timeout=10)
    request_id = resp.headers["x-amzn-RequestId"]
    lines = execution_log(localcloud, api, request_id)
    assert lines[-2:] == [
        f"Unauthorized request: {request_id}",
        "Method completed with status: 401",
    ]
    entry = access_entry(localcloud, group, request_id)
    assert (entry["status"], entry["error"], entry["type"]) == (
        "401",
        "Unauthorized",
        "UNAUTHORIZED",
    )
    assert entry["sub"] == "-" and entry["responseLength"] == "26"

    resp = requests.get(api.url(STAGE, "/guarded"), timeout=10)
    assert resp.status_code == 500
    lines = execution_log(localcloud, api, resp.headers["x-amzn-RequestId"])
    uri = f"https://lambda.{REGION}.amazonaws.com/2015-03-31/functions/{echo['FunctionArn']}/invocations"
    assert lines[-4:-2] == [f"Endpoint request URI: {uri}", f"Sending request to {uri}"]
    assert lines[-2:] == [
        "Execution failed due to configuration error: Invalid permissions on Lambda function",
        "Method completed with status: 500",
    ]

    resp = requests.get(api.url(STAGE, "/behave"), params={"mode": "unknown_key"}, timeout=30)
    assert resp.status_code == 502
    lines = execution_log(localcloud, api, resp.headers["x-amzn-RequestId"])
    assert lines[-2:] == [
        "Execution failed due to configuration error: Malformed Lambda proxy response",
        "Method completed with status: 502",
    ]

    resp = requests.get(api.url(STAGE, "/nowhere"), timeout=10)
    request_id = resp.headers["x-amzn-RequestId"]
    assert execution_log(localcloud, api, request_id) == []  # no method: no method settings
    entry = access_entry(localcloud, group, request_id)  # but the access log has every request
    assert (entry["status"], entry["type"], entry["resourcePath"]) == (
        "403",
        "MISSING_AUTHENTICATION_TOKEN",
        "-",
    )


def test_execution_log_says_why_a_body_failed_its_model(localcloud, logged):
    """docs/aws-behavior.md#request-validation rule 8."""
    api, _group = logged
    refused = "Request body does not match model schema for content type application/json: "
    for body, found in (
        ('{"username": "u"}', 'object has missing required properties (["password"])'),
        ("not json", "Unknown error parsing request body"),
    ):
        resp = requests.post(
            api.url(STAGE, "/signin"),
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert resp.status_code == 400 and resp.json() == {"message": "Invalid request body"}
        lines = execution_log(localcloud, api, resp.headers["x-amzn-RequestId"])
        assert lines[-2:] == [f"{refused}[{found}]", "Method completed with status: 400"]


def test_error_level_writes_only_errors_and_off_writes_nothing(localcloud, logged):
    api, group = logged
    apigw = localcloud.client("apigateway")
    apigw.update_stage(
        restApiId=api.api_id, stageName=STAGE, patchOperations=logging_ops("ERROR", False)
    )
    ok = requests.get(api.url(STAGE, "/behave"), timeout=30)
    bad = requests.get(api.url(STAGE, "/behave"), params={"mode": "raise"}, timeout=30)
    assert (ok.status_code, bad.status_code) == (200, 502)
    assert execution_log(localcloud, api, ok.headers["x-amzn-RequestId"]) == []
    assert execution_log(localcloud, api, bad.headers["x-amzn-RequestId"]) == [
        "Lambda execution failed with status 200 due to customer function error",
        "Method completed with status: 502",
    ]
    apigw.update_stage(
        restApiId=api.api_id,
        stageName=STAGE,
        patchOperations=[
            *logging_ops("OFF", False),
            {"op": "remove", "path": "/accessLogSettings"},
        ],
    )
    quiet = requests.get(api.url(STAGE, "/behave"), params={"mode": "raise"}, timeout=30)
    request_id = quiet.headers["x-amzn-RequestId"]
    assert execution_log(localcloud, api, request_id) == []
    assert not [m for m in messages(localcloud, group) if request_id in m]
    apigw.update_stage(restApiId=api.api_id, stageName=STAGE, patchOperations=logging_ops())


def test_get_integration_response_of_what_is_not_there_is_404(localcloud):
    """GetIntegrationResponse on a missing method, integration or status: AWS's 404, not a 500
    (docs/aws-behavior.md#api-gateway-control-plane); a present one is answered."""
    api = RestApi.create(localcloud)
    rid = api.method("/cors", "GET")
    ids = {"restApiId": api.api_id, "resourceId": rid, "statusCode": "200"}
    expected = [
        ("OPTIONS", "Invalid Method identifier specified"),
        ("GET", "Invalid Integration identifier specified"),
    ]
    for http_method, message in expected:
        with pytest.raises(api.apigw.exceptions.NotFoundException) as err:
            api.apigw.get_integration_response(**ids, httpMethod=http_method)
        assert err.value.response["Error"]["Message"] == message
    preflight(api, "/cors")
    with pytest.raises(api.apigw.exceptions.NotFoundException) as err:
        api.apigw.get_integration_response(**ids, httpMethod="OPTIONS")
    assert err.value.response["Error"]["Message"] == "Invalid Response status code specified"
    api.apigw.put_integration_response(
        **ids, httpMethod="OPTIONS", responseParameters=ALLOW, responseTemplates={}
    )
    got = api.apigw.get_integration_response(**ids, httpMethod="OPTIONS")
    assert got["responseParameters"] == ALLOW
