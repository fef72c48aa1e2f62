"""The IAM identity-policy evaluator (localcloud/authz/evaluator.py; docs/aws-behavior.md#iam).

Most cases are rows of one table: the policy documents attached to the principal, the action and
the resource of the request, and the decision AWS reaches. The rows are grouped by rule, then by
examples taken from the AWS IAM User Guide (each cites its page).
"""

from __future__ import annotations

from typing import Any

import pytest

from localcloud.authz.evaluator import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    MatchedStatement,
    PolicySource,
    denial_message,
    evaluate,
    evaluate_all,
    statement_applies,
)
from localcloud.authz.matching import wildcard_match

ACCOUNT = "123456789012"
POOL = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_abc"
OTHER_POOL = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_xyz"
EU_POOL = f"arn:aws:cognito-idp:eu-west-1:{ACCOUNT}:userpool/eu-west-1_def"
FOREIGN_POOL = "arn:aws:cognito-idp:us-east-1:999999999999:userpool/us-east-1_abc"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/simple-api-auth"
LOG_STREAM = f"{LOG_GROUP}:log-stream:2024/01/01/[$LATEST]0123456789abcdef"
PRINCIPAL = f"arn:aws:sts::{ACCOUNT}:assumed-role/simple-api-Role/simple-api-auth"

AUTH = "cognito-idp:AdminInitiateAuth"
SET_PASSWORD = "cognito-idp:AdminSetUserPassword"
DELETE_USER = "cognito-idp:AdminDeleteUser"
LIST_USERS = "cognito-idp:ListUsers"


def stmt(effect: str, action: Any = None, resource: Any = None, **extra: Any) -> dict[str, Any]:
    """A statement; ``action``/``resource`` left None are omitted (use ``NotAction=`` etc.)."""
    found: dict[str, Any] = {"Effect": effect}
    if action is not None:
        found["Action"] = action
    if resource is not None:
        found["Resource"] = resource
    found.update(extra)
    return found


def allow(action: Any = None, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return stmt("Allow", action, resource, **extra)


def deny(action: Any = None, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return stmt("Deny", action, resource, **extra)


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def sources(*documents: dict[str, Any]) -> list[PolicySource]:
    return [PolicySource(f"policy{n}", "user-managed", doc) for n, doc in enumerate(documents)]


def case(documents: list[dict[str, Any]], action: str, resource: str, expected: str, id: str):
    return pytest.param(documents, action, resource, expected, id=id)


# -- the rules, one group at a time ----------------------------------------------------------

COMBINING = [
    case([policy(allow(AUTH, POOL))], AUTH, POOL, ALLOWED, "allow-without-deny-allows"),
    case(
        [policy(allow(AUTH, POOL), deny(AUTH, POOL))],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "deny-wins-same-policy",
    ),
    case(
        [policy(deny(AUTH, POOL), allow(AUTH, POOL))],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "deny-wins-same-policy-deny-first",
    ),
    case(
        [policy(allow(AUTH, POOL)), policy(deny(AUTH, POOL))],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "deny-wins-across-policies",
    ),
    case(
        [policy(deny("cognito-idp:*")), policy(allow("*"))],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "deny-wins-across-policies-deny-first",
    ),
    case([], AUTH, POOL, IMPLICIT_DENY, "no-policies-implicit-deny"),
    case([policy()], AUTH, POOL, IMPLICIT_DENY, "empty-statement-list-implicit-deny"),
    case([{"Version": "2012-10-17"}], AUTH, POOL, IMPLICIT_DENY, "no-statement-key"),
    case(
        [policy(allow(SET_PASSWORD, POOL))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "nothing-matches-implicit-deny",
    ),
    case(
        [policy(allow(AUTH, POOL), deny(DELETE_USER, POOL))],
        AUTH,
        POOL,
        ALLOWED,
        "deny-other-action-does-not-deny",
    ),
    case(
        [policy(allow(AUTH, "*"), deny(AUTH, OTHER_POOL))],
        AUTH,
        POOL,
        ALLOWED,
        "deny-other-resource-does-not-deny",
    ),
    case(
        [policy(deny(DELETE_USER, POOL))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "non-matching-deny-alone-implicit-deny",
    ),
    case(
        [policy(deny(AUTH, POOL))],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "matching-deny-alone-explicit-deny",
    ),
]

ACTIONS = [
    case([policy(allow(AUTH))], AUTH, POOL, ALLOWED, "action-string-matches"),
    case([policy(allow(AUTH))], SET_PASSWORD, POOL, IMPLICIT_DENY, "action-string-other"),
    case(
        [policy(allow([SET_PASSWORD, AUTH]))],
        AUTH,
        POOL,
        ALLOWED,
        "action-list-second-entry-matches",
    ),
    case(
        [policy(allow([SET_PASSWORD, AUTH]))],
        DELETE_USER,
        POOL,
        IMPLICIT_DENY,
        "action-list-no-entry-matches",
    ),
    case([policy(allow([]))], AUTH, POOL, IMPLICIT_DENY, "action-empty-list-matches-nothing"),
    case(
        [policy(allow(NotAction="iam:*"))],
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        ALLOWED,
        "allow-notaction-iam-allows-s3",
    ),
    case(
        [policy(allow(NotAction="iam:*"))],
        "iam:CreateUser",
        f"arn:aws:iam::{ACCOUNT}:user/bob",
        IMPLICIT_DENY,
        "allow-notaction-iam-not-iam",
    ),
    case(
        [policy(allow(NotAction=["iam:*", "cognito-idp:Admin*"]))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "allow-notaction-list-excludes-second",
    ),
    case(
        [policy(allow(NotAction=["iam:*", "cognito-idp:Admin*"]))],
        LIST_USERS,
        POOL,
        ALLOWED,
        "allow-notaction-list-allows-others",
    ),
    case(
        [policy(allow("*"), deny(NotAction="cognito-idp:*"))],
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        EXPLICIT_DENY,
        "deny-notaction-denies-unlisted",
    ),
    case(
        [policy(allow("*"), deny(NotAction="cognito-idp:*"))],
        AUTH,
        POOL,
        ALLOWED,
        "deny-notaction-spares-listed",
    ),
    case(
        [policy(allow(resource="*"))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "neither-action-nor-notaction-never-applies",
    ),
]

RESOURCES = [
    case([policy(allow(AUTH, POOL))], AUTH, POOL, ALLOWED, "resource-string-matches"),
    case([policy(allow(AUTH, POOL))], AUTH, OTHER_POOL, IMPLICIT_DENY, "resource-string-other"),
    case(
        [policy(allow(AUTH, [OTHER_POOL, POOL]))],
        AUTH,
        POOL,
        ALLOWED,
        "resource-list-second-entry-matches",
    ),
    case(
        [policy(allow(AUTH, [OTHER_POOL, EU_POOL]))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "resource-list-no-entry-matches",
    ),
    case([policy(allow(AUTH, []))], AUTH, POOL, IMPLICIT_DENY, "resource-empty-list"),
    case(
        [policy(allow(AUTH, None, NotResource=OTHER_POOL))],
        AUTH,
        POOL,
        ALLOWED,
        "allow-notresource-allows-unlisted",
    ),
    case(
        [policy(allow(AUTH, None, NotResource=OTHER_POOL))],
        AUTH,
        OTHER_POOL,
        IMPLICIT_DENY,
        "allow-notresource-not-listed-one",
    ),
    case(
        [policy(allow(AUTH, None, NotResource=[OTHER_POOL, POOL]))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "allow-notresource-list",
    ),
    case(
        [policy(allow(AUTH), deny(AUTH, None, NotResource=POOL))],
        AUTH,
        OTHER_POOL,
        EXPLICIT_DENY,
        "deny-notresource-denies-unlisted",
    ),
    case(
        [policy(allow(AUTH), deny(AUTH, None, NotResource=POOL))],
        AUTH,
        POOL,
        ALLOWED,
        "deny-notresource-spares-listed",
    ),
    case(
        [policy(allow(AUTH, None))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "allow-without-resource-never-applies",
    ),
    case(
        [policy(allow(AUTH), deny(AUTH, None))],
        AUTH,
        POOL,
        ALLOWED,
        "deny-without-resource-never-applies",
    ),
]

EFFECTS_AND_SHAPES = [
    case([policy(stmt("allow", AUTH, "*"))], AUTH, POOL, IMPLICIT_DENY, "effect-lowercase-allow"),
    case([policy(stmt("Audit", AUTH, "*"))], AUTH, POOL, IMPLICIT_DENY, "effect-unknown"),
    case([policy({"Action": AUTH, "Resource": "*"})], AUTH, POOL, IMPLICIT_DENY, "effect-missing"),
    case(
        [policy(allow(AUTH), stmt("deny", AUTH, "*"))],
        AUTH,
        POOL,
        ALLOWED,
        "effect-lowercase-deny-ignored",
    ),
    case(
        [{"Version": "2012-10-17", "Statement": allow(AUTH, POOL)}],
        AUTH,
        POOL,
        ALLOWED,
        "statement-single-object-allow",
    ),
    case(
        [policy(allow(AUTH)), {"Version": "2012-10-17", "Statement": deny(AUTH, POOL)}],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "statement-single-object-deny",
    ),
]

WILDCARDS = [
    case([policy(allow("*"))], AUTH, POOL, ALLOWED, "star-whole-action-and-resource"),
    case([policy(allow("cognito-idp:Admin*"))], AUTH, POOL, ALLOWED, "star-prefix-matches"),
    case(
        [policy(allow("cognito-idp:Admin*"))],
        LIST_USERS,
        POOL,
        IMPLICIT_DENY,
        "star-prefix-other-operation",
    ),
    case(
        [policy(allow("cognito-idp:Admin*"))],
        "cognito-idp:Admin",
        POOL,
        ALLOWED,
        "star-matches-empty-run",
    ),
    case(
        [policy(allow("cognito-idp:Admin*"))],
        "iam:AdminThing",
        POOL,
        IMPLICIT_DENY,
        "star-prefix-other-service",
    ),
    case(
        [policy(allow(AUTH, f"arn:aws:cognito-idp:*:{ACCOUNT}:userpool/*"))],
        AUTH,
        EU_POOL,
        ALLOWED,
        "star-middle-any-region",
    ),
    case(
        [policy(allow(AUTH, f"arn:aws:cognito-idp:*:{ACCOUNT}:userpool/*"))],
        AUTH,
        FOREIGN_POOL,
        IMPLICIT_DENY,
        "star-middle-other-account",
    ),
    case(
        [policy(allow(AUTH, f"arn:aws:cognito-idp:*:{ACCOUNT}:userpool/*"))],
        AUTH,
        f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:identitypool/x",
        IMPLICIT_DENY,
        "star-middle-other-resource-type",
    ),
    case(
        [policy(allow("cognito-idp:AdminGetUse?"))],
        "cognito-idp:AdminGetUser",
        POOL,
        ALLOWED,
        "question-one-character",
    ),
    case(
        [policy(allow("cognito-idp:AdminGetUse?"))],
        "cognito-idp:AdminGetUse",
        POOL,
        IMPLICIT_DENY,
        "question-not-zero-characters",
    ),
    case(
        [policy(allow("cognito-idp:AdminGetUse?"))],
        "cognito-idp:AdminGetUsers",
        POOL,
        IMPLICIT_DENY,
        "question-not-two-characters",
    ),
    case(
        [policy(allow(AUTH, f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_ab?"))],
        AUTH,
        POOL,
        ALLOWED,
        "question-in-resource",
    ),
    case(
        [policy(allow(AUTH, f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_ab?"))],
        AUTH,
        f"{POOL}d",
        IMPLICIT_DENY,
        "question-in-resource-not-two",
    ),
    case(
        [policy(allow("logs:*", "arn:aws:logs:*"))],
        "logs:PutLogEvents",
        LOG_STREAM,
        ALLOWED,
        "star-spans-colon-and-slash",
    ),
    case(
        [policy(allow("logs:*", "arn:aws:logs:us-east-1:*:stream"))],
        "logs:PutLogEvents",
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:a/b:log-stream:stream",
        ALLOWED,
        "star-spans-separators-in-middle",
    ),
    case([policy(allow("cognito*Auth"))], AUTH, POOL, ALLOWED, "star-spans-action-colon"),
]

CASES = [
    case(
        [policy(allow("Cognito-IDP:adminInitiateAuth", POOL))],
        AUTH,
        POOL,
        ALLOWED,
        "action-pattern-case-insensitive",
    ),
    case(
        [policy(allow(AUTH, POOL))],
        "COGNITO-IDP:ADMININITIATEAUTH",
        POOL,
        ALLOWED,
        "action-request-case-insensitive",
    ),
    case(
        [policy(allow("cognito-idp:admin*", POOL))],
        AUTH,
        POOL,
        ALLOWED,
        "action-wildcard-case-insensitive",
    ),
    case(
        [policy(allow(AUTH), deny("COGNITO-IDP:ADMIN*"))],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "deny-action-case-insensitive",
    ),
    case(
        [policy(allow(NotAction="COGNITO-IDP:*"))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "notaction-case-insensitive",
    ),
    case(
        [policy(allow(AUTH, f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/US-EAST-1_abc"))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "resource-case-sensitive",
    ),
    case(
        [policy(allow(AUTH, f"ARN:AWS:cognito-idp:us-east-1:{ACCOUNT}:userpool/*"))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "resource-wildcard-case-sensitive",
    ),
    case(
        [policy(allow(AUTH), deny(AUTH, POOL.upper()))],
        AUTH,
        POOL,
        ALLOWED,
        "deny-resource-case-sensitive",
    ),
    case(
        [policy(allow(AUTH, None, NotResource=POOL.upper()))],
        AUTH,
        POOL,
        ALLOWED,
        "notresource-case-sensitive",
    ),
]

MFA = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
SOURCE_IP = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}

CONDITIONS = [
    case(
        [policy(allow(AUTH, POOL, Condition=SOURCE_IP))],
        AUTH,
        POOL,
        IMPLICIT_DENY,
        "allow-with-condition-never-applies",
    ),
    case(
        [policy(allow(AUTH, POOL, Condition=SOURCE_IP), allow(AUTH, POOL))],
        AUTH,
        POOL,
        ALLOWED,
        "unconditional-allow-still-allows",
    ),
    case(
        [policy(allow(AUTH, POOL), deny(AUTH, POOL, Condition=MFA))],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "deny-with-condition-always-applies",
    ),
    case(
        [policy(deny(AUTH, POOL, Condition=MFA))],
        AUTH,
        POOL,
        EXPLICIT_DENY,
        "deny-with-condition-alone-explicit",
    ),
    case(
        [policy(allow(AUTH, POOL), deny(DELETE_USER, POOL, Condition=MFA))],
        AUTH,
        POOL,
        ALLOWED,
        "conditional-deny-still-needs-action-match",
    ),
    case(
        [policy(allow(AUTH), deny(AUTH, OTHER_POOL, Condition=MFA))],
        AUTH,
        POOL,
        ALLOWED,
        "conditional-deny-still-needs-resource-match",
    ),
]

# -- examples from the AWS IAM User Guide ----------------------------------------------------

# IAM User Guide, "Policy evaluation logic" > "The difference between explicit and implicit
# denies": AllowGetList allows iam:Get* and iam:List*, everything else in IAM is implicitly denied,
# DenyReports explicitly denies iam:*Report, even when another policy allows such an action.
GET_LIST_NO_REPORTS = policy(
    {"Sid": "AllowGetList", **allow(["iam:Get*", "iam:List*"])},
    {"Sid": "DenyReports", **deny("iam:*Report")},
)
IAM_STAR = f"arn:aws:iam::{ACCOUNT}:user/carlos"
EXPLICIT_VS_IMPLICIT = [
    case([GET_LIST_NO_REPORTS], "iam:GetUser", IAM_STAR, ALLOWED, "doc-eval-get-allowed"),
    case([GET_LIST_NO_REPORTS], "iam:ListUsers", IAM_STAR, ALLOWED, "doc-eval-list-allowed"),
    case(
        [GET_LIST_NO_REPORTS],
        "iam:CreatePolicy",
        IAM_STAR,
        IMPLICIT_DENY,
        "doc-eval-create-implicit",
    ),
    case(
        [GET_LIST_NO_REPORTS],
        "iam:GetOrganizationsAccessReport",
        "*",
        EXPLICIT_DENY,
        "doc-eval-deny-overrides-allow",
    ),
    case(
        [GET_LIST_NO_REPORTS, policy(allow("iam:GenerateCredentialReport"))],
        "iam:GenerateCredentialReport",
        "*",
        EXPLICIT_DENY,
        "doc-eval-deny-overrides-other-policy",
    ),
]

# IAM User Guide, "IAM JSON policy elements: NotAction": NotAction with Allow (all S3 actions on
# S3 resources except s3:DeleteBucket; every action of every service except IAM) and NotAction
# with Deny (DenyAllUsersNotUsingMFA, whose condition the evaluator takes as always true).
ALL_BUT_IAM = policy(allow(NotAction="iam:*", resource="*"))
S3_BUT_DELETE_BUCKET = policy(allow(NotAction="s3:DeleteBucket", resource="arn:aws:s3:::*"))
DENY_NON_IAM_WITHOUT_MFA = policy(
    {"Sid": "DenyAllUsersNotUsingMFA", **deny(NotAction="iam:*", Condition=MFA)}
)
NOT_ACTION = [
    case([ALL_BUT_IAM], "s3:GetObject", "arn:aws:s3:::b/k", ALLOWED, "doc-notaction-s3"),
    case([ALL_BUT_IAM], AUTH, POOL, ALLOWED, "doc-notaction-cognito"),
    case([ALL_BUT_IAM], "iam:CreateUser", IAM_STAR, IMPLICIT_DENY, "doc-notaction-not-iam"),
    case(
        [S3_BUT_DELETE_BUCKET],
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        ALLOWED,
        "doc-notaction-s3-get",
    ),
    case(
        [S3_BUT_DELETE_BUCKET],
        "s3:DeleteBucket",
        "arn:aws:s3:::b",
        IMPLICIT_DENY,
        "doc-notaction-s3-not-delete-bucket",
    ),
    case(
        [S3_BUT_DELETE_BUCKET],
        "ec2:StartInstances",
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123",
        IMPLICIT_DENY,
        "doc-notaction-s3-not-other-services-resources",
    ),
    case(
        [policy(allow("*")), DENY_NON_IAM_WITHOUT_MFA],
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        EXPLICIT_DENY,
        "doc-notaction-deny-non-iam",
    ),
    case(
        [policy(allow("*")), DENY_NON_IAM_WITHOUT_MFA],
        "iam:ChangePassword",
        IAM_STAR,
        ALLOWED,
        "doc-notaction-deny-spares-iam",
    ),
]

# IAM User Guide, "IAM JSON policy elements: NotResource": the HRPayroll group's policy denies
# s3:* on everything but HRBucket/Payroll and does not itself grant anything; and the statement the
# page warns against, Allow "*" with NotResource "arn:aws:s3:::HRBucket".
PAYROLL_ONLY = policy(
    deny(
        "s3:*",
        None,
        NotResource=["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
    )
)
ALL_BUT_HR_BUCKET = policy(allow("*", None, NotResource="arn:aws:s3:::HRBucket"))
NOT_RESOURCE = [
    case(
        [PAYROLL_ONLY],
        "s3:GetObject",
        "arn:aws:s3:::HRBucket/Payroll/jan.csv",
        IMPLICIT_DENY,
        "doc-notresource-grants-nothing",
    ),
    case(
        [PAYROLL_ONLY, policy(allow("s3:*"))],
        "s3:GetObject",
        "arn:aws:s3:::HRBucket/Payroll/jan.csv",
        ALLOWED,
        "doc-notresource-payroll-object",
    ),
    case(
        [PAYROLL_ONLY, policy(allow("s3:*"))],
        "s3:ListBucket",
        "arn:aws:s3:::HRBucket/Payroll",
        ALLOWED,
        "doc-notresource-payroll-folder",
    ),
    case(
        [PAYROLL_ONLY, policy(allow("s3:*"))],
        "s3:GetObject",
        "arn:aws:s3:::HRBucket/Benefits/x",
        EXPLICIT_DENY,
        "doc-notresource-other-folder",
    ),
    case(
        [PAYROLL_ONLY, policy(allow("s3:*"))],
        "s3:ListBucket",
        "arn:aws:s3:::OtherBucket",
        EXPLICIT_DENY,
        "doc-notresource-other-bucket",
    ),
    case(
        [PAYROLL_ONLY, policy(allow("*"))],
        AUTH,
        POOL,
        ALLOWED,
        "doc-notresource-deny-only-s3-actions",
    ),
    case(
        [ALL_BUT_HR_BUCKET],
        "iam:CreateUser",
        IAM_STAR,
        ALLOWED,
        "doc-notresource-allow-everything-else",
    ),
    case(
        [ALL_BUT_HR_BUCKET],
        "s3:DeleteBucket",
        "arn:aws:s3:::HRBucket",
        IMPLICIT_DENY,
        "doc-notresource-allow-not-the-bucket",
    ),
]

# IAM User Guide, "IAM JSON policy elements: Action": "s3:*" covers every S3 action;
# "iam:*AccessKey*" every IAM action containing AccessKey; prefix and name are case-insensitive
# ("iam:ListAccessKeys" is the same as "IAM:listaccesskeys").
ACCESS_KEYS = policy(allow("iam:*AccessKey*"))
ACTION_DOC = [
    case([policy(allow("s3:*"))], "s3:GetObject", "arn:aws:s3:::b/k", ALLOWED, "doc-action-s3"),
    case(
        [policy(allow("s3:*"))],
        "s3:PutBucketPolicy",
        "arn:aws:s3:::b",
        ALLOWED,
        "doc-action-s3-any",
    ),
    case(
        [policy(allow("s3:*"))],
        "sqs:SendMessage",
        "*",
        IMPLICIT_DENY,
        "doc-action-s3-not-sqs",
    ),
    case([ACCESS_KEYS], "iam:CreateAccessKey", IAM_STAR, ALLOWED, "doc-action-create-key"),
    case([ACCESS_KEYS], "iam:DeleteAccessKey", IAM_STAR, ALLOWED, "doc-action-delete-key"),
    case([ACCESS_KEYS], "iam:ListAccessKeys", IAM_STAR, ALLOWED, "doc-action-list-keys"),
    case([ACCESS_KEYS], "iam:UpdateAccessKey", IAM_STAR, ALLOWED, "doc-action-update-key"),
    case([ACCESS_KEYS], "iam:CreateUser", IAM_STAR, IMPLICIT_DENY, "doc-action-not-create-user"),
    case(
        [policy(allow("IAM:listaccesskeys"))],
        "iam:ListAccessKeys",
        IAM_STAR,
        ALLOWED,
        "doc-action-case-insensitive",
    ),
    case(
        [
            policy(
                allow(
                    [
                        "sqs:SendMessage",
                        "sqs:ReceiveMessage",
                        "ec2:StartInstances",
                        "iam:ChangePassword",
                        "s3:GetObject",
                    ]
                )
            )
        ],
        "ec2:StartInstances",
        "*",
        ALLOWED,
        "doc-action-list",
    ),
]

# The tutorial's own policy (step 02_iam_policy, helpers/iam.py cognito_admin_policy): the two
# admin calls the Lambdas make, on this pool only.
TUTORIAL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SignInAndConfirmUsersOfOnePool",
            "Effect": "Allow",
            "Action": [AUTH, SET_PASSWORD],
            "Resource": POOL,
        }
    ],
}
TUTORIAL_CASES = [
    case([TUTORIAL], AUTH, POOL, ALLOWED, "tutorial-auth-on-pool"),
    case([TUTORIAL], SET_PASSWORD, POOL, ALLOWED, "tutorial-set-password-on-pool"),
    case([TUTORIAL], AUTH, OTHER_POOL, IMPLICIT_DENY, "tutorial-auth-other-pool"),
    case([TUTORIAL], SET_PASSWORD, EU_POOL, IMPLICIT_DENY, "tutorial-set-password-other-pool"),
    case([TUTORIAL], DELETE_USER, POOL, IMPLICIT_DENY, "tutorial-delete-user"),
    case([TUTORIAL], LIST_USERS, POOL, IMPLICIT_DENY, "tutorial-list-users"),
]

# The AWS managed policy AWSLambdaBasicExecutionRole (AWS Managed Policy Reference Guide).
BASIC_EXECUTION = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}
BASIC_EXECUTION_CASES = [
    case([BASIC_EXECUTION], "logs:CreateLogGroup", LOG_GROUP, ALLOWED, "basic-create-group"),
    case([BASIC_EXECUTION], "logs:CreateLogStream", LOG_STREAM, ALLOWED, "basic-create-stream"),
    case([BASIC_EXECUTION], "logs:PutLogEvents", LOG_STREAM, ALLOWED, "basic-put-events"),
    case(
        [BASIC_EXECUTION],
        "logs:DeleteLogGroup",
        LOG_GROUP,
        IMPLICIT_DENY,
        "basic-not-delete-group",
    ),
    case([BASIC_EXECUTION], AUTH, POOL, IMPLICIT_DENY, "basic-not-cognito"),
    case([BASIC_EXECUTION, TUTORIAL], AUTH, POOL, ALLOWED, "basic-plus-tutorial-cognito"),
    case(
        [BASIC_EXECUTION, TUTORIAL],
        "logs:PutLogEvents",
        LOG_STREAM,
        ALLOWED,
        "basic-plus-tutorial-logs",
    ),
]


@pytest.mark.parametrize(
    ("documents", "action", "resource", "expected"),
    COMBINING
    + ACTIONS
    + RESOURCES
    + EFFECTS_AND_SHAPES
    + WILDCARDS
    + CASES
    + CONDITIONS
    + EXPLICIT_VS_IMPLICIT
    + NOT_ACTION
    + NOT_RESOURCE
    + ACTION_DOC
    + TUTORIAL_CASES
    + BASIC_EXECUTION_CASES,
)
def test_decision(documents, action, resource, expected):
    decision = evaluate(sources(*documents), action, resource)
    assert decision.decision == expected
    assert decision.allowed is (expected == ALLOWED)


def test_evaluate_accepts_any_iterable_of_sources():
    generated = (s for s in sources(policy(allow(AUTH, POOL))))
    assert evaluate(generated, AUTH, POOL).decision == ALLOWED


# -- statement_applies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        pytest.param(allow(AUTH, POOL), True, id="allow-matching"),
        pytest.param(deny(AUTH, POOL), True, id="deny-matching"),
        pytest.param(allow(AUTH, OTHER_POOL), False, id="other-resource"),
        pytest.param(allow(DELETE_USER, POOL), False, id="other-action"),
        pytest.param(allow(resource=POOL), False, id="no-action-element"),
        pytest.param(allow(AUTH, None), False, id="no-resource-element"),
        pytest.param(allow(AUTH, POOL, Condition=SOURCE_IP), False, id="allow-condition"),
        pytest.param(deny(AUTH, POOL, Condition=SOURCE_IP), True, id="deny-condition"),
        pytest.param(deny(DELETE_USER, POOL, Condition=SOURCE_IP), False, id="deny-cond-other"),
        pytest.param(allow(NotAction=DELETE_USER, resource=POOL), True, id="notaction"),
        pytest.param(allow(AUTH, None, NotResource=OTHER_POOL), True, id="notresource"),
    ],
)
def test_statement_applies(statement, expected):
    assert statement_applies(statement, AUTH, POOL) is expected


# -- the statements a decision rests on ------------------------------------------------------

MANAGED = PolicySource(
    "AWSLambdaBasicExecutionRole",
    "aws-managed",
    policy(
        allow("logs:*"),  # 0: other action
        allow("cognito-idp:Admin*", POOL),  # 1
        deny("cognito-idp:ListUsers"),  # 2: other action
        allow(AUTH, "*"),  # 3
    ),
)
INLINE = PolicySource("PolicyInputList.1", "role", policy(allow(AUTH, POOL)))
DENYING = PolicySource(
    "simple-api-deny",
    "user-managed",
    policy(allow(AUTH, POOL), deny("cognito-idp:*"), deny(AUTH, POOL)),
)


def test_allowed_lists_every_matching_allow_with_its_policy():
    decision = evaluate([MANAGED, INLINE], AUTH, POOL)
    assert decision == Decision(
        ALLOWED,
        (
            MatchedStatement("AWSLambdaBasicExecutionRole", "aws-managed", 1, "Allow"),
            MatchedStatement("AWSLambdaBasicExecutionRole", "aws-managed", 3, "Allow"),
            MatchedStatement("PolicyInputList.1", "role", 0, "Allow"),
        ),
    )


def test_explicit_deny_lists_only_the_denies():
    decision = evaluate([MANAGED, DENYING, INLINE], AUTH, POOL)
    assert decision.decision == EXPLICIT_DENY
    assert decision.matched == (
        MatchedStatement("simple-api-deny", "user-managed", 1, "Deny"),
        MatchedStatement("simple-api-deny", "user-managed", 2, "Deny"),
    )
    assert not decision.allowed


def test_implicit_deny_lists_nothing():
    decision = evaluate([MANAGED, INLINE], DELETE_USER, OTHER_POOL)
    assert decision == Decision(IMPLICIT_DENY)
    assert decision.matched == ()


def test_single_statement_object_is_index_zero():
    source = PolicySource("one", "none", {"Statement": deny(AUTH)})
    assert evaluate([source], AUTH, POOL).matched == (MatchedStatement("one", "none", 0, "Deny"),)


def test_ignored_statements_keep_their_positions():
    source = PolicySource("p", "role", policy(stmt("Audit", AUTH, "*"), allow(AUTH)))
    assert evaluate([source], AUTH, POOL).matched == (MatchedStatement("p", "role", 1, "Allow"),)


# -- glob_match ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        pytest.param("", "", True, id="empty-matches-empty"),
        pytest.param("", "a", False, id="empty-matches-only-empty"),
        pytest.param("*", "", True, id="star-matches-empty"),
        pytest.param("?", "", False, id="question-needs-one"),
        pytest.param("abc", "abc", True, id="literal"),
        pytest.param("abc", "xabc", False, id="anchored-start"),
        pytest.param("abc", "abcx", False, id="anchored-end"),
        pytest.param("a.c", "abc", False, id="dot-literal"),
        pytest.param("a.c", "a.c", True, id="dot-matches-dot"),
        pytest.param("a+c", "aac", False, id="plus-literal"),
        pytest.param("a+c", "a+c", True, id="plus-matches-plus"),
        pytest.param("f(x)", "fx", False, id="paren-literal"),
        pytest.param("f(x)", "f(x)", True, id="paren-matches-paren"),
        pytest.param("a[bc]d", "abd", False, id="bracket-literal"),
        pytest.param("a[bc]d", "a[bc]d", True, id="bracket-matches-bracket"),
        pytest.param("a|b", "a", False, id="pipe-literal"),
        pytest.param("^a$", "^a$", True, id="anchors-literal"),
        pytest.param("a{2}", "aa", False, id="brace-literal"),
        pytest.param("a\\d", "a\\d", True, id="backslash-literal"),
        pytest.param("[$LATEST]*", "[$LATEST]abc", True, id="log-stream-name"),
        pytest.param("a*b*c", "a:x/b/y:c", True, id="stars-span-separators"),
        pytest.param("a*b*c", "a:x/c", False, id="stars-need-every-literal"),
        pytest.param("a??", "abc", True, id="two-questions"),
        pytest.param("a??", "ab", False, id="two-questions-one-char"),
        pytest.param("ABC", "abc", False, id="case-sensitive-by-default"),
    ],
)
def test_glob_match(pattern, value, expected):
    assert wildcard_match(pattern, value) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "case_sensitive", "expected"),
    [
        pytest.param("ABC", "abc", False, True, id="insensitive"),
        pytest.param("a*", "A\nB", False, True, id="insensitive-star-spans-newline"),
        # regression: '*' once matched a newline only when case-insensitive (re.DOTALL was
        # tied to the case flag), so resource patterns, compared case-sensitively, did not
        pytest.param("a*", "a\nb", True, True, id="sensitive-star-spans-newline"),
        pytest.param("a?b", "a\nb", True, True, id="sensitive-question-matches-newline"),
    ],
)
def test_glob_match_case_option(pattern, value, case_sensitive, expected):
    assert wildcard_match(pattern, value, ignore_case=not case_sensitive) is expected


def test_deny_star_covers_every_resource():
    # a Deny on Resource "*" applies to every resource, even one whose ARN was built from a
    # parameter holding a newline (regression: see sensitive-star-spans-newline above)
    sources_ = sources(policy(allow(AUTH, None, NotResource=OTHER_POOL), deny(AUTH, "*")))
    assert evaluate(sources_, AUTH, f"{POOL}\nx").decision == EXPLICIT_DENY


# -- denial_message (docs/aws-behavior.md#iam) ----------------------------------------------


def test_implicit_deny_message():
    decision = evaluate(sources(policy(allow(SET_PASSWORD, POOL))), AUTH, POOL)
    assert denial_message(PRINCIPAL, AUTH, POOL, decision) == (
        "User: arn:aws:sts::123456789012:assumed-role/simple-api-Role/simple-api-auth is not "
        "authorized to perform: cognito-idp:AdminInitiateAuth on resource: "
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc because no "
        "identity-based policy allows the cognito-idp:AdminInitiateAuth action"
    )


def test_explicit_deny_message():
    decision = evaluate(sources(policy(allow("*"), deny(AUTH, POOL))), AUTH, POOL)
    assert denial_message(PRINCIPAL, AUTH, POOL, decision) == (
        "User: arn:aws:sts::123456789012:assumed-role/simple-api-Role/simple-api-auth is not "
        "authorized to perform: cognito-idp:AdminInitiateAuth on resource: "
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc with an explicit "
        "deny in an identity-based policy"
    )


def test_denial_message_names_the_action_asked_for():
    message = denial_message(PRINCIPAL, "logs:PutLogEvents", LOG_STREAM, Decision(IMPLICIT_DENY))
    assert message == (
        f"User: {PRINCIPAL} is not authorized to perform: logs:PutLogEvents on resource: "
        f"{LOG_STREAM} because no identity-based policy allows the logs:PutLogEvents action"
    )


# -- evaluate_all ----------------------------------------------------------------------------


def test_evaluate_all_one_result_per_pair_in_order():
    results = evaluate_all(sources(TUTORIAL), [AUTH, DELETE_USER], [POOL, OTHER_POOL])
    assert [(a, r, d.decision) for a, r, d in results] == [
        (AUTH, POOL, ALLOWED),
        (AUTH, OTHER_POOL, IMPLICIT_DENY),
        (DELETE_USER, POOL, IMPLICIT_DENY),
        (DELETE_USER, OTHER_POOL, IMPLICIT_DENY),
    ]
    assert results[0][2] == evaluate(sources(TUTORIAL), AUTH, POOL)


def test_evaluate_all_explicit_deny_per_pair():
    results = evaluate_all(sources(TUTORIAL, policy(deny(AUTH, OTHER_POOL))), [AUTH], [POOL, "*"])
    assert [d.decision for _, _, d in results] == [ALLOWED, IMPLICIT_DENY]
    results = evaluate_all(sources(policy(allow("*"), deny(AUTH, "*"))), [AUTH, LIST_USERS], [POOL])
    assert [d.decision for _, _, d in results] == [EXPLICIT_DENY, ALLOWED]


@pytest.mark.parametrize(
    ("actions", "resources"),
    [([], [POOL]), ([AUTH], []), ([], [])],
    ids=["no-actions", "no-resources", "neither"],
)
def test_evaluate_all_empty(actions, resources):
    assert evaluate_all(sources(TUTORIAL), actions, resources) == []
