"""The local cloud under bad input and faults, against a real local cloud: hostile body models
(docs/aws-behavior.md#request-validation, docs/aws-behavior.md#api-gateway-control-plane),
payload quotas (docs/aws-behavior.md#gateway-errors, docs/aws-behavior.md#lambda-proxy-integration,
docs/aws-behavior.md#lambda), tokens whose time claims are not numbers
(docs/aws-behavior.md#cognito-user-pool-authorizer), deployment packages that are not zips
(docs/aws-behavior.md#lambda) and policies that are not policies (docs/aws-behavior.md#iam).

Each test asserts AWS's status, error code and message, and that nothing the request should not
reach was reached: no connection to a listener, no invocation of the function.
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from localcloud.moto import cognito as moto_cognito
from tests.support import count_invocations, create_function, unique, zip_code
from tests.support.listener import Listener

from .apibuilder import RestApi, UserPool

pytestmark = pytest.mark.integration

STAGE = "test"
TEN_MB = 10 * 1024 * 1024
REQUEST_QUOTA = 6_291_456
RESPONSE_QUOTA = 6_291_556
INVALID_BODY = b'{"message":"Invalid request body"}'
UNAUTHORIZED = b'{"message":"Unauthorized"}'
INTERNAL = b'{"message": "Internal server error"}'
INVALID_SCHEMA = (
    "Invalid model specified: Validation Result: warnings : [], errors : "
    "[Invalid model schema specified]"
)
NOT_CANONICAL = "Invalid model specified: Model reference must be in canonical form"
NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."

# Answers a proxy event with ?n= bytes of body; a direct invocation with a string of event["n"].
SIZED = """
def handler(event, context):
    if isinstance(event, dict) and "requestContext" in event:
        n = int((event.get("queryStringParameters") or {}).get("n", "0"))
        return {"statusCode": 200, "body": "a" * n}
    return "a" * event["n"]
"""


@pytest.fixture
def listener():
    made = Listener()
    yield made
    made.close()


@pytest.fixture(scope="module")
def sized(localcloud, lambda_role) -> dict:
    return create_function(localcloud, lambda_role, SIZED, name=unique("sized"))


@pytest.fixture(scope="module")
def api(localcloud, sized) -> RestApi:
    api = RestApi.create(localcloud)
    api.route("/up", "POST", sized)
    api.route("/big", "GET", sized)
    api.deploy(STAGE)
    return api


def client_error(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as err:
        call(*args, **kwargs)
    return err.value.response


def assert_error(response: dict, status: int, code: str, message: str) -> None:
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == message


# ------------------------------------------------------------------ models and their references


def create_model(api: RestApi, schema: str, name: str | None = None):
    return api.apigw.create_model(
        restApiId=api.api_id,
        name=name or unique("M").replace("-", ""),
        contentType="application/json",
        schema=schema,
    )


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ('{"type": "object"', INVALID_SCHEMA),
        ('{"type": 5}', INVALID_SCHEMA),
        ('{"type": "object", "required": []}', INVALID_SCHEMA),
        (
            '{"$id": "https://example.com/x", "type": "object"}',
            INVALID_SCHEMA[:-1] + '. Unsupported keyword(s): ["$id"]]',
        ),
    ],
    ids=["not-json", "type-is-a-number", "empty-required", "draft-6-keyword"],
)
def test_create_model_refuses_what_is_not_a_draft_4_schema(localcloud, schema, message):
    api = RestApi.create(localcloud)
    assert_error(client_error(create_model, api, schema), 400, "BadRequestException", message)
    assert [m["name"] for m in api.apigw.get_models(restApiId=api.api_id)["items"]] == []


def test_create_model_refuses_a_ref_to_a_listener_without_connecting(localcloud, listener):
    api = RestApi.create(localcloud)
    schema = json.dumps({"type": "object", "$ref": f"http://127.0.0.1:{listener.port}/x"})
    started = time.monotonic()
    response = client_error(create_model, api, schema)
    assert time.monotonic() - started < 5
    assert_error(response, 400, "BadRequestException", NOT_CANONICAL)
    time.sleep(0.2)  # a connection, had one been made, is accepted by now
    assert listener.connections == []


@pytest.mark.parametrize(
    "ref",
    [
        "file:///etc/passwd",
        "https://apigateway.amazonaws.com/restapis/otherapi01/models/Owner",
        "https://apigateway.amazonaws.com/restapis/{api}/models/NoSuchModel",
    ],
    ids=["file", "another-api", "no-such-model"],
)
def test_create_model_refuses_refs_outside_the_apis_models(localcloud, ref):
    api = RestApi.create(localcloud)
    schema = json.dumps({"properties": {"a": {"$ref": ref.format(api=api.api_id)}}})
    assert_error(client_error(create_model, api, schema), 400, "BadRequestException", NOT_CANONICAL)


def test_a_ref_to_another_model_resolves_to_the_deployed_model_offline(localcloud, sized):
    api = RestApi.create(localcloud)
    owner = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    api.model("Owner", owner)
    canonical = f"https://apigateway.amazonaws.com/restapis/{api.api_id}/models/Owner"
    api.model(
        "Pet",
        {"type": "object", "required": ["owner"], "properties": {"owner": {"$ref": canonical}}},
    )
    validator = api.validator(params=False, body=True)
    api.route("/pets", "POST", sized, validator_id=validator, models={"application/json": "Pet"})
    api.deploy(STAGE)
    before = count_invocations(localcloud, sized["FunctionName"])
    bad = requests.post(api.url(STAGE, "/pets"), json={"owner": {"name": 5}}, timeout=10)
    assert (bad.status_code, bad.content) == (400, INVALID_BODY)
    assert bad.headers["x-amzn-ErrorType"] == "BadRequestException"
    good = requests.post(api.url(STAGE, "/pets"), json={"owner": {"name": "misi"}}, timeout=10)
    assert good.status_code == 200, good.content
    assert count_invocations(localcloud, sized["FunctionName"]) == before + 1


# ------------------------------------------------------------------ identityValidationExpression

NOT_A_REGEX = "Invalid identity validation expression specified"


def test_create_authorizer_refuses_an_expression_that_is_not_a_regex(localcloud):
    api = RestApi.create(localcloud)
    pool = UserPool.create(localcloud)
    response = client_error(api.cognito_authorizer, [pool.arn], validation_expression="client(")
    assert_error(response, 400, "BadRequestException", NOT_A_REGEX)
    assert api.apigw.get_authorizers(restApiId=api.api_id)["items"] == []


def test_update_authorizer_refuses_an_expression_that_is_not_a_regex(localcloud):
    api = RestApi.create(localcloud)
    pool = UserPool.create(localcloud)
    authorizer = api.cognito_authorizer([pool.arn], validation_expression="client[0-9]+")
    response = client_error(
        api.apigw.update_authorizer,
        restApiId=api.api_id,
        authorizerId=authorizer,
        patchOperations=[
            {"op": "replace", "path": "/identityValidationExpression", "value": "[a-"}
        ],
    )
    assert_error(response, 400, "BadRequestException", NOT_A_REGEX)
    kept = api.apigw.get_authorizer(restApiId=api.api_id, authorizerId=authorizer)
    assert kept["identityValidationExpression"] == "client[0-9]+"


# ------------------------------------------------------------------ tokens with hostile time claims


@pytest.fixture(scope="module")
def secured(localcloud, sized):
    pool = UserPool.create(localcloud)
    api = RestApi.create(localcloud)
    authorizer = api.cognito_authorizer([pool.arn])
    api.route("/secure", "GET", sized, authorizer_id=authorizer)
    api.deploy(STAGE)
    return api, pool


def forged(pool: UserPool, exp_json: str) -> str:
    """An ID token signed with the local Cognito's key, its ``exp`` written as raw JSON."""
    now = int(time.time())
    claims = {
        "sub": "5f0c4a1e-0000-4000-8000-000000000001",
        "iss": pool.issuer,
        "aud": pool.clients[0],
        "token_use": "id",
        "cognito:username": pool.username,
        "iat": now,
        "auth_time": now,
    }
    payload = json.dumps(claims)[:-1] + f', "exp": {exp_json}}}'
    key = jwt.PyJWK.from_dict(moto_cognito.user_pool_signing_jwk()).key
    return jwt.PyJWS().encode(
        payload.encode(), key, algorithm="RS256", headers={"kid": "dummy", "alg": "RS256"}
    )


@pytest.mark.parametrize("exp", ['"nan"', '"abc"', "NaN", "Infinity", "[1]"])
def test_a_token_whose_exp_is_not_a_number_is_unauthorized(localcloud, secured, sized, exp):
    api, pool = secured
    before = count_invocations(localcloud, sized["FunctionName"])
    resp = requests.get(
        api.url(STAGE, "/secure"), headers={"Authorization": forged(pool, exp)}, timeout=10
    )
    assert (resp.status_code, resp.content) == (401, UNAUTHORIZED)
    assert resp.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert count_invocations(localcloud, sized["FunctionName"]) == before


def test_the_same_forgery_with_a_numeric_exp_passes(localcloud, secured):
    """The tokens above differ from this one in ``exp`` only."""
    api, pool = secured
    token = forged(pool, str(int(time.time()) + 600))
    resp = requests.get(api.url(STAGE, "/secure"), headers={"Authorization": token}, timeout=10)
    assert resp.status_code == 200, resp.content


# ------------------------------------------------------------------ API Gateway's 10 MB


def test_a_body_over_10_mb_is_refused_by_the_front_door(localcloud, api, sized):
    before = count_invocations(localcloud, sized["FunctionName"])
    body = b"x" * (TEN_MB + 1)
    for url in (api.url(STAGE, "/up"), localcloud.stage_url("nosuchapi1", STAGE, "/up")):
        resp = requests.post(url, data=body, timeout=60)
        assert (resp.status_code, resp.content) == (
            413,
            b"HTTP content length exceeded 10485760 bytes.",
        )
        assert resp.headers["Content-Type"] == "text; charset=utf-8"
        assert "x-amzn-RequestId" not in resp.headers
        assert "x-amzn-ErrorType" not in resp.headers
    assert count_invocations(localcloud, sized["FunctionName"]) == before


# ------------------------------------------------------------ Lambda's 6 MB, through API Gateway


def test_an_event_over_lambdas_quota_is_413_request_too_long(localcloud, api, sized):
    before = count_invocations(localcloud, sized["FunctionName"])
    resp = requests.post(api.url(STAGE, "/up"), data=b"x" * 7_000_000, timeout=60)
    assert (resp.status_code, resp.content) == (413, b'{"message": "Request Too Long"}')
    assert resp.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert resp.headers["x-amzn-RequestId"] and resp.headers["x-amz-apigw-id"]
    assert count_invocations(localcloud, sized["FunctionName"]) == before


def test_an_answer_over_lambdas_quota_is_502(api):
    resp = requests.get(api.url(STAGE, "/big"), params={"n": "6300000"}, timeout=60)
    assert (resp.status_code, resp.content) == (502, INTERNAL)
    assert resp.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    fits = requests.get(api.url(STAGE, "/big"), params={"n": "6000000"}, timeout=60)
    assert (fits.status_code, len(fits.content)) == (200, 6_000_000)


# ------------------------------------------------------------------ Lambda's 6 MB, through Invoke


def test_invoke_with_a_payload_over_the_quota_is_413(localcloud, sized):
    before = count_invocations(localcloud, sized["FunctionName"])
    payload = json.dumps({"n": 1, "pad": "x" * REQUEST_QUOTA}).encode()
    response = client_error(
        localcloud.client("lambda").invoke, FunctionName=sized["FunctionName"], Payload=payload
    )
    assert_error(
        response,
        413,
        "RequestEntityTooLargeException",
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    )
    assert count_invocations(localcloud, sized["FunctionName"]) == before


def test_invoke_whose_answer_is_over_the_quota_is_a_function_error(localcloud, sized):
    lam = localcloud.client("lambda")
    at_limit = lam.invoke(FunctionName=sized["FunctionName"], Payload=b'{"n": 6291554}')
    assert "FunctionError" not in at_limit
    assert len(at_limit["Payload"].read()) == RESPONSE_QUOTA
    over = lam.invoke(FunctionName=sized["FunctionName"], Payload=b'{"n": 6291555}')
    assert over["StatusCode"] == 200
    assert over["FunctionError"] == "Unhandled"
    assert json.loads(over["Payload"].read()) == {
        "errorMessage": "Response payload size (6291557 bytes) exceeded maximum allowed "
        "payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


# ------------------------------------------------------------------ deployment packages


def test_create_function_refuses_bytes_that_are_not_a_zip(localcloud, lambda_role):
    lam = localcloud.client("lambda")
    name = unique("notzip")
    response = client_error(
        lam.create_function,
        FunctionName=name,
        Runtime="python3.12",
        Role=lambda_role,
        Handler="handler.handler",
        Code={"ZipFile": b"def handler(event, context):\n    return 1\n"},
    )
    assert_error(response, 400, "InvalidParameterValueException", NOT_A_ZIP)
    missing = client_error(lam.get_function, FunctionName=name)
    assert missing["Error"]["Code"] == "ResourceNotFoundException"


def test_update_function_code_refuses_a_truncated_zip_and_keeps_the_code(localcloud, lambda_role):
    fn = create_function(localcloud, lambda_role, "def handler(event, context):\n    return 'v1'\n")
    lam = localcloud.client("lambda")
    package = zip_code("def handler(event, context):\n    return 'v2'\n")
    response = client_error(
        lam.update_function_code, FunctionName=fn["FunctionName"], ZipFile=package[:-30]
    )
    assert_error(response, 400, "InvalidParameterValueException", NOT_A_ZIP)
    answer = lam.invoke(FunctionName=fn["FunctionName"], Payload=b"{}")
    assert json.loads(answer["Payload"].read()) == "v1"


def test_create_function_refuses_a_package_over_250_mb_unzipped(localcloud, lambda_role):
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(250):
            member.write(b"\0" * (1 << 20))
    response = client_error(
        localcloud.client("lambda").create_function,
        FunctionName=unique("bomb"),
        Runtime="python3.12",
        Role=lambda_role,
        Handler="handler.handler",
        Code={"ZipFile": buf.getvalue()},
    )
    assert_error(
        response,
        400,
        "InvalidParameterValueException",
        "Unzipped size must be smaller than 262144000 bytes",
    )


# ------------------------------------------------------------------ the policy simulator


@pytest.mark.parametrize("document", ["[1]", '"x"', '{"Statement": 5}', '{"Statement": [{}]}'])
def test_the_simulator_refuses_a_document_that_is_not_a_policy(localcloud, document):
    response = client_error(
        localcloud.client("iam").simulate_custom_policy,
        PolicyInputList=[document],
        ActionNames=["cognito-idp:AdminInitiateAuth"],
    )
    assert_error(response, 400, "MalformedPolicyDocument", "Syntax errors in policy.")


def test_update_model_replaces_the_schema_after_the_same_checks_as_create(localcloud):
    """docs/aws-behavior.md#api-gateway-control-plane rule 22."""
    api = RestApi.create(localcloud)
    name = create_model(api, '{"type": "object"}')["name"]
    strict = '{"type": "object", "required": ["a"]}'
    updated = api.apigw.update_model(
        restApiId=api.api_id,
        modelName=name,
        patchOperations=[
            {"op": "replace", "path": "/schema", "value": strict},
            {"op": "replace", "path": "/description", "value": "a is required"},
        ],
    )
    assert (updated["schema"], updated["description"]) == (strict, "a is required")
    got = api.apigw.get_model(restApiId=api.api_id, modelName=name)
    assert got["schema"] == strict

    def update(path: str, value: str, model: str = name):
        return api.apigw.update_model(
            restApiId=api.api_id,
            modelName=model,
            patchOperations=[{"op": "replace", "path": path, "value": value}],
        )

    assert_error(
        client_error(update, "/schema", '{"type": "object"'), 400, "BadRequestException",
        INVALID_SCHEMA,
    )  # fmt: skip
    assert api.apigw.get_model(restApiId=api.api_id, modelName=name)["schema"] == strict
    response = client_error(update, "/contentType", "text/plain")
    assert response["Error"]["Code"] == "BadRequestException"
    assert_error(
        client_error(update, "/schema", strict, "Nope"), 404, "NotFoundException",
        "Invalid Model Name specified",
    )  # fmt: skip
