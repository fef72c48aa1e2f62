"""What each operation asks of IAM (localcloud/authz/operations.py): the table of operations the
kit's Lambdas and the Lambda runtime make, and the action and resource each is authorized against.
"""

from __future__ import annotations

import pytest

from localcloud.authz.evaluator import ALLOWED, IMPLICIT_DENY, PolicySource, evaluate
from localcloud.authz.operations import NO_PERMISSION, TABLE, Requirement, requirement

POOL_OPERATIONS = [
    "AdminInitiateAuth",
    "AdminSetUserPassword",
    "AdminRespondToAuthChallenge",
    "AdminGetUser",
    "AdminCreateUser",
    "AdminDeleteUser",
    "AdminResetUserPassword",
    "AdminUpdateUserAttributes",
    "AdminConfirmSignUp",
    "AdminDisableUser",
    "AdminEnableUser",
    "AdminUserGlobalSignOut",
    "AdminAddUserToGroup",
    "AdminRemoveUserFromGroup",
    "AdminListGroupsForUser",
    "DescribeUserPool",
    "DescribeUserPoolClient",
    "ListUsers",
    "ListUserPoolClients",
    "ListGroups",
]

#: the whole table: (signing service, operation) -> what the resource is (a change to the table
#: must change this list)
EXPECTED_TABLE = {
    ("cognito-idp", "AdminInitiateAuth"): "pool",
    ("cognito-idp", "AdminSetUserPassword"): "pool",
    ("cognito-idp", "AdminRespondToAuthChallenge"): "pool",
    ("cognito-idp", "AdminGetUser"): "pool",
    ("cognito-idp", "AdminCreateUser"): "pool",
    ("cognito-idp", "AdminDeleteUser"): "pool",
    ("cognito-idp", "AdminResetUserPassword"): "pool",
    ("cognito-idp", "AdminUpdateUserAttributes"): "pool",
    ("cognito-idp", "AdminConfirmSignUp"): "pool",
    ("cognito-idp", "AdminDisableUser"): "pool",
    ("cognito-idp", "AdminEnableUser"): "pool",
    ("cognito-idp", "AdminUserGlobalSignOut"): "pool",
    ("cognito-idp", "AdminAddUserToGroup"): "pool",
    ("cognito-idp", "AdminRemoveUserFromGroup"): "pool",
    ("cognito-idp", "AdminListGroupsForUser"): "pool",
    ("cognito-idp", "DescribeUserPool"): "pool",
    ("cognito-idp", "DescribeUserPoolClient"): "pool",
    ("cognito-idp", "ListUsers"): "pool",
    ("cognito-idp", "ListUserPoolClients"): "pool",
    ("cognito-idp", "ListGroups"): "pool",
    ("cognito-idp", "ListUserPools"): "everything",
    ("sts", "GetCallerIdentity"): "no permission",
    ("logs", "CreateLogGroup"): "log group",
    ("logs", "CreateLogStream"): "log stream",
    ("logs", "PutLogEvents"): "log stream",
}

PARAMS = {
    "UserPoolId": "eu-west-1_Ab12Cd34",
    "ClientId": "1example23456789",
    "Username": "alice",
    "logGroupName": "/aws/lambda/simple-api-auth",
    "logStreamName": "2024/01/01/[$LATEST]0123456789abcdef",
}


def expected_resource(kind: str, region: str, account: str) -> str:
    group = f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/simple-api-auth"
    return {
        "pool": f"arn:aws:cognito-idp:{region}:{account}:userpool/eu-west-1_Ab12Cd34",
        "everything": "*",
        "log group": group,
        "log stream": f"{group}:log-stream:2024/01/01/[$LATEST]0123456789abcdef",
    }[kind]


def test_the_whole_table():
    assert set(TABLE) == set(EXPECTED_TABLE)
    assert len(TABLE) == 25
    assert {op for service, op in TABLE if service == "cognito-idp"} >= set(POOL_OPERATIONS)


@pytest.mark.parametrize(
    ("service", "operation", "kind"),
    [pytest.param(s, o, k, id=f"{s}:{o}") for (s, o), k in EXPECTED_TABLE.items()],
)
def test_requirement_of_each_entry(service, operation, kind):
    # a region and account other than the defaults, to see both are taken from the call
    region, account = "eu-west-1", "111122223333"
    found = requirement(service, operation, PARAMS, region, account)
    if kind == "no permission":
        assert found == NO_PERMISSION
        return
    assert found == Requirement(f"{service}:{operation}", expected_resource(kind, region, account))


@pytest.mark.parametrize("operation", POOL_OPERATIONS)
def test_pool_operations_act_on_the_pool(operation):
    found = requirement(
        "cognito-idp", operation, {"UserPoolId": "us-east-1_abc"}, "us-east-1", "123456789012"
    )
    assert found == Requirement(
        f"cognito-idp:{operation}",
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
    )


def test_list_user_pools_acts_on_everything():
    found = requirement("cognito-idp", "ListUserPools", {"MaxResults": 10}, "us-east-1", "1")
    assert found == Requirement("cognito-idp:ListUserPools", "*")


def test_get_caller_identity_needs_no_permission():
    assert requirement("sts", "GetCallerIdentity", {}, "us-east-1", "123456789012") is (
        NO_PERMISSION
    )


@pytest.mark.parametrize(
    ("operation", "params", "resource"),
    [
        pytest.param(
            "CreateLogGroup",
            {"logGroupName": "/aws/lambda/fn"},
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn",
            id="CreateLogGroup",
        ),
        pytest.param(
            "CreateLogStream",
            {"logGroupName": "/aws/lambda/fn", "logStreamName": "s"},
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:log-stream:s",
            id="CreateLogStream",
        ),
        pytest.param(
            "PutLogEvents",
            {"logGroupName": "g", "logStreamName": "2024/01/01/[$LATEST]abc", "logEvents": []},
            "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:2024/01/01/[$LATEST]abc",
            id="PutLogEvents",
        ),
    ],
)
def test_logs_operations_act_on_group_or_stream(operation, params, resource):
    found = requirement("logs", operation, params, "us-east-1", "123456789012")
    assert found == Requirement(f"logs:{operation}", resource)


@pytest.mark.parametrize(
    ("service", "operation", "action"),
    [
        ("lambda", "ListFunctions", "lambda:ListFunctions"),
        ("lambda", "Invoke", "lambda:InvokeFunction"),  # IAM names it differently
        ("logs", "DeleteLogGroup", "logs:DeleteLogGroup"),
        ("sts", "AssumeRole", "sts:AssumeRole"),
        ("iam", "PutRolePolicy", "iam:PutRolePolicy"),
        ("cognito-idp", "CreateUserPool", "cognito-idp:CreateUserPool"),
        ("logs", "AdminInitiateAuth", "logs:AdminInitiateAuth"),  # the service is part of the key
    ],
)
def test_an_operation_outside_the_table_needs_its_action_on_star(service, operation, action):
    """IAM denies by default: no operation is let through unchecked
    (docs/aws-behavior.md#iam)."""
    found = requirement(service, operation, PARAMS, "us-east-1", "123456789012")
    assert found == Requirement(action, "*")


def test_api_gateway_calls_need_their_http_verb_on_the_paths_arn():
    found = requirement(
        "apigateway", "UpdateMethod", PARAMS, "us-east-1", "123456789012",
        method="PATCH", path="/restapis/a1/resources/r1/methods/GET",
    )  # fmt: skip
    assert found == Requirement(
        "apigateway:PATCH", "arn:aws:apigateway:us-east-1::/restapis/a1/resources/r1/methods/GET"
    )


# -- the table and the evaluator together ----------------------------------------------------

POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
TUTORIAL = PolicySource(
    "simple-api-cognito-admin",
    "user-managed",
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["cognito-idp:AdminInitiateAuth", "cognito-idp:AdminSetUserPassword"],
                "Resource": POOL,
            }
        ],
    },
)
BASIC_EXECUTION = PolicySource(
    "AWSLambdaBasicExecutionRole",
    "aws-managed",
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            }
        ],
    },
)
LOGS = {"logGroupName": "/aws/lambda/simple-api-auth", "logStreamName": "s"}


@pytest.mark.parametrize(
    ("service", "operation", "params", "expected"),
    [
        pytest.param(
            *row, id=f"{row[1]}-{row[2].get('UserPoolId', '')}-{row[3]}".replace("--", "-")
        )
        for row in [
            ("cognito-idp", "AdminInitiateAuth", {"UserPoolId": "us-east-1_abc"}, ALLOWED),
            ("cognito-idp", "AdminSetUserPassword", {"UserPoolId": "us-east-1_abc"}, ALLOWED),
            ("cognito-idp", "AdminInitiateAuth", {"UserPoolId": "us-east-1_xyz"}, IMPLICIT_DENY),
            ("cognito-idp", "AdminDeleteUser", {"UserPoolId": "us-east-1_abc"}, IMPLICIT_DENY),
            ("cognito-idp", "ListUserPools", {}, IMPLICIT_DENY),
            ("logs", "CreateLogGroup", LOGS, ALLOWED),
            ("logs", "CreateLogStream", LOGS, ALLOWED),
            ("logs", "PutLogEvents", LOGS, ALLOWED),
        ]
    ],
)
def test_tutorial_role_against_the_table(service, operation, params, expected):
    found = requirement(service, operation, params, "us-east-1", "123456789012")
    assert isinstance(found, Requirement)
    decision = evaluate([TUTORIAL, BASIC_EXECUTION], found.action, found.resource)
    assert decision.decision == expected
