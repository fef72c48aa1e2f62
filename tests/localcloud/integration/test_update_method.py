"""UpdateMethod and UpdateIntegration (moto lacks them): the tutorial swaps /hello's API key for
the Cognito authorizer with a patch, and the change is live only after a new deployment."""

import pytest
import requests
from botocore.exceptions import ClientError

from tests.support import create_function

from .apibuilder import ApiKeys, RestApi, UserPool

HELLO = "import json\ndef handler(e, c):\n    return {'statusCode': 200, 'body': 'hi'}\n"


@pytest.fixture(scope="module")
def guarded(localcloud, lambda_role):
    fn = create_function(localcloud, lambda_role, HELLO)
    api = RestApi.create(localcloud)
    api.route("/hello", "GET", fn, api_key=True)
    keys = ApiKeys(localcloud)
    key_id, key_value = keys.key()
    api.deploy("dev")
    keys.plan(api.api_id, "dev", [key_id])
    return api, key_value


def test_swap_api_key_for_cognito_authorizer(localcloud, guarded):
    api, key = guarded
    pool = UserPool.create(localcloud)
    id_token = pool.tokens()["IdToken"]
    url = api.url("dev", "hello")
    assert requests.get(url).status_code == 403
    assert requests.get(url, headers={"x-api-key": key}).status_code == 200

    authorizer = api.cognito_authorizer([pool.arn])
    updated = api.apigw.update_method(
        restApiId=api.api_id,
        resourceId=api.resource("/hello"),
        httpMethod="GET",
        patchOperations=[
            {"op": "replace", "path": "/apiKeyRequired", "value": "false"},
            {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
            {"op": "replace", "path": "/authorizerId", "value": authorizer},
        ],
    )
    assert (updated["authorizationType"], updated["authorizerId"], updated["apiKeyRequired"]) == (
        "COGNITO_USER_POOLS",
        authorizer,
        False,
    )
    method = api.apigw.get_method(
        restApiId=api.api_id, resourceId=api.resource("/hello"), httpMethod="GET"
    )
    assert (
        method["authorizerId"] == authorizer and method["methodIntegration"]["type"] == "AWS_PROXY"
    )

    # not deployed yet: the stage still wants the API key and ignores tokens
    assert requests.get(url, headers={"x-api-key": key}).status_code == 200
    assert requests.get(url, headers={"Authorization": id_token}).status_code == 403

    api.deploy("dev")
    assert requests.get(url, headers={"x-api-key": key}).content == b'{"message":"Unauthorized"}'
    assert requests.get(url, headers={"Authorization": id_token}).content == b"hi"


def test_update_integration_and_request_parameters(localcloud, guarded):
    api, _key = guarded
    rid = api.resource("/hello")
    integration = api.apigw.update_integration(
        restApiId=api.api_id,
        resourceId=rid,
        httpMethod="GET",
        patchOperations=[{"op": "replace", "path": "/timeoutInMillis", "value": "5000"}],
    )
    assert integration["timeoutInMillis"] == 5000 and integration["type"] == "AWS_PROXY"
    method = api.apigw.update_method(
        restApiId=api.api_id,
        resourceId=rid,
        httpMethod="GET",
        patchOperations=[
            {
                "op": "add",
                "path": "/requestParameters/method.request.querystring.username",
                "value": "true",
            },
            {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"},
        ],
    )
    assert method["requestParameters"] == {"method.request.querystring.username": True}
    assert method["requestModels"] == {"application/json": "Empty"}


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/nope", "BadRequestException", "Invalid patch path '/nope' specified for op 'replace'"),
        ("/apiKeyRequired", "BadRequestException", "expected true or false"),
    ],
)
def test_bad_patch_is_refused(localcloud, guarded, path, error, message):
    api, _key = guarded
    with pytest.raises(ClientError) as err:
        api.apigw.update_method(
            restApiId=api.api_id,
            resourceId=api.resource("/hello"),
            httpMethod="GET",
            patchOperations=[{"op": "replace", "path": path, "value": "x"}],
        )
    assert err.value.response["Error"]["Code"] == error
    assert message in err.value.response["Error"]["Message"]


def test_unknown_method_is_not_found(localcloud, guarded):
    api, _key = guarded
    with pytest.raises(ClientError) as err:
        api.apigw.update_method(
            restApiId=api.api_id,
            resourceId=api.resource("/hello"),
            httpMethod="DELETE",
            patchOperations=[],
        )
    assert err.value.response["Error"]["Code"] == "NotFoundException"


def test_cognito_authorization_needs_an_authorizer(localcloud, lambda_role):
    fn = create_function(localcloud, lambda_role, HELLO)
    api = RestApi.create(localcloud)
    api.route("/open", "GET", fn)
    with pytest.raises(ClientError) as err:
        api.apigw.update_method(
            restApiId=api.api_id,
            resourceId=api.resource("/open"),
            httpMethod="GET",
            patchOperations=[
                {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"}
            ],
        )
    assert err.value.response["Error"]["Code"] == "BadRequestException"
    assert "requires a valid authorizer" in err.value.response["Error"]["Message"]


def test_authorization_none_drops_the_authorizer(localcloud, lambda_role):
    fn = create_function(localcloud, lambda_role, HELLO)
    api = RestApi.create(localcloud)
    api.route("/back", "GET", fn)
    pool = UserPool.create(localcloud)
    authorizer = api.cognito_authorizer([pool.arn])
    ids = dict(restApiId=api.api_id, resourceId=api.resource("/back"), httpMethod="GET")
    api.apigw.update_method(
        **ids,
        patchOperations=[
            {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
            {"op": "replace", "path": "/authorizerId", "value": authorizer},
        ],
    )
    api.apigw.update_method(
        **ids, patchOperations=[{"op": "replace", "path": "/authorizationType", "value": "NONE"}]
    )
    method = api.apigw.get_method(**ids)
    assert method["authorizationType"] == "NONE" and "authorizerId" not in method
    api.deploy("dev")
    assert requests.get(api.url("dev", "back")).content == b"hi"
