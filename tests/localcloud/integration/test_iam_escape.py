"""A role allowed one action cannot do anything else: not through another service, not by
granting itself more, not with a tampered credential scope, a wrong secret or no signature
(docs/aws-behavior.md#iam, docs/aws-behavior.md#requests-and-signatures)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.support import ACCOUNT, LAMBDA_TRUST, REGION, unique

from .test_bad_input import cognito, send

DENIED = {"AccessDeniedException", "AccessDenied"}


@pytest.fixture(scope="module")
def escape(localcloud) -> dict[str, Any]:
    """A role allowed only ``cognito-idp:AdminGetUser`` on one pool, and its session."""
    admin_idp = localcloud.client("cognito-idp")
    pool = admin_idp.create_user_pool(PoolName=unique("escape"))["UserPool"]
    admin_idp.admin_create_user(UserPoolId=pool["Id"], Username="alice", MessageAction="SUPPRESS")
    iam = localcloud.client("iam")
    role = unique("escape-role")
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"][
        "Arn"
    ]
    allowed = {"Effect": "Allow", "Action": "cognito-idp:AdminGetUser", "Resource": pool["Arn"]}
    policy = {"Version": "2012-10-17", "Statement": [allowed]}
    iam.put_role_policy(RoleName=role, PolicyName="one", PolicyDocument=json.dumps(policy))
    found = localcloud.client("sts").assume_role(RoleArn=arn, RoleSessionName="intruder")
    creds = found["Credentials"]
    return {
        "pool": pool,
        "role": role,
        "credentials": Credentials(
            creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
        ),
    }


def client(localcloud, escape, service: str):
    c = escape["credentials"]
    return boto3.client(
        service,
        endpoint_url=localcloud.endpoint,
        region_name=REGION,
        aws_access_key_id=c.access_key,
        aws_secret_access_key=c.secret_key,
        aws_session_token=c.token,
        config=Config(retries={"max_attempts": 1}),
    )


def test_the_one_allowed_action_works(localcloud, escape):
    idp = client(localcloud, escape, "cognito-idp")
    user = idp.admin_get_user(UserPoolId=escape["pool"]["Id"], Username="alice")
    assert user["Username"] == "alice"


#: 20 calls the role may not make, across the five services (each: service, call)
ATTEMPTS: list[tuple[str, Callable[[Any, dict], Any]]] = [
    ("iam", lambda c, e: c.put_role_policy(RoleName=e["role"], PolicyName="all",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))),
    ("iam", lambda c, e: c.attach_role_policy(RoleName=e["role"],
        PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")),
    ("iam", lambda c, e: c.create_role(RoleName=unique("r"),
        AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))),
    ("iam", lambda c, e: c.list_roles()),
    ("iam", lambda c, e: c.create_user(UserName=unique("u"))),
    ("sts", lambda c, e: c.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{e['role']}",
        RoleSessionName="again")),
    ("cognito-idp", lambda c, e: c.create_user_pool(PoolName=unique("p"))),
    ("cognito-idp", lambda c, e: c.list_user_pools(MaxResults=5)),
    ("cognito-idp", lambda c, e: c.admin_set_user_password(UserPoolId=e["pool"]["Id"],
        Username="alice", Password="Aa1!aaaaaaaa", Permanent=True)),
    ("cognito-idp", lambda c, e: c.admin_create_user(UserPoolId=e["pool"]["Id"], Username="bob")),
    ("cognito-idp", lambda c, e: c.admin_delete_user(UserPoolId=e["pool"]["Id"], Username="alice")),
    ("cognito-idp", lambda c, e: c.describe_user_pool(UserPoolId=e["pool"]["Id"])),
    ("lambda", lambda c, e: c.list_functions()),
    ("lambda", lambda c, e: c.get_function(FunctionName="anything")),
    ("lambda", lambda c, e: c.invoke(FunctionName="anything")),
    ("lambda", lambda c, e: c.delete_function(FunctionName="anything")),
    ("apigateway", lambda c, e: c.get_rest_apis()),
    ("apigateway", lambda c, e: c.create_rest_api(name=unique("api"))),
    ("logs", lambda c, e: c.describe_log_groups()),
    ("logs", lambda c, e: c.create_log_group(logGroupName=unique("/g"))),
]  # fmt: skip


@pytest.mark.parametrize(("service", "attempt"), ATTEMPTS, ids=[f"{s}-{i}" for i, (s, _) in
                                                                 enumerate(ATTEMPTS)])  # fmt: skip
def test_every_other_call_is_denied(localcloud, escape, service, attempt):
    with pytest.raises(ClientError) as denied:
        attempt(client(localcloud, escape, service), escape)
    error = denied.value.response["Error"]
    assert error["Code"] in DENIED, error
    assert f"assumed-role/{escape['role']}/intruder" in error["Message"]


def test_the_role_did_not_gain_anything(localcloud, escape):
    names = localcloud.client("iam").list_role_policies(RoleName=escape["role"])["PolicyNames"]
    assert names == ["one"]
    attached = localcloud.client("iam").list_attached_role_policies(RoleName=escape["role"])
    assert attached["AttachedPolicies"] == []


@pytest.mark.parametrize("scope", ["COGNITO-IDP", "Cognito-Idp", "iam"])
def test_a_tampered_scope_is_refused(localcloud, escape, scope):
    body = {"UserPoolId": escape["pool"]["Id"], "Username": "alice"}
    answer = cognito(localcloud, "AdminDeleteUser", body, credentials=escape["credentials"],
                     scope_service=scope)  # fmt: skip
    assert answer.code == "InvalidSignatureException"


def test_a_wrong_secret_is_refused(localcloud, escape):
    c = escape["credentials"]
    forged = Credentials(c.access_key, "not-the-secret", c.token)
    body = {"UserPoolId": escape["pool"]["Id"], "Username": "alice"}
    answer = cognito(localcloud, "AdminGetUser", body, credentials=forged)
    assert (answer.status, answer.code) == (400, "InvalidSignatureException")
    assert answer.message.startswith("The request signature we calculated does not match")


def test_a_wrong_session_token_is_refused(localcloud, escape):
    c = escape["credentials"]
    forged = Credentials(c.access_key, c.secret_key, "made-up-token")
    body = {"UserPoolId": escape["pool"]["Id"], "Username": "alice"}
    answer = cognito(localcloud, "AdminGetUser", body, credentials=forged)
    assert answer.code == "UnrecognizedClientException"


def test_an_unsigned_call_with_the_roles_key_is_refused(localcloud, escape):
    answer = send(localcloud, "iam", "POST", "/", "Action=ListRoles&Version=2010-05-08",
                  {"Content-Type": "application/x-www-form-urlencoded"}, operation="ListRoles",
                  credentials=None)  # fmt: skip
    assert answer.code == "MissingAuthenticationToken"


def test_the_user_still_exists(localcloud, escape):
    users = localcloud.client("cognito-idp").list_users(UserPoolId=escape["pool"]["Id"])["Users"]
    assert [u["Username"] for u in users] == ["alice"]
