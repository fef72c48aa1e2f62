"""Policy matching (docs/aws-behavior.md#iam), Cognito auth flows (#cognito-sign-in), and the
Lambda role trust check (#lambda)."""

from __future__ import annotations

import pytest

from localcloud.authz.matching import resource_policy_allows, wildcard_match
from localcloud.control.awslambda import trusts_lambda
from localcloud.control.cognito import flow_enabled

FN = "arn:aws:lambda:us-east-1:123456789012:function:hello"
API = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"
SOURCE = f"{API}/dev/GET/pets"
CONTEXT = {"aws:sourcearn": SOURCE, "aws:sourceaccount": "123456789012"}

# -- wildcard_match --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "", True),
        ("*", "anything/at:all", True),
        ("abc", "abc", True),
        ("abc", "abcd", False),  # anchored at both ends
        ("abc", "xabc", False),
        ("a*c", "ac", True),
        ("a*c", "a/b:c", True),  # * spans any characters, separators included
        ("a*c", "a/b:d", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),  # ? is exactly one character
        ("a?c", "abbc", False),
        ("??", "ab", True),
        ("a.c", "abc", False),  # regex metacharacters are literal
        ("a+c", "aac", False),
        ("a[b]c", "a[b]c", True),
        ("(x)|y", "(x)|y", True),
        ("line*", "line1\nline2", True),
        ("ABC", "abc", False),  # case-sensitive by default
        ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/key", False),
    ],
)
def test_wildcard_match(pattern, value, expected):
    assert wildcard_match(pattern, value) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("lambda:InvokeFunction", "LAMBDA:invokefunction", True),
        ("Lambda:Invoke*", "lambda:invokeFunction", True),
        ("lambda:?nvokeFunction", "LAMBDA:INVOKEFUNCTION", True),
        ("lambda:Invoke*", "lambda:GetFunction", False),
    ],
)
def test_wildcard_match_ignore_case(pattern, value, expected):
    assert wildcard_match(pattern, value, ignore_case=True) is expected


def test_ignore_case_does_not_leak_into_case_sensitive_calls():
    assert wildcard_match("ABC*", "abcd", ignore_case=True)
    assert not wildcard_match("ABC*", "abcd")


# -- resource_policy_allows ------------------------------------------------------------------


def statement(**overrides) -> dict:
    st = {
        "Sid": "apigw",
        "Effect": "Allow",
        "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": FN,
        "Condition": {"ArnLike": {"AWS:SourceArn": f"{API}/*/GET/pets"}},
    }
    st.update(overrides)
    return {k: v for k, v in st.items() if v is not None}


def allows(*statements, context=None, action="lambda:InvokeFunction", resource=FN) -> bool:
    return resource_policy_allows(
        {"Version": "2012-10-17", "Statement": list(statements)},
        service_principal="apigateway.amazonaws.com",
        action=action,
        resource=resource,
        context=CONTEXT if context is None else context,
    )


def test_permission_as_add_permission_writes_it_allows():
    assert allows(statement())


@pytest.mark.parametrize("policy", [None, {}, {"Statement": []}])
def test_no_policy_denies(policy):
    assert not resource_policy_allows(
        policy,
        service_principal="apigateway.amazonaws.com",
        action="lambda:InvokeFunction",
        resource=FN,
        context=CONTEXT,
    )


def test_single_statement_not_in_a_list():
    policy = {"Statement": statement()}
    assert resource_policy_allows(
        policy,
        service_principal="apigateway.amazonaws.com",
        action="lambda:InvokeFunction",
        resource=FN,
        context=CONTEXT,
    )


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ({"Service": "apigateway.amazonaws.com"}, True),
        ({"Service": ["s3.amazonaws.com", "apigateway.amazonaws.com"]}, True),
        ("*", True),
        ({"Service": "lambda.amazonaws.com"}, False),
        ({"Service": "s3.amazonaws.com"}, False),
        ({"AWS": "arn:aws:iam::123456789012:root"}, False),
    ],
)
def test_service_principal(principal, expected):
    assert allows(statement(Principal=principal)) is expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("lambda:InvokeFunction", True),
        ("lambda:invokefunction", True),  # actions compare case-insensitively
        ("LAMBDA:INVOKEFUNCTION", True),
        ("lambda:Invoke*", True),
        ("lambda:*", True),
        ("*", True),
        (["lambda:GetFunction", "lambda:InvokeFunction"], True),
        ("lambda:GetFunction", False),
        ("lambda:InvokeFunctionUrl", False),
        ("s3:*", False),
    ],
)
def test_action(action, expected):
    assert allows(statement(Action=action)) is expected


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (FN, True),
        (f"{FN[:-5]}*", True),
        ("arn:aws:lambda:us-east-1:123456789012:function:other", False),
        (FN.replace("hello", "HELLO"), False),  # ARNs compare case-sensitively
    ],
)
def test_resource(resource, expected):
    assert allows(statement(Resource=resource)) is expected


@pytest.mark.parametrize(
    ("source_pattern", "expected"),
    [
        (SOURCE, True),
        (f"{API}/*", True),
        (f"{API}/*/*/*", True),
        (f"{API}/d?v/GET/pets", True),
        (f"{API}/prod/*", False),
        (f"{API}/*/POST/pets", False),
        (f"{API}/*/get/pets", False),  # case-sensitive
        ([f"{API}/prod/*", f"{API}/dev/*"], True),  # any of a list
        ("arn:aws:execute-api:us-east-1:123456789012:otherapi99/*", False),
    ],
)
def test_arn_like_source_arn(source_pattern, expected):
    cond = {"ArnLike": {"AWS:SourceArn": source_pattern}}
    assert allows(statement(Condition=cond)) is expected


def test_condition_key_names_are_case_insensitive():
    cond = {"ArnLike": {"aws:sourcearn": f"{API}/*"}}
    assert allows(statement(Condition=cond))


def test_condition_on_a_key_absent_from_the_request_does_not_grant():
    assert not allows(statement(), context={"aws:sourceaccount": "123456789012"})


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("StringEquals", "123456789012", True),
        ("StringEquals", "999999999999", False),
        ("StringEquals", ["999999999999", "123456789012"], True),
        ("StringLike", "1234*", True),
        ("StringLike", "9*", False),
    ],
)
def test_source_account(operator, value, expected):
    cond = {operator: {"AWS:SourceAccount": value}}
    assert allows(statement(Condition=cond)) is expected


def test_all_conditions_must_hold():
    cond = {
        "ArnLike": {"AWS:SourceArn": f"{API}/*"},
        "StringEquals": {"AWS:SourceAccount": "999999999999"},
    }
    assert not allows(statement(Condition=cond))


def test_arn_equals_is_exact():
    assert allows(statement(Condition={"ArnEquals": {"AWS:SourceArn": SOURCE}}))
    assert not allows(statement(Condition={"ArnEquals": {"AWS:SourceArn": f"{API}/*"}}))


@pytest.mark.parametrize("operator", ["NumericEquals", "Bogus", "ForAnyValue"])
def test_unknown_condition_operator_does_not_grant(operator):
    cond = {operator: {"AWS:SourceArn": f"{API}/*"}}
    assert not allows(statement(Condition=cond))


def test_explicit_deny_wins_whatever_the_order():
    allow = statement(Condition={"ArnLike": {"AWS:SourceArn": f"{API}/*"}})
    deny = statement(Effect="Deny", Condition={"ArnLike": {"AWS:SourceArn": f"{API}/dev/*"}})
    assert not allows(allow, deny)
    assert not allows(deny, allow)


def test_deny_that_does_not_match_leaves_the_allow():
    allow = statement(Condition={"ArnLike": {"AWS:SourceArn": f"{API}/*"}})
    deny = statement(Effect="Deny", Condition={"ArnLike": {"AWS:SourceArn": f"{API}/prod/*"}})
    assert allows(allow, deny)


def test_deny_alone_denies():
    assert not allows(statement(Effect="Deny"))


# -- cognito.flow_enabled --------------------------------------------------------------------


@pytest.mark.parametrize("auth_flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
@pytest.mark.parametrize("setting", ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flow_under_either_name_with_either_setting(auth_flow, setting):
    assert flow_enabled(auth_flow, [setting, "ALLOW_REFRESH_TOKEN_AUTH"])


@pytest.mark.parametrize("auth_flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flow_not_listed_is_refused(auth_flow):
    assert not flow_enabled(
        auth_flow, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )


@pytest.mark.parametrize(
    ("auth_flow", "expected"),
    [
        ("REFRESH_TOKEN_AUTH", True),
        ("REFRESH_TOKEN", True),
        ("USER_SRP_AUTH", True),
        ("CUSTOM_AUTH", True),
        ("ADMIN_USER_PASSWORD_AUTH", False),
        ("ADMIN_NO_SRP_AUTH", False),
        ("USER_PASSWORD_AUTH", False),
    ],
)
def test_default_flows_of_a_client_without_explicit_auth_flows(auth_flow, expected):
    assert flow_enabled(auth_flow, None) is expected


@pytest.mark.parametrize(
    ("auth_flow", "settings", "expected"),
    [
        ("USER_PASSWORD_AUTH", ["ALLOW_USER_PASSWORD_AUTH"], True),
        ("USER_PASSWORD_AUTH", ["USER_PASSWORD_AUTH"], True),  # legacy name
        ("USER_PASSWORD_AUTH", ["ALLOW_ADMIN_USER_PASSWORD_AUTH"], False),
        ("USER_SRP_AUTH", ["ALLOW_ADMIN_USER_PASSWORD_AUTH"], False),
        ("REFRESH_TOKEN_AUTH", ["ALLOW_ADMIN_USER_PASSWORD_AUTH"], False),
        ("REFRESH_TOKEN_AUTH", ["ALLOW_REFRESH_TOKEN_AUTH"], True),
        ("CUSTOM_AUTH", ["ALLOW_CUSTOM_AUTH"], True),
        ("CUSTOM_AUTH", ["CUSTOM_AUTH_FLOW_ONLY"], True),
    ],
)
def test_explicit_flows(auth_flow, settings, expected):
    assert flow_enabled(auth_flow, settings) is expected


# -- awslambda.trusts_lambda -----------------------------------------------------------------


def trust(**overrides) -> dict:
    st = {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    st.update(overrides)
    return {"Version": "2012-10-17", "Statement": [st]}


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (trust(), True),
        (trust(Principal={"Service": ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]}), True),
        (trust(Principal="*"), True),
        (trust(Action=["sts:TagSession", "sts:AssumeRole"]), True),
        (trust(Action="sts:*"), True),
        (trust(Action="STS:assumerole"), True),
        (trust(Principal={"Service": "ec2.amazonaws.com"}), False),
        (trust(Principal={"AWS": "arn:aws:iam::123456789012:root"}), False),
        (trust(Action="sts:AssumeRoleWithWebIdentity"), False),
        (trust(Effect="Deny"), False),
        ({"Version": "2012-10-17", "Statement": []}, False),
        ({}, False),
        (None, False),
    ],
)
def test_trusts_lambda(policy, expected):
    assert trusts_lambda(policy) is expected


def test_trusts_lambda_with_a_single_statement_object():
    policy = trust()
    policy["Statement"] = policy["Statement"][0]
    assert trusts_lambda(policy)


# ------------------------------------------------------------------ Cognito password policy

DEFAULT_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Aa1!", "Password not long enough"),
        ("password1!", "Password must have uppercase characters"),
        ("PASSWORD1!", "Password must have lowercase characters"),
        ("Password!!", "Password must have numeric characters"),
        ("Password12", "Password must have symbol characters"),
        ("Password1!", None),
        ("Pass word1^", None),
    ],
)
def test_password_problem_follows_the_pool_policy(password, problem):
    from localcloud.control.cognito import password_problem

    assert password_problem(password, DEFAULT_POLICY) == problem


def test_a_relaxed_policy_accepts_simple_passwords():
    from localcloud.control.cognito import password_problem

    assert password_problem("abcdef", {"MinimumLength": 6}) is None
