"""helpers.apigateway: deployments and their clean-up, throttling, method guards, placeholders."""

from __future__ import annotations

import json

import boto3
import pytest

from helpers.apigateway import (
    delete_rest_api,
    deploy,
    ensure_cognito_authorizer,
    ensure_lambda_proxy_integration,
    ensure_method,
    ensure_mock_placeholder,
    execute_api_arn,
)
from helpers.cloud import Cloud
from helpers.errors import KitError
from tests.support import ACCOUNT, REGION

API = "a1b2c3d4e5"
HELLO = "res123"
IDS = {"restApiId": API, "resourceId": HELLO, "httpMethod": "GET"}
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:simple-api-hello"
URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations"


class BoolText:
    """Equal to a patch value API Gateway reads as this boolean ("true"/"True", "false"...)."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.lower() == str(self.value).lower()

    def __repr__(self) -> str:
        return f"BoolText({self.value})"


# -- deploy --------------------------------------------------------------------------------------


def test_deploy_retries_throttling_and_deletes_only_unused_deployments(stubbed, retry_sleeps):
    apigw, stubber = stubbed("apigateway")
    delays = retry_sleeps("helpers.apigateway")
    create = {"restApiId": API, "stageName": "dev", "description": "GET /hello behind a key"}
    stubber.add_client_error(
        "create_deployment", "TooManyRequestsException", "Too Many Requests", 429, None, create
    )
    stubber.add_response("create_deployment", {"id": "new1"}, create)
    stubber.add_response(
        "get_stages",
        {
            "item": [
                {"stageName": "dev", "deploymentId": "new1"},
                {"stageName": "test", "deploymentId": "kept2"},
            ]
        },
        {"restApiId": API},
    )
    stubber.add_response(
        "get_deployments",
        {"items": [{"id": "old1"}, {"id": "kept2"}, {"id": "new1"}], "position": "p2"},
        {"restApiId": API},
    )
    delete_old1 = {"restApiId": API, "deploymentId": "old1"}
    stubber.add_client_error(
        "delete_deployment", "TooManyRequestsException", "Too Many Requests", 429, None, delete_old1
    )
    stubber.add_response("delete_deployment", {}, delete_old1)
    # the paginator fetches the second page once the first is done with
    stubber.add_response(
        "get_deployments", {"items": [{"id": "old3"}]}, {"restApiId": API, "position": "p2"}
    )
    stubber.add_response("delete_deployment", {}, {"restApiId": API, "deploymentId": "old3"})

    assert deploy(apigw, API, "dev", "GET /hello behind a key") == "new1"

    stubber.assert_no_pending_responses()
    assert delays == [2.0, 2.0]


def test_deploy_with_nothing_to_clean_deletes_nothing(stubbed, retry_sleeps):
    apigw, stubber = stubbed("apigateway")
    delays = retry_sleeps("helpers.apigateway")
    stubber.add_response(
        "create_deployment", {"id": "d2"}, {"restApiId": API, "stageName": "dev", "description": ""}
    )
    stubber.add_response(
        "get_stages", {"item": [{"stageName": "dev", "deploymentId": "d2"}]}, {"restApiId": API}
    )
    stubber.add_response("get_deployments", {"items": [{"id": "d2"}]}, {"restApiId": API})
    assert deploy(apigw, API, "dev") == "d2"
    stubber.assert_no_pending_responses()
    assert delays == []


def test_deploy_never_deletes_the_new_deployment_even_if_no_stage_shows_it_yet(stubbed):
    apigw, stubber = stubbed("apigateway")
    stubber.add_response("create_deployment", {"id": "new1"})
    # GetStages still answers the previous deployment (eventual consistency)
    stubber.add_response(
        "get_stages", {"item": [{"stageName": "dev", "deploymentId": "old1"}]}, {"restApiId": API}
    )
    stubber.add_response(
        "get_deployments", {"items": [{"id": "old1"}, {"id": "new1"}]}, {"restApiId": API}
    )
    assert deploy(apigw, API, "dev") == "new1"
    stubber.assert_no_pending_responses()


def test_deploy_does_not_retry_other_errors(stubbed, retry_sleeps):
    apigw, stubber = stubbed("apigateway")
    delays = retry_sleeps("helpers.apigateway")
    stubber.add_client_error(
        "create_deployment", "BadRequestException", "No integration defined for method", 400
    )
    with pytest.raises(apigw.exceptions.BadRequestException):
        deploy(apigw, API, "dev")
    stubber.assert_no_pending_responses()
    assert delays == []


# -- delete_rest_api -----------------------------------------------------------------------------


def rest_apis(stubber, *items: dict) -> None:
    stubber.add_response("get_rest_apis", {"items": list(items)}, {})


def test_delete_rest_api_waits_out_throttling(stubbed, retry_sleeps):
    apigw, stubber = stubbed("apigateway")
    delays = retry_sleeps("helpers.apigateway")
    rest_apis(stubber, {"id": "other", "name": "other-api"}, {"id": API, "name": "simple-api"})
    for _ in range(2):
        stubber.add_client_error(
            "delete_rest_api",
            "TooManyRequestsException",
            "Too Many Requests",
            429,
            expected_params={"restApiId": API},
        )
    stubber.add_response("delete_rest_api", {}, {"restApiId": API})
    assert delete_rest_api(apigw, "simple-api") is True
    stubber.assert_no_pending_responses()
    assert delays == [10.0, 20.0]


def test_delete_rest_api_gives_up_after_six_attempts(stubbed, retry_sleeps):
    apigw, stubber = stubbed("apigateway")
    delays = retry_sleeps("helpers.apigateway")
    rest_apis(stubber, {"id": API, "name": "simple-api"})
    for _ in range(6):
        stubber.add_client_error("delete_rest_api", "TooManyRequestsException", "", 429)
    with pytest.raises(apigw.exceptions.TooManyRequestsException):
        delete_rest_api(apigw, "simple-api")
    stubber.assert_no_pending_responses()
    assert delays == [10.0, 20.0, 30.0, 30.0, 30.0]


def test_delete_rest_api_of_nothing_is_false(stubbed):
    apigw, stubber = stubbed("apigateway")
    rest_apis(stubber, {"id": "other", "name": "other-api"})
    assert delete_rest_api(apigw, "simple-api") is False
    stubber.assert_no_pending_responses()


def test_two_apis_with_one_name_is_a_kit_error(stubbed):
    apigw, stubber = stubbed("apigateway")
    rest_apis(stubber, {"id": "one", "name": "simple-api"}, {"id": "two", "name": "simple-api"})
    with pytest.raises(KitError, match=r"2 REST APIs are named 'simple-api' \(one, two\)"):
        delete_rest_api(apigw, "simple-api")


# -- ensure_method -------------------------------------------------------------------------------


def get_method(stubber, **method) -> None:
    stubber.add_response("get_method", {"httpMethod": "GET", **method}, IDS)


def test_switching_hello_from_api_key_to_cognito_patches_three_fields(stubbed):
    apigw, stubber = stubbed("apigateway")
    get_method(stubber, authorizationType="NONE", apiKeyRequired=True)
    stubber.add_response(
        "update_method",
        {"httpMethod": "GET", "authorizationType": "COGNITO_USER_POOLS", "authorizerId": "auth1"},
        {
            **IDS,
            "patchOperations": [
                {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
                {"op": "replace", "path": "/authorizerId", "value": "auth1"},
                {"op": "replace", "path": "/apiKeyRequired", "value": BoolText(False)},
            ],
        },
    )
    method = ensure_method(
        apigw,
        API,
        HELLO,
        "GET",
        authorization_type="COGNITO_USER_POOLS",
        authorizer_id="auth1",
        api_key_required=False,
    )
    stubber.assert_no_pending_responses()
    assert method["authorizerId"] == "auth1"


def test_method_already_right_makes_no_call(stubbed):
    apigw, stubber = stubbed("apigateway")
    current = {
        "authorizationType": "COGNITO_USER_POOLS",
        "authorizerId": "auth1",
        "apiKeyRequired": False,
    }
    get_method(stubber, **current)
    method = ensure_method(
        apigw, API, HELLO, "GET", authorization_type="COGNITO_USER_POOLS", authorizer_id="auth1"
    )
    stubber.assert_no_pending_responses()
    assert method["authorizationType"] == "COGNITO_USER_POOLS"


def test_another_authorizer_is_replaced(stubbed):
    apigw, stubber = stubbed("apigateway")
    get_method(stubber, authorizationType="COGNITO_USER_POOLS", authorizerId="stale")
    stubber.add_response(
        "update_method",
        {"httpMethod": "GET"},
        {
            **IDS,
            "patchOperations": [
                {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
                {"op": "replace", "path": "/authorizerId", "value": "auth1"},
            ],
        },
    )
    ensure_method(
        apigw, API, HELLO, "GET", authorization_type="COGNITO_USER_POOLS", authorizer_id="auth1"
    )
    stubber.assert_no_pending_responses()


def test_new_method_with_required_query_strings(stubbed):
    apigw, stubber = stubbed("apigateway")
    stubber.add_client_error("get_method", "NotFoundException", "Invalid Method identifier", 404)
    wanted = {
        "method.request.querystring.username": True,
        "method.request.querystring.password": True,
    }
    stubber.add_response(
        "put_method",
        {"httpMethod": "GET", "requestParameters": wanted},
        {
            **IDS,
            "authorizationType": "NONE",
            "apiKeyRequired": False,
            "requestValidatorId": "val1",
            "requestParameters": wanted,
        },
    )
    ensure_method(
        apigw,
        API,
        HELLO,
        "GET",
        request_validator_id="val1",
        required_query_strings=("username", "password"),
    )
    stubber.assert_no_pending_responses()


def test_new_cognito_method_names_its_authorizer(stubbed):
    apigw, stubber = stubbed("apigateway")
    stubber.add_client_error("get_method", "NotFoundException", "Invalid Method identifier", 404)
    stubber.add_response(
        "put_method",
        {"httpMethod": "GET"},
        {
            **IDS,
            "authorizationType": "COGNITO_USER_POOLS",
            "apiKeyRequired": False,
            "authorizerId": "auth1",
        },
    )
    ensure_method(
        apigw, API, HELLO, "GET", authorization_type="COGNITO_USER_POOLS", authorizer_id="auth1"
    )
    stubber.assert_no_pending_responses()


def test_existing_method_gets_missing_validator_and_query_strings(stubbed):
    apigw, stubber = stubbed("apigateway")
    get_method(
        stubber,
        authorizationType="NONE",
        apiKeyRequired=False,
        requestParameters={"method.request.querystring.username": True},
    )
    stubber.add_response(
        "update_method",
        {"httpMethod": "GET"},
        {
            **IDS,
            "patchOperations": [
                {"op": "replace", "path": "/requestValidatorId", "value": "val1"},
                {
                    "op": "add",
                    "path": "/requestParameters/method.request.querystring.password",
                    "value": "true",
                },
            ],
        },
    )
    ensure_method(
        apigw,
        API,
        HELLO,
        "GET",
        request_validator_id="val1",
        required_query_strings=("username", "password"),
    )
    stubber.assert_no_pending_responses()


def test_cognito_without_an_authorizer_is_refused_before_any_call(stubbed):
    apigw, _ = stubbed("apigateway")  # no stubs: any call would fail
    with pytest.raises(ValueError, match="authorizer_id"):
        ensure_method(apigw, API, HELLO, "GET", authorization_type="COGNITO_USER_POOLS")


# -- integrations --------------------------------------------------------------------------------


def test_mock_placeholder_leaves_a_lambda_integration_alone(stubbed):
    apigw, stubber = stubbed("apigateway")
    proxy = {"type": "AWS_PROXY", "httpMethod": "POST", "uri": URI}
    stubber.add_response("get_integration", proxy, IDS)
    found = ensure_mock_placeholder(apigw, API, HELLO, "GET", 501, "Not wired yet")
    stubber.assert_no_pending_responses()  # no Put* call was stubbed, so none was made
    assert found["type"] == "AWS_PROXY"


def test_mock_placeholder_is_created_when_missing(stubbed):
    apigw, stubber = stubbed("apigateway")
    body = json.dumps({"message": "Not wired yet"})
    stubber.add_client_error("get_integration", "NotFoundException", "No integration", 404)
    stubber.add_client_error(
        "get_method_response",
        "NotFoundException",
        "Invalid Response status code",
        404,
        expected_params={**IDS, "statusCode": "501"},
    )
    stubber.add_response("put_method_response", {"statusCode": "501"}, {**IDS, "statusCode": "501"})
    stubber.add_response(
        "put_integration",
        {"type": "MOCK"},
        {**IDS, "type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 501}'}},
    )
    stubber.add_response(
        "put_integration_response",
        {"statusCode": "501"},
        {
            **IDS,
            "statusCode": "501",
            "selectionPattern": "",
            "responseTemplates": {"application/json": body},
        },
    )
    stubber.add_response("get_integration", {"type": "MOCK"}, IDS)
    assert ensure_mock_placeholder(apigw, API, HELLO, "GET", 501, "Not wired yet") == {
        "type": "MOCK"
    }
    stubber.assert_no_pending_responses()


def test_mock_placeholder_already_right_makes_no_call(stubbed):
    apigw, stubber = stubbed("apigateway")
    current = {
        "type": "MOCK",
        "requestTemplates": {"application/json": '{"statusCode": 501}'},
        "integrationResponses": {
            "501": {
                "statusCode": "501",
                "responseTemplates": {"application/json": '{"message": "Not wired yet"}'},
            }
        },
    }
    stubber.add_response("get_integration", current, IDS)
    ensure_mock_placeholder(apigw, API, HELLO, "GET", 501, "Not wired yet")
    stubber.assert_no_pending_responses()


def test_lambda_proxy_integration_is_put_when_missing_and_kept_when_right(stubbed):
    apigw, stubber = stubbed("apigateway")
    stubber.add_client_error("get_integration", "NotFoundException", "No integration", 404)
    put = {**IDS, "type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": URI}
    stubber.add_response("put_integration", {"type": "AWS_PROXY", "uri": URI}, put)
    ensure_lambda_proxy_integration(apigw, API, HELLO, "GET", REGION, FUNCTION_ARN)
    stubber.add_response("get_integration", {"type": "AWS_PROXY", "uri": URI}, IDS)
    ensure_lambda_proxy_integration(apigw, API, HELLO, "GET", REGION, FUNCTION_ARN)
    stubber.assert_no_pending_responses()


def test_execute_api_arn():
    assert (
        execute_api_arn(REGION, ACCOUNT, API, "GET", "/hello")
        == f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{API}/*/GET/hello"
    )


# -- stage URLs (helpers.cloud.Cloud.stage_url) --------------------------------------------------


def cloud(target: str, region: str, endpoint_url: str | None) -> Cloud:
    session = boto3.Session(region_name=region, aws_access_key_id="x", aws_secret_access_key="x")
    return Cloud(target=target, region=region, endpoint_url=endpoint_url, session=session)


def test_stage_url_on_the_local_cloud():
    local = cloud("local", "us-east-1", "http://127.0.0.1:4566")
    assert local.stage_url(API, "dev") == f"http://127.0.0.1:4566/restapis/{API}/dev/_user_request_"


def test_stage_url_on_aws():
    aws = cloud("aws", "eu-west-2", None)
    assert aws.stage_url(API, "dev") == f"https://{API}.execute-api.eu-west-2.amazonaws.com/dev"


# -- ensure_cognito_authorizer -------------------------------------------------------------------

POOL_ARN = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/us-east-1_AbCdEf123"
OLD_POOL_ARN = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/us-east-1_Old"
AUTHORIZER = {
    "id": "auth1",
    "name": "simple-api-cognito",
    "type": "COGNITO_USER_POOLS",
    "providerARNs": [POOL_ARN],
    "identitySource": "method.request.header.Authorization",
}


def authorizers(stubber, *items: dict) -> None:
    stubber.add_response("get_authorizers", {"items": list(items)}, {"restApiId": API})


def test_missing_authorizer_is_created(stubbed):
    apigw, stubber = stubbed("apigateway")
    authorizers(stubber, {**AUTHORIZER, "id": "x", "name": "another"})
    stubber.add_response(
        "create_authorizer",
        AUTHORIZER,
        {
            "restApiId": API,
            "name": "simple-api-cognito",
            "type": "COGNITO_USER_POOLS",
            "providerARNs": [POOL_ARN],
            "identitySource": "method.request.header.Authorization",
        },
    )
    assert ensure_cognito_authorizer(apigw, API, "simple-api-cognito", POOL_ARN)["id"] == "auth1"
    stubber.assert_no_pending_responses()


def test_authorizer_already_right_makes_no_call(stubbed):
    apigw, stubber = stubbed("apigateway")
    authorizers(stubber, AUTHORIZER)
    assert ensure_cognito_authorizer(apigw, API, "simple-api-cognito", POOL_ARN) == AUTHORIZER
    stubber.assert_no_pending_responses()


def test_authorizer_reading_another_header_is_patched(stubbed):
    apigw, stubber = stubbed("apigateway")
    authorizers(stubber, {**AUTHORIZER, "identitySource": "method.request.header.X-Token"})
    stubber.add_response(
        "update_authorizer",
        AUTHORIZER,
        {
            "restApiId": API,
            "authorizerId": "auth1",
            "patchOperations": [
                {
                    "op": "replace",
                    "path": "/identitySource",
                    "value": "method.request.header.Authorization",
                }
            ],
        },
    )
    ensure_cognito_authorizer(apigw, API, "simple-api-cognito", POOL_ARN)
    stubber.assert_no_pending_responses()


class ProviderArnOps:
    """Patch operations that move an authorizer from ``stale`` to ``fresh`` the way API Gateway
    documents its list members (and Terraform's provider does it): path ``/providerARNs``, the
    ARN as ``value`` (an ARN's ``/`` would otherwise have to be escaped as ``~1`` in the path)."""

    def __init__(self, fresh: str, stale: str) -> None:
        self.wanted = {("add", fresh), ("remove", stale)}

    def __eq__(self, ops: object) -> bool:
        return (
            isinstance(ops, list)
            and all(op.get("path") == "/providerARNs" for op in ops)
            and {(op.get("op"), op.get("value")) for op in ops} == self.wanted
        )

    def __repr__(self) -> str:
        return f"ProviderArnOps({sorted(self.wanted)})"


def test_authorizer_of_another_pool_is_repointed(stubbed):
    apigw, stubber = stubbed("apigateway")
    authorizers(stubber, {**AUTHORIZER, "providerARNs": [OLD_POOL_ARN]})
    stubber.add_response(
        "update_authorizer",
        AUTHORIZER,
        {
            "restApiId": API,
            "authorizerId": "auth1",
            "patchOperations": ProviderArnOps(POOL_ARN, OLD_POOL_ARN),
        },
    )
    ensure_cognito_authorizer(apigw, API, "simple-api-cognito", POOL_ARN)
    stubber.assert_no_pending_responses()
