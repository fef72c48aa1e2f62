"""Control-plane calls the kit makes, answered as AWS answers them."""

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LAMBDA_TRUST, create_function, unique

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
