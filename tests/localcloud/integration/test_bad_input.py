"""Malformed and hostile AWS API calls, across the five services, each refused as AWS refuses it:
its status, its error code (as botocore reads it) and its shape; afterwards the server still
serves a normal call and its log holds no unhandled traceback
(docs/aws-behavior.md#requests-and-signatures). The data plane's and Lambda's limits are in
test_limits_and_models.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.parsers import create_parser

from tests.support import ACCOUNT, REGION, unique

ADMIN = Credentials("testing", "testing")
JSON_11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
COGNITO = "AWSCognitoIdentityProviderService."


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    code: str
    message: str


def send(
    cloud: Any,
    service: str,
    method: str,
    path: str,
    body: bytes | str = b"",
    headers: dict[str, str] | None = None,
    *,
    operation: str,
    credentials: Credentials | None = ADMIN,
    scope_service: str | None = None,
    region: str = REGION,
    when: datetime | None = None,
    parse_as: str | None = None,
) -> Answer:
    """Sign (unless ``credentials`` is None) and send one raw request; the error as botocore
    parses it for ``operation``."""
    data = body.encode() if isinstance(body, str) else body
    request = AWSRequest(method=method, url=cloud.endpoint + path, data=data, headers=headers or {})
    if credentials is not None:
        signer = SigV4Auth(credentials, scope_service or service, region)
        if when is not None:
            stamp = when.strftime("%Y%m%dT%H%M%SZ")
            request.context["timestamp"] = stamp
            request.headers["X-Amz-Date"] = stamp
            if credentials.token:
                request.headers["X-Amz-Security-Token"] = credentials.token
            canonical = signer.canonical_request(request)
            signature = signer.signature(signer.string_to_sign(request, canonical), request)
            scope = f"{credentials.access_key}/{signer.credential_scope(request)}"
            request.headers["Authorization"] = (
                f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders="
                f"{signer.signed_headers(signer.headers_to_sign(request))}, Signature={signature}"
            )
        else:
            signer.add_auth(request)
    prepared = request.prepare()
    reply = requests.request(
        method, prepared.url, data=prepared.body, headers=dict(prepared.headers), timeout=30
    )
    lowered = {k.lower(): v for k, v in reply.headers.items()}
    model = botocore.session.get_session().get_service_model(service)
    parsed = create_parser(model.metadata["protocol"]).parse(
        {"status_code": reply.status_code, "headers": lowered, "body": reply.content},
        model.operation_model(parse_as or operation).output_shape,
    )
    error = parsed.get("Error", {})
    return Answer(
        reply.status_code, lowered, reply.content, error.get("Code", ""), error.get("Message", "")
    )


def cognito(cloud: Any, operation: str, body: Any, **kwargs: Any) -> Answer:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    headers = {"Content-Type": JSON_11, "X-Amz-Target": COGNITO + operation}
    return send(cloud, "cognito-idp", "POST", "/", raw, headers, operation=operation, **kwargs)


def iam(cloud: Any, operation: str, form: str, **kwargs: Any) -> Answer:
    body = f"Action={operation}&Version=2010-05-08&{form}".rstrip("&")
    return send(cloud, "iam", "POST", "/", body, {"Content-Type": FORM}, operation=operation,
                **kwargs)  # fmt: skip


@pytest.fixture(scope="module")
def pool_id(localcloud) -> str:
    return localcloud.client("cognito-idp").create_user_pool(PoolName=unique("bad"))["UserPool"][
        "Id"
    ]


# -- signatures ---------------------------------------------------------------------------------


def test_an_unsigned_call_is_refused(localcloud, pool_id):
    answer = cognito(localcloud, "AdminGetUser", {"UserPoolId": pool_id, "Username": "x"},
                     credentials=None)  # fmt: skip
    assert (answer.status, answer.code) == (400, "MissingAuthenticationTokenException")
    assert answer.message == "Request is missing Authentication Token"


def test_an_unsigned_lambda_call_is_refused_with_the_rest_shape(localcloud):
    answer = send(localcloud, "lambda", "GET", "/2015-03-31/functions/", operation="ListFunctions",
                  credentials=None)  # fmt: skip
    assert (answer.status, answer.code) == (403, "MissingAuthenticationTokenException")
    assert answer.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_an_unsigned_iam_call_is_refused_with_the_query_shape(localcloud):
    answer = iam(localcloud, "ListRoles", "", credentials=None)
    assert (answer.status, answer.code) == (403, "MissingAuthenticationToken")
    assert answer.body.startswith(b"<ErrorResponse")


def test_public_cognito_operations_need_no_signature(localcloud, pool_id):
    answer = cognito(localcloud, "InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH",
                     "ClientId": "nosuchclient", "AuthParameters": {"USERNAME": "x"}},
                     credentials=None)  # fmt: skip
    assert answer.code == "ResourceNotFoundException"  # served: the client does not exist


@pytest.mark.parametrize("scope", ["COGNITO-IDP", "iam", "cognito"])
def test_a_scope_naming_another_service_is_refused(localcloud, pool_id, scope):
    answer = cognito(localcloud, "ListUserPools", {"MaxResults": 5}, scope_service=scope)
    assert (answer.status, answer.code) == (400, "InvalidSignatureException")
    assert answer.message == "Credential should be scoped to correct service: 'cognito-idp'. "


def test_a_scope_naming_no_region_is_refused(localcloud):
    answer = cognito(localcloud, "ListUserPools", {"MaxResults": 5}, region="moon")
    assert (answer.status, answer.code) == (400, "InvalidSignatureException")
    assert "valid region" in answer.message


def test_a_date_outside_the_allowed_skew_is_refused(localcloud):
    old = datetime.now(UTC) - timedelta(minutes=20)
    answer = cognito(localcloud, "ListUserPools", {"MaxResults": 5}, when=old)
    assert (answer.status, answer.code) == (400, "InvalidSignatureException")
    assert answer.message.startswith("Signature expired: ")
    later = datetime.now(UTC) + timedelta(minutes=20)
    assert cognito(localcloud, "ListUserPools", {"MaxResults": 5}, when=later).message.startswith(
        "Signature not yet current: "
    )


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        ("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cognito-idp/aws4_request",
         "Authorization header requires 'Signature' parameter."),
        ("AWS4-HMAC-SHA256 Signature=abc, SignedHeaders=host",
         "Authorization header requires 'Credential' parameter."),
        ("Bearer abc", "Unsupported AWS 'algorithm': 'Bearer'"),
    ],
)  # fmt: skip
def test_an_incomplete_authorization_header_is_refused(localcloud, authorization, expected):
    headers = {"Content-Type": JSON_11, "X-Amz-Target": COGNITO + "ListUserPools",
               "Authorization": authorization, "X-Amz-Date": "20260101T000000Z"}  # fmt: skip
    answer = send(localcloud, "cognito-idp", "POST", "/", '{"MaxResults": 5}', headers,
                  operation="ListUserPools", credentials=None)  # fmt: skip
    assert (answer.status, answer.code) == (400, "IncompleteSignatureException")
    assert expected in answer.message


# -- unknown services and operations ----------------------------------------------------------


def test_an_unknown_json_operation_is_refused(localcloud):
    answer = cognito(localcloud, "StealEverything", {}, parse_as="ListUserPools")
    assert (answer.status, answer.code) == (400, "UnknownOperationException")


def test_an_unknown_query_action_is_refused(localcloud):
    answer = iam(localcloud, "StealEverything", "", parse_as="ListRoles")
    assert (answer.status, answer.code) == (400, "InvalidAction")
    assert answer.message == "Could not find operation StealEverything for version 2010-05-08"


def test_an_unknown_rest_path_is_refused(localcloud):
    answer = send(localcloud, "lambda", "GET", "/2015-03-31/nothing-here",
                  operation="ListFunctions")  # fmt: skip
    assert (answer.status, answer.code) == (404, "UnknownOperationException")


def test_an_unknown_service_never_reaches_another(localcloud):
    """It used to fall through to S3's ListBuckets."""
    answer = send(localcloud, "s3", "GET", "/", operation="ListBuckets")
    assert answer.status == 404 and b"ListAllMyBuckets" not in answer.body


# -- parameters -----------------------------------------------------------------------------


def test_malformed_json_is_refused_before_moto_sees_it(localcloud, pool_id):
    answer = cognito(localcloud, "AdminGetUser", "{bad")
    assert (answer.status, answer.code) == (400, "SerializationException")


def test_a_value_of_the_wrong_type_is_a_serialization_error(localcloud, pool_id):
    answer = cognito(localcloud, "AdminSetUserPassword",
                     {"UserPoolId": pool_id, "Username": "x", "Password": 5})  # fmt: skip
    assert (answer.status, answer.code) == (400, "SerializationException")


def test_a_missing_required_member_is_refused_with_awss_wording(localcloud, pool_id):
    answer = cognito(localcloud, "AdminGetUser", {"UserPoolId": pool_id})
    assert (answer.status, answer.code) == (400, "InvalidParameterException")
    assert answer.message == (
        "1 validation error detected: Value null at 'username' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_a_value_longer_than_the_model_allows_is_refused(localcloud, pool_id):
    answer = cognito(localcloud, "AdminGetUser", {"UserPoolId": pool_id, "Username": "x" * 200})
    assert (answer.status, answer.code) == (400, "InvalidParameterException")
    assert "Member must have length less than or equal to 128" in answer.message


def test_a_value_outside_an_enum_is_refused(localcloud, pool_id):
    answer = cognito(localcloud, "AdminInitiateAuth", {"UserPoolId": pool_id, "ClientId": "c",
                     "AuthFlow": "STEAL_TOKENS"})  # fmt: skip
    assert (answer.status, answer.code) == (400, "InvalidParameterException")
    assert "Member must satisfy enum value set" in answer.message


def test_create_authorizer_with_malformed_json_creates_nothing(localcloud):
    apigw = localcloud.client("apigateway")
    api = apigw.create_rest_api(name=unique("bad"))["id"]
    answer = send(localcloud, "apigateway", "POST", f"/restapis/{api}/authorizers", "{bad",
                  {"Content-Type": "application/json"}, operation="CreateAuthorizer")  # fmt: skip
    assert (answer.status, answer.code) == (400, "BadRequestException")
    assert apigw.get_authorizers(restApiId=api)["items"] == []


def test_a_patch_operation_that_is_not_an_object_is_refused(localcloud):
    apigw = localcloud.client("apigateway")
    api = apigw.create_rest_api(name=unique("bad"))["id"]
    answer = send(localcloud, "apigateway", "PATCH", f"/restapis/{api}/authorizers/x",
                  json.dumps({"patchOperations": [1]}), {"Content-Type": "application/json"},
                  operation="UpdateAuthorizer")  # fmt: skip
    assert (answer.status, answer.code) == (400, "BadRequestException")


def test_a_lambda_role_that_is_not_a_string_is_refused(localcloud):
    body = {"FunctionName": unique("fn"), "Role": 5, "Runtime": "python3.12", "Handler": "h.h",
            "Code": {"ZipFile": ""}}  # fmt: skip
    answer = send(localcloud, "lambda", "POST", "/2015-03-31/functions", json.dumps(body),
                  {"Content-Type": "application/json"}, operation="CreateFunction")  # fmt: skip
    assert (answer.status, answer.code) == (400, "InvalidRequestContentException")


def test_a_lambda_call_missing_a_required_member_is_a_validation_error(localcloud):
    body = {"FunctionName": unique("fn"), "Runtime": "python3.12", "Handler": "h.h",
            "Code": {"ZipFile": ""}}  # fmt: skip
    answer = send(localcloud, "lambda", "POST", "/2015-03-31/functions", json.dumps(body),
                  {"Content-Type": "application/json"}, operation="CreateFunction")  # fmt: skip
    assert (answer.status, answer.code) == (400, "ValidationException")
    assert "Value null at 'role'" in answer.message


def test_an_iam_call_missing_a_required_member_is_a_validation_error(localcloud):
    answer = iam(localcloud, "GetRole", "")
    assert (answer.status, answer.code) == (400, "ValidationError")
    assert "Value null at 'roleName'" in answer.message


def test_an_sts_number_that_is_not_one_is_refused(localcloud):
    body = ("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s&DurationSeconds=abc"
            f"&RoleArn=arn:aws:iam::{ACCOUNT}:role/x")  # fmt: skip
    answer = send(localcloud, "sts", "POST", "/", body, {"Content-Type": FORM},
                  operation="AssumeRole")  # fmt: skip
    assert (answer.status, answer.code) == (400, "ValidationError")


def test_a_logs_call_breaking_a_constraint_is_refused(localcloud):
    headers = {"Content-Type": JSON_11, "X-Amz-Target": "Logs_20140328.CreateLogGroup"}
    answer = send(localcloud, "logs", "POST", "/", json.dumps({"logGroupName": ""}), headers,
                  operation="CreateLogGroup")  # fmt: skip
    assert (answer.status, answer.code) == (400, "InvalidParameterException")
    assert "Member must have length greater than or equal to 1" in answer.message


def test_the_server_still_serves_and_logged_no_traceback(localcloud, pool_id):
    """Runs last in this module: every refusal above was an answer, not a crash."""
    idp = localcloud.client("cognito-idp")
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    assert "Traceback" not in localcloud.log()
