"""IAM enforced offline: a Lambda's AWS calls (signed with its role's temporary credentials) are
allowed or denied by the role's policies, as on AWS; the policy simulator answers from the same
evaluator; the learner's own credentials are not restricted."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.support import (
    ACCOUNT,
    BASIC_EXECUTION_ROLE,
    LAMBDA_TRUST,
    REGION,
    create_function,
    unique,
)

from .apibuilder import PASSWORD, UserPool

# Signs the pool's user in with the role's credentials, as simple-api-auth does; answers the
# outcome instead of raising, so the test sees AWS's error code and message.
SIGN_IN = """
import boto3
from botocore.exceptions import ClientError

def handler(event, context):
    idp = boto3.client("cognito-idp")
    try:
        if event.get("op") == "list":
            idp.list_user_pools(MaxResults=10)
        elif event.get("op") == "whoami":
            return {"ok": boto3.client("sts").get_caller_identity()["Arn"]}
        elif event.get("op") == "unlisted":
            boto3.client("lambda").list_functions()
        else:
            idp.admin_initiate_auth(
                UserPoolId=event["pool"], ClientId=event["client"],
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": event["user"], "PASSWORD": event["password"]},
            )
        return {"ok": True}
    except ClientError as err:
        return {"code": err.response["Error"]["Code"], "message": err.response["Error"]["Message"]}
"""


@pytest.fixture(scope="module")
def pools(localcloud):
    return UserPool.create(localcloud), UserPool.create(localcloud)


def role_with(localcloud, *documents: dict, basic: bool = True) -> tuple[str, str]:
    """A Lambda role with these inline policies; (name, arn)."""
    iam = localcloud.client("iam")
    name = unique("role")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"][
        "Arn"
    ]
    if basic:
        iam.attach_role_policy(RoleName=name, PolicyArn=BASIC_EXECUTION_ROLE)
    for index, document in enumerate(documents):
        iam.put_role_policy(
            RoleName=name, PolicyName=f"inline-{index}", PolicyDocument=json.dumps(document)
        )
    return name, arn


def allow(actions: list[str], resource: str, effect: str = "Allow") -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Action": actions, "Resource": resource}],
    }


def sign_in_as(localcloud, role_arn: str, pool: UserPool, **event) -> tuple[str, dict]:
    function = create_function(localcloud, role_arn, SIGN_IN)["FunctionName"]
    payload = {
        "pool": pool.pool_id,
        "client": pool.clients[0],
        "user": pool.username,
        "password": PASSWORD,
        **event,
    }
    answer = localcloud.client("lambda").invoke(
        FunctionName=function, Payload=json.dumps(payload).encode()
    )
    assert "FunctionError" not in answer, answer["Payload"].read()
    return function, json.loads(answer["Payload"].read())


def expected_denial(role: str, function: str, action: str, resource: str, explicit=False) -> str:
    head = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{function} is not authorized to "
        f"perform: {action} on resource: {resource}"
    )
    if explicit:
        return f"{head} with an explicit deny in an identity-based policy"
    return f"{head} because no identity-based policy allows the {action} action"


def test_a_role_without_the_permission_is_denied_with_awss_message(localcloud, pools):
    pool, _other = pools
    role, arn = role_with(localcloud)
    function, answer = sign_in_as(localcloud, arn, pool)
    assert answer == {
        "code": "AccessDeniedException",
        "message": expected_denial(role, function, "cognito-idp:AdminInitiateAuth", pool.arn),
    }


def test_the_pool_scoped_policy_allows_sign_in(localcloud, pools):
    pool, _other = pools
    _role, arn = role_with(
        localcloud,
        allow(["cognito-idp:AdminInitiateAuth", "cognito-idp:AdminSetUserPassword"], pool.arn),
    )
    assert sign_in_as(localcloud, arn, pool)[1] == {"ok": True}


def test_a_policy_scoped_to_another_pool_is_denied(localcloud, pools):
    pool, other = pools
    role, arn = role_with(localcloud, allow(["cognito-idp:AdminInitiateAuth"], other.arn))
    function, answer = sign_in_as(localcloud, arn, pool)
    assert answer["code"] == "AccessDeniedException"
    assert answer["message"] == expected_denial(
        role, function, "cognito-idp:AdminInitiateAuth", pool.arn
    )
    assert sign_in_as(localcloud, arn, other)[1] == {"ok": True}


def test_an_explicit_deny_wins_over_an_allow(localcloud, pools):
    pool, _other = pools
    role, arn = role_with(
        localcloud,
        allow(["cognito-idp:*"], "*"),
        allow(["cognito-idp:AdminInitiateAuth"], pool.arn, effect="Deny"),
    )
    function, answer = sign_in_as(localcloud, arn, pool)
    assert answer == {
        "code": "AccessDeniedException",
        "message": expected_denial(
            role, function, "cognito-idp:AdminInitiateAuth", pool.arn, explicit=True
        ),
    }


def test_list_operations_are_authorized_on_star(localcloud, pools):
    pool, _other = pools
    role, arn = role_with(localcloud, allow(["cognito-idp:ListUserPools"], pool.arn))
    function, answer = sign_in_as(localcloud, arn, pool, op="list")
    assert answer["message"] == expected_denial(role, function, "cognito-idp:ListUserPools", "*")
    _role, star = role_with(localcloud, allow(["cognito-idp:ListUserPools"], "*"))
    assert sign_in_as(localcloud, star, pool, op="list")[1] == {"ok": True}


def test_get_caller_identity_needs_no_permission(localcloud, pools):
    pool, _other = pools
    role, arn = role_with(localcloud, basic=False)
    function, answer = sign_in_as(localcloud, arn, pool, op="whoami")
    assert answer == {"ok": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{function}"}


def test_an_operation_outside_the_table_is_denied_unless_allowed_on_star(localcloud, pools):
    """IAM denies by default: an operation the table does not name needs ``service:Operation``
    on ``*`` (docs/aws-behavior.md#iam)."""
    pool, _other = pools
    role, arn = role_with(localcloud, basic=False)
    function, answer = sign_in_as(localcloud, arn, pool, op="unlisted")
    assert answer == {
        "code": "AccessDeniedException",
        "message": expected_denial(role, function, "lambda:ListFunctions", "*"),
    }
    _role, allowed = role_with(localcloud, allow(["lambda:ListFunctions"], "*"), basic=False)
    assert sign_in_as(localcloud, allowed, pool, op="unlisted")[1] == {"ok": True}


def test_the_learners_own_credentials_are_not_restricted(localcloud, pools):
    pool, _other = pools
    # the fixture's client signs with plain keys, not an assumed role: no policy involved
    answer = localcloud.client("cognito-idp").admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.clients[0],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": pool.username, "PASSWORD": PASSWORD},
    )
    assert "AuthenticationResult" in answer


def test_a_role_that_may_not_write_logs_loses_them(localcloud, pools):
    pool, _other = pools
    logs = localcloud.client("logs")
    _role, silent = role_with(localcloud, basic=False)
    quiet = create_function(localcloud, silent, SIGN_IN)["FunctionName"]
    localcloud.client("lambda").invoke(FunctionName=quiet, Payload=b'{"op": "whoami"}')
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{quiet}")["logGroups"]
    assert groups == []
    assert f"{quiet}'s logs are dropped" in localcloud.log()
    _role, loud = role_with(localcloud)
    heard = create_function(localcloud, loud, SIGN_IN)["FunctionName"]
    localcloud.client("lambda").invoke(FunctionName=heard, Payload=b'{"op": "whoami"}')
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{heard}")["logGroups"]
    assert [g["logGroupName"] for g in groups] == [f"/aws/lambda/{heard}"]


def test_a_policy_change_takes_effect_on_the_next_call(localcloud, pools):
    pool, _other = pools
    role, arn = role_with(localcloud)
    function = create_function(localcloud, arn, SIGN_IN)["FunctionName"]
    event = {"pool": pool.pool_id, "client": pool.clients[0], "user": pool.username}
    payload = json.dumps({**event, "password": PASSWORD}).encode()
    lam = localcloud.client("lambda")
    denied = json.loads(lam.invoke(FunctionName=function, Payload=payload)["Payload"].read())
    assert denied["code"] == "AccessDeniedException"
    localcloud.client("iam").put_role_policy(
        RoleName=role,
        PolicyName="late",
        PolicyDocument=json.dumps(allow(["cognito-idp:AdminInitiateAuth"], pool.arn)),
    )
    allowed = json.loads(lam.invoke(FunctionName=function, Payload=payload)["Payload"].read())
    assert allowed == {"ok": True}


# ------------------------------------------------------------------ the policy simulator

POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_simulated"
OTHER_POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_another"
TUTORIAL_POLICY = allow(["cognito-idp:AdminInitiateAuth", "cognito-idp:AdminSetUserPassword"], POOL)


def decisions(results: list[dict]) -> list[tuple[str, str, str]]:
    return [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in results]


def test_simulate_custom_policy_before_attaching(localcloud):
    iam = localcloud.client("iam")
    results = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps(TUTORIAL_POLICY)],
        ActionNames=["cognito-idp:AdminInitiateAuth"],
        ResourceArns=[POOL, OTHER_POOL],
    )["EvaluationResults"]
    assert decisions(results) == [
        ("cognito-idp:AdminInitiateAuth", POOL, "allowed"),
        ("cognito-idp:AdminInitiateAuth", OTHER_POOL, "implicitDeny"),
    ]
    assert results[0]["MatchedStatements"] == [
        {"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none"}
    ]
    assert results[1]["MatchedStatements"] == []
    assert results[0]["ResourceSpecificResults"][0]["EvalResourceDecision"] == "allowed"


def test_simulate_custom_policy_explicit_deny_lists_only_the_deny(localcloud):
    iam = localcloud.client("iam")
    deny = allow(["cognito-idp:Admin*"], POOL, effect="Deny")
    results = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps(TUTORIAL_POLICY), json.dumps(deny)],
        ActionNames=["cognito-idp:AdminInitiateAuth"],
        ResourceArns=[POOL],
    )["EvaluationResults"]
    assert decisions(results) == [("cognito-idp:AdminInitiateAuth", POOL, "explicitDeny")]
    assert results[0]["MatchedStatements"] == [
        {"SourcePolicyId": "PolicyInputList.2", "SourcePolicyType": "none"}
    ]


def test_simulate_principal_policy_on_a_role_after_attaching(localcloud):
    iam = localcloud.client("iam")
    role, arn = role_with(localcloud)
    policy = iam.create_policy(
        PolicyName=unique("cognito-admin"), PolicyDocument=json.dumps(TUTORIAL_POLICY)
    )["Policy"]
    actions = ["cognito-idp:AdminInitiateAuth", "cognito-idp:AdminDeleteUser"]
    before = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=actions, ResourceArns=[POOL]
    )["EvaluationResults"]
    assert [r["EvalDecision"] for r in before] == ["implicitDeny", "implicitDeny"]
    iam.attach_role_policy(RoleName=role, PolicyArn=policy["Arn"])
    after = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=actions, ResourceArns=[POOL]
    )["EvaluationResults"]
    assert decisions(after) == [
        ("cognito-idp:AdminInitiateAuth", POOL, "allowed"),
        ("cognito-idp:AdminDeleteUser", POOL, "implicitDeny"),
    ]
    assert after[0]["MatchedStatements"] == [
        {"SourcePolicyId": policy["PolicyName"], "SourcePolicyType": "user-managed"}
    ]
    logs = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["logs:PutLogEvents"])[
        "EvaluationResults"
    ]
    assert logs[0]["EvalDecision"] == "allowed" and logs[0]["EvalResourceName"] == "*"
    assert logs[0]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"


def test_simulate_principal_policy_of_an_unknown_role(localcloud):
    with pytest.raises(ClientError) as err:
        localcloud.client("iam").simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/{unique('nobody')}",
            ActionNames=["cognito-idp:AdminInitiateAuth"],
        )
    assert err.value.response["Error"]["Code"] == "NoSuchEntity"


def test_simulate_custom_policy_with_a_malformed_document(localcloud):
    with pytest.raises(ClientError) as err:
        localcloud.client("iam").simulate_custom_policy(
            PolicyInputList=["{not json"], ActionNames=["cognito-idp:AdminInitiateAuth"]
        )
    assert err.value.response["Error"]["Code"] == "MalformedPolicyDocument"
