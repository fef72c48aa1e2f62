"""helpers.iam: policy versions (at most five), documents in either encoding, the role's trust."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from helpers.iam import (
    LAMBDA_TRUST_POLICY,
    another_pool_arn,
    as_document,
    call_as_role,
    cognito_admin_policy,
    confirm_user_policy,
    ensure_policy,
    ensure_role,
    simulate_policy,
    simulate_role,
)
from tests.support import ACCOUNT

NAME = "simple-api-cognito-admin"
ARN = f"arn:aws:iam::{ACCOUNT}:policy/{NAME}"
POOL_ARN = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_AbCdEf123"
OLD_POOL_ARN = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_Old"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


class JsonText:
    """Equal to any JSON text that decodes to ``doc`` (spacing and key order do not matter)."""

    def __init__(self, doc: object) -> None:
        self.doc = doc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and json.loads(other) == self.doc

    def __repr__(self) -> str:
        return f"JsonText({self.doc!r})"


def policy(default: str) -> dict:
    return {
        "PolicyName": NAME,
        "PolicyId": "ANPAEXAMPLE12345",
        "Arn": ARN,
        "DefaultVersionId": default,
    }


def existing(stubber, default: str, document: dict) -> None:
    """list_policies finds the policy; its default version holds ``document`` (URL-encoded)."""
    stubber.add_response("list_policies", {"Policies": [policy(default)]}, {"Scope": "Local"})
    stubber.add_response(
        "get_policy_version",
        {
            "PolicyVersion": {
                "Document": quote(json.dumps(document)),
                "VersionId": default,
                "IsDefaultVersion": True,
            }
        },
        {"PolicyArn": ARN, "VersionId": default},
    )


def versions(stubber, default: str, ages: dict[str, int]) -> None:
    """list_policy_versions answering ``ages`` (version -> days after T0), in the given order."""
    stubber.add_response(
        "list_policy_versions",
        {
            "Versions": [
                {
                    "VersionId": vid,
                    "IsDefaultVersion": vid == default,
                    "CreateDate": T0 + timedelta(days=days),
                }
                for vid, days in ages.items()
            ]
        },
        {"PolicyArn": ARN},
    )


def new_default_version(stubber, document: dict, default: str) -> None:
    stubber.add_response(
        "create_policy_version",
        {"PolicyVersion": {"VersionId": default, "IsDefaultVersion": True}},
        {"PolicyArn": ARN, "PolicyDocument": JsonText(document), "SetAsDefault": True},
    )
    stubber.add_response("get_policy", {"Policy": policy(default)}, {"PolicyArn": ARN})


def test_changed_document_with_five_versions_deletes_the_oldest_non_default_first(stubbed):
    iam, stubber = stubbed("iam")
    wanted = cognito_admin_policy(POOL_ARN)
    existing(stubber, "v5", cognito_admin_policy(OLD_POOL_ARN))
    # listed in no particular order; v2 is the oldest that is not the default
    versions(stubber, "v5", {"v4": 4, "v6": 6, "v2": 2, "v5": 5, "v3": 3})
    stubber.add_response("delete_policy_version", {}, {"PolicyArn": ARN, "VersionId": "v2"})
    new_default_version(stubber, wanted, "v7")
    assert ensure_policy(iam, NAME, wanted)["DefaultVersionId"] == "v7"
    stubber.assert_no_pending_responses()


def test_the_default_version_is_never_the_one_deleted(stubbed):
    iam, stubber = stubbed("iam")
    wanted = cognito_admin_policy(POOL_ARN)
    existing(stubber, "v1", cognito_admin_policy(OLD_POOL_ARN))
    versions(stubber, "v1", {"v5": 5, "v4": 4, "v3": 3, "v2": 2, "v1": 1})
    stubber.add_response("delete_policy_version", {}, {"PolicyArn": ARN, "VersionId": "v2"})
    new_default_version(stubber, wanted, "v6")
    ensure_policy(iam, NAME, wanted)
    stubber.assert_no_pending_responses()


def test_changed_document_with_room_adds_a_version_only(stubbed):
    iam, stubber = stubbed("iam")
    wanted = cognito_admin_policy(POOL_ARN)
    existing(stubber, "v2", cognito_admin_policy(OLD_POOL_ARN))
    versions(stubber, "v2", {"v2": 2, "v1": 1})
    new_default_version(stubber, wanted, "v3")
    ensure_policy(iam, NAME, wanted)
    stubber.assert_no_pending_responses()


def test_same_document_makes_no_change(stubbed):
    iam, stubber = stubbed("iam")
    wanted = cognito_admin_policy(POOL_ARN)
    existing(stubber, "v3", wanted)
    assert ensure_policy(iam, NAME, wanted) == policy("v3")
    stubber.assert_no_pending_responses()


def test_missing_policy_is_created(stubbed):
    iam, stubber = stubbed("iam")
    wanted = cognito_admin_policy(POOL_ARN)
    stubber.add_response("list_policies", {"Policies": []}, {"Scope": "Local"})
    stubber.add_response(
        "create_policy",
        {"Policy": policy("v1")},
        {"PolicyName": NAME, "PolicyDocument": JsonText(wanted), "Description": "why"},
    )
    ensure_policy(iam, NAME, wanted, description="why")
    stubber.assert_no_pending_responses()


def test_role_with_another_trust_policy_is_put_right(stubbed):
    iam, stubber = stubbed("iam")
    ec2 = {
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    trust = {**LAMBDA_TRUST_POLICY, "Statement": [ec2]}
    role = {
        "Path": "/",
        "RoleName": "simple-api-Role",
        "RoleId": "AROAEXAMPLE123456789",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/simple-api-Role",
        "CreateDate": T0,
        "AssumeRolePolicyDocument": quote(json.dumps(trust)),
    }
    stubber.add_response("get_role", {"Role": role}, {"RoleName": "simple-api-Role"})
    stubber.add_response(
        "update_assume_role_policy",
        {},
        {"RoleName": "simple-api-Role", "PolicyDocument": JsonText(LAMBDA_TRUST_POLICY)},
    )
    ensure_role(iam, "simple-api-Role", LAMBDA_TRUST_POLICY)
    stubber.assert_no_pending_responses()


# -- as_document ---------------------------------------------------------------------------------

DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "a/b c+d"}],
}


@pytest.mark.parametrize(
    "raw",
    [
        quote(json.dumps(DOC)),  # as IAM's query API answers it
        "  " + quote(json.dumps(DOC)),
        json.dumps(DOC),
        json.dumps(DOC, indent=2),
        DOC,
    ],
    ids=["url-encoded", "url-encoded-leading-space", "json", "json-indented", "dict"],
)
def test_as_document(raw):
    assert as_document(raw) == DOC


def test_as_document_keeps_percent_signs_inside_plain_json():
    doc = {"Statement": [{"Sid": "x", "Resource": "arn:aws:s3:::bucket/100%25"}]}
    assert as_document(json.dumps(doc)) == doc


# -- the policy simulator ------------------------------------------------------------------------

ACTIONS = ["cognito-idp:AdminInitiateAuth", "cognito-idp:AdminSetUserPassword"]


def test_simulate_policy_tabulates_the_decisions(stubbed):
    iam, stubber = stubbed("iam")
    document = cognito_admin_policy(POOL_ARN)
    other = another_pool_arn(POOL_ARN)
    results = [
        {
            "EvalActionName": action,
            "EvalResourceName": resource,
            "EvalDecision": decision,
            "MatchedStatements": [{"SourcePolicyId": "PolicyInputList.1"}] if matched else [],
        }
        for action in ACTIONS
        for resource, decision, matched in (
            (POOL_ARN, "allowed", True),
            (other, "implicitDeny", False),
        )
    ]
    stubber.add_response(
        "simulate_custom_policy",
        {"EvaluationResults": results},
        {
            "PolicyInputList": [JsonText(document)],
            "ActionNames": ACTIONS,
            "ResourceArns": [POOL_ARN, other],
        },
    )
    table = simulate_policy(iam, document, ACTIONS, [POOL_ARN, other])
    stubber.assert_no_pending_responses()
    assert table.headers == ["action", "resource", "decision", "decided by"]
    assert table.rows[0] == [ACTIONS[0], POOL_ARN, "allowed", "PolicyInputList.1"]
    assert table.rows[1] == [ACTIONS[0], other, "implicitDeny", "—"]


def test_simulate_role(stubbed):
    iam, stubber = stubbed("iam")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/simple-api-Role"
    stubber.add_response(
        "simulate_principal_policy",
        {
            "EvaluationResults": [
                {
                    "EvalActionName": ACTIONS[0],
                    "EvalResourceName": POOL_ARN,
                    "EvalDecision": "allowed",
                    "MatchedStatements": [{"SourcePolicyId": NAME}],
                }
            ]
        },
        {"PolicySourceArn": role_arn, "ActionNames": ACTIONS[:1], "ResourceArns": [POOL_ARN]},
    )
    assert simulate_role(iam, role_arn, ACTIONS[:1], [POOL_ARN]).rows == [
        [ACTIONS[0], POOL_ARN, "allowed", NAME]
    ]
    stubber.assert_no_pending_responses()


def test_another_pool_arn_is_in_the_same_account_and_region():
    other = another_pool_arn(POOL_ARN)
    assert other == f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_EXAMPLE"
    assert other != POOL_ARN


def test_simulate_role_labels_resources_instead_of_whole_arns(stubbed):
    iam, stubber = stubbed("iam")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/simple-api-Role"
    other = another_pool_arn(POOL_ARN)
    stubber.add_response(
        "simulate_principal_policy",
        {
            "EvaluationResults": [
                {
                    "EvalActionName": ACTIONS[1],
                    "EvalResourceName": arn,
                    "EvalDecision": "implicitDeny",
                }
                for arn in (POOL_ARN, other, "arn:aws:logs:us-east-1:1:log-group:x")
            ]
        },
        {
            "PolicySourceArn": role_arn,
            "ActionNames": ACTIONS[1:],
            "ResourceArns": [POOL_ARN, other],
        },
    )
    labels = {POOL_ARN: "this pool", other: "another pool"}
    table = simulate_role(iam, role_arn, ACTIONS[1:], [POOL_ARN, other], labels=labels)
    assert [row[1] for row in table.rows] == [
        "this pool",
        "another pool",
        "arn:aws:logs:us-east-1:1:log-group:x",  # no label: the ARN itself
    ]


# -- one policy per function ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "action"),
    [
        (cognito_admin_policy, "cognito-idp:AdminInitiateAuth"),
        (confirm_user_policy, "cognito-idp:AdminSetUserPassword"),
    ],
)
def test_each_function_policy_allows_one_call_on_one_pool(make, action):
    (statement,) = make(POOL_ARN)["Statement"]
    assert (statement["Effect"], statement["Action"], statement["Resource"]) == (
        "Allow",
        action,
        POOL_ARN,
    )


def test_the_old_two_action_policy_gets_a_new_narrower_default_version(stubbed):
    """A re-run on a stack from before the split: the policy held both calls; it converges."""
    iam, stubber = stubbed("iam")
    old = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SignInAndConfirmUsersOfOnePool",
                "Effect": "Allow",
                "Action": ["cognito-idp:AdminInitiateAuth", "cognito-idp:AdminSetUserPassword"],
                "Resource": POOL_ARN,
            }
        ],
    }
    wanted = cognito_admin_policy(POOL_ARN)
    existing(stubber, "v1", old)
    versions(stubber, "v1", {"v1": 1})
    new_default_version(stubber, wanted, "v2")
    assert ensure_policy(iam, NAME, wanted)["DefaultVersionId"] == "v2"
    stubber.assert_no_pending_responses()


# -- call_as_role --------------------------------------------------------------------------------


class FakeCloud:
    region, endpoint_url = "us-east-1", None

    def __init__(self, sts) -> None:
        self.sts = sts

    def client(self, service: str):
        assert service == "sts"
        return self.sts


def test_call_as_role_is_skipped_when_the_role_trusts_only_lambda(stubbed):
    sts, stubber = stubbed("sts")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/simple-api-Role"
    stubber.add_client_error(
        "assume_role",
        service_error_code="AccessDenied",
        service_message="User: arn:aws:iam::1:user/me is not authorized to perform: sts:AssumeRole",
        http_status_code=403,
    )
    found = call_as_role(FakeCloud(sts), role_arn, "cognito-idp", "admin_set_user_password")
    assert found.outcome == "skipped" and found.call == "cognito-idp:AdminSetUserPassword"
    assert "trust policy admits only lambda.amazonaws.com" in repr(found)
    stubber.assert_no_pending_responses()
