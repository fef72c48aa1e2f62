"""Control-plane calls the kit makes, answered as AWS answers them."""

import json

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support import ACCOUNT, LAMBDA_TRUST, create_function, unique

from .apibuilder import RestApi

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def test_aws_managed_policies_exist_and_attach(localcloud):
    iam = localcloud.client("iam")
    policy = iam.get_policy(PolicyArn=BASIC_EXECUTION)["Policy"]
    document = iam.get_policy_version(
        PolicyArn=BASIC_EXECUTION, VersionId=policy["DefaultVersionId"]
    )["PolicyVersion"]
    actions = document["Document"]["Statement"][0]["Action"]
    assert "logs:PutLogEvents" in actions
    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [BASIC_EXECUTION]


def test_add_permission_refuses_a_statement_id_already_there(localcloud, lambda_role):
    fn = create_function(localcloud, lambda_role, "def handler(e, c):\n    return 1\n")
    lam = localcloud.client("lambda")
    grant = {
        "FunctionName": fn["FunctionName"],
        "StatementId": "apigw",
        "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/hello",
    }
    lam.add_permission(**grant)
    with pytest.raises(ClientError) as err:
        lam.add_permission(**grant)
    assert err.value.response["Error"]["Code"] == "ResourceConflictException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert "The statement id (apigw) provided already exists" in str(err.value)
    lam.remove_permission(FunctionName=fn["FunctionName"], StatementId="apigw")
    lam.add_permission(**grant)  # free again once removed


def test_an_aws_managed_policy_that_does_not_exist_is_not_invented(localcloud):
    iam = localcloud.client("iam")
    with pytest.raises(ClientError) as err:
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/service-role/NoSuchPolicyAtAll")
    assert err.value.response["Error"]["Code"] == "NoSuchEntity"


def test_delete_deployment_refused_only_while_a_stage_serves_it(localcloud, lambda_role):
    fn = create_function(localcloud, lambda_role, "def handler(e, c):\n    return {}\n")
    api = RestApi.create(localcloud)
    api.route("/x", "GET", fn)
    apigw = api.apigw
    first = apigw.create_deployment(restApiId=api.api_id, stageName="dev")["id"]
    with pytest.raises(ClientError) as err:
        apigw.delete_deployment(restApiId=api.api_id, deploymentId=first)
    assert err.value.response["Error"]["Code"] == "BadRequestException"
    assert err.value.response["Error"]["Message"] == (
        "Active stages pointing to this deployment must be moved or deleted"
    )
    second = apigw.create_deployment(restApiId=api.api_id, stageName="dev")["id"]
    apigw.delete_deployment(restApiId=api.api_id, deploymentId=first)  # dev moved on
    left = [d["id"] for d in apigw.get_deployments(restApiId=api.api_id)["items"]]
    assert left == [second]
    with pytest.raises(ClientError) as err:
        apigw.delete_deployment(restApiId=api.api_id, deploymentId=first)
    assert err.value.response["Error"]["Code"] == "NotFoundException"


def test_a_redeployment_keeps_the_stages_settings(localcloud, lambda_role):
    """docs/aws-behavior.md#stages-serve-deployments rule 4: CreateDeployment to an existing
    stage points it at the new deployment; its settings stay and given variables merge in."""
    fn = create_function(localcloud, lambda_role, "def handler(e, c):\n    return {}\n")
    api = RestApi.create(localcloud)
    api.route("/x", "GET", fn)
    apigw = api.apigw
    apigw.create_deployment(restApiId=api.api_id, stageName="dev")
    apigw.update_stage(
        restApiId=api.api_id,
        stageName="dev",
        patchOperations=[
            {"op": "replace", "path": "/variables/kept", "value": "yes"},
            {"op": "replace", "path": "/description", "value": "the dev stage"},
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "7"},
        ],
    )
    second = apigw.create_deployment(
        restApiId=api.api_id, stageName="dev", variables={"added": "1"}
    )["id"]
    stage = apigw.get_stage(restApiId=api.api_id, stageName="dev")
    assert stage["deploymentId"] == second
    assert stage["variables"] == {"kept": "yes", "added": "1"}
    assert stage["description"] == "the dev stage"
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 7.0


def test_missing_integration_and_method_response_are_not_found(localcloud):
    api = RestApi.create(localcloud)
    apigw = api.apigw
    root = apigw.get_resources(restApiId=api.api_id)["items"][0]["id"]
    ids = dict(restApiId=api.api_id, resourceId=root, httpMethod="GET")
    apigw.put_method(**ids, authorizationType="NONE")
    for call, message in [
        (lambda: apigw.get_integration(**ids), "Invalid Integration identifier specified"),
        (
            lambda: apigw.get_method_response(**ids, statusCode="501"),
            "Invalid Response status code specified",
        ),
    ]:
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "NotFoundException"
        assert err.value.response["Error"]["Message"] == message
    apigw.put_method_response(**ids, statusCode="501")
    apigw.put_integration(**ids, type="MOCK", requestTemplates={"application/json": "{}"})
    assert apigw.get_integration(**ids)["type"] == "MOCK"
    assert apigw.get_method_response(**ids, statusCode="501")["statusCode"] == "501"


def test_an_authorizer_can_be_pointed_at_another_pool(localcloud):
    api = RestApi.create(localcloud)
    apigw = api.apigw
    old = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_old"
    new = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_new"
    authorizer = apigw.create_authorizer(
        restApiId=api.api_id,
        name="pool",
        type="COGNITO_USER_POOLS",
        providerARNs=[old],
        identitySource="method.request.header.Authorization",
    )["id"]
    updated = apigw.update_authorizer(
        restApiId=api.api_id,
        authorizerId=authorizer,
        patchOperations=[
            {"op": "add", "path": "/providerARNs", "value": new},
            {"op": "remove", "path": "/providerARNs", "value": old},
            {"op": "replace", "path": "/name", "value": "renamed"},
        ],
    )
    assert (updated["providerARNs"], updated["name"]) == ([new], "renamed")
    stored = apigw.get_authorizer(restApiId=api.api_id, authorizerId=authorizer)
    assert stored["providerARNs"] == [new]
    with pytest.raises(ClientError) as err:
        apigw.update_authorizer(
            restApiId=api.api_id,
            authorizerId="nope",
            patchOperations=[{"op": "add", "path": "/providerARNs", "value": new}],
        )
    assert err.value.response["Error"]["Code"] == "NotFoundException"


@pytest.mark.parametrize(
    "call",
    [
        lambda apigw: apigw.get_rest_api(restApiId="nope000000"),
        lambda apigw: apigw.delete_rest_api(restApiId="nope000000"),
        lambda apigw: apigw.get_resources(restApiId="nope000000"),
        lambda apigw: apigw.create_deployment(restApiId="nope000000", stageName="dev"),
    ],
    ids=["GetRestApi", "DeleteRestApi", "GetResources", "CreateDeployment"],
)
def test_an_unknown_rest_api_is_404_with_aws_words(localcloud, call):
    """docs/aws-behavior.md#api-gateway-control-plane rule 23 (DeleteRestApi was a 500)."""
    with pytest.raises(ClientError) as err:
        call(localcloud.client("apigateway"))
    response = err.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert response["Error"]["Code"] == "NotFoundException"
    assert response["Error"]["Message"] == (
        f"Invalid API identifier specified {ACCOUNT}:nope000000"
    )


def test_api_gateway_errors_have_its_body(localcloud):
    """docs/aws-behavior.md#api-gateway-control-plane rule 24: ``{"message": ...}``."""
    bodies: list[bytes] = []

    def keep_body(response_dict, **_):
        bodies.append(response_dict["body"])

    once = Config(retries={"max_attempts": 1})  # a client of its own: the hook stays here
    apigw = localcloud.client("apigateway", config=once)
    apigw.meta.events.register("before-parse.api-gateway.GetRestApi", keep_body)
    with pytest.raises(ClientError):
        apigw.get_rest_api(restApiId="nope000000")
    assert json.loads(bodies[-1]) == {
        "message": f"Invalid API identifier specified {ACCOUNT}:nope000000"
    }
