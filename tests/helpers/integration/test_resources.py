"""The helpers against a real local cloud: each ensure_* finds what exists and changes only what
differs; stale outputs name the notebook to run; teardown works after a partial run."""

from __future__ import annotations

import json

import boto3
import pytest
import requests

from helpers import names
from helpers.apigateway import (
    deploy,
    ensure_lambda_proxy_integration,
    ensure_method,
    ensure_mock_placeholder,
    ensure_resource,
    ensure_rest_api,
    execute_api_arn,
    find_integration,
    probe_without_invoke_permission,
)
from helpers.cloud import LOCAL_CREDENTIALS, Cloud
from helpers.cognito import (
    CLIENT_AUTH_FLOWS,
    ensure_app_client,
    ensure_new_user,
    ensure_user_pool,
    sign_in,
    throwaway_signed_in_user,
    user_status,
)
from helpers.errors import KitError
from helpers.functions import ensure_function, ensure_invoke_permission, invoke
from helpers.iam import (
    LAMBDA_TRUST_POLICY,
    call_as_role,
    cognito_admin_policy,
    confirm_user_policy,
    ensure_lambda_role,
    ensure_policy,
    ensure_role,
    policy_document,
)
from helpers.names import BASIC_EXECUTION_POLICY_ARN
from helpers.stack import load_stack
from helpers.teardown import teardown
from tests.support import REGION, unique


@pytest.fixture
def cloud(localcloud, tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp_path))
    session = boto3.Session(region_name=REGION, **LOCAL_CREDENTIALS)
    return Cloud(target="local", region=REGION, endpoint_url=localcloud.endpoint, session=session)


def test_pool_and_client_are_found_not_created_again(cloud):
    idp = cloud.client("cognito-idp")
    name = unique("pool")
    pool = ensure_user_pool(idp, name)
    assert ensure_user_pool(idp, name)["Id"] == pool["Id"]
    assert [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]].count(name) == 1
    client = ensure_app_client(idp, pool["Id"], "simple-api-client")
    assert ensure_app_client(idp, pool["Id"], "simple-api-client")["ClientId"] == client["ClientId"]
    listed = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
    assert len(listed) == 1 and "ClientSecret" not in client


def test_app_client_flows_are_put_right(cloud):
    idp = cloud.client("cognito-idp")
    pool = ensure_user_pool(idp, unique("pool"))
    made = idp.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="simple-api-client",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"],
    )["UserPoolClient"]
    fixed = ensure_app_client(idp, pool["Id"], "simple-api-client")
    assert fixed["ClientId"] == made["ClientId"]
    assert sorted(fixed["ExplicitAuthFlows"]) == sorted(CLIENT_AUTH_FLOWS)
    assert fixed["PreventUserExistenceErrors"] == "ENABLED"


def test_a_user_returns_to_force_change_password_and_signs_in_after_confirming(cloud):
    idp = cloud.client("cognito-idp")
    pool = ensure_user_pool(idp, unique("pool"))
    client = ensure_app_client(idp, pool["Id"], "simple-api-client")
    assert ensure_new_user(idp, pool["Id"], "misi", "Temp-Passw0rd!") == "FORCE_CHANGE_PASSWORD"
    answer = sign_in(idp, pool["Id"], client["ClientId"], "misi", "Temp-Passw0rd!")
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    idp.admin_set_user_password(
        UserPoolId=pool["Id"], Username="misi", Password="Final-Passw0rd!", Permanent=True
    )
    assert user_status(idp, pool["Id"], "misi") == "CONFIRMED"
    # running 04 again: the same user, back to a temporary password
    assert ensure_new_user(idp, pool["Id"], "misi", "Temp-Passw0rd-2!") == "FORCE_CHANGE_PASSWORD"
    assert len(idp.list_users(UserPoolId=pool["Id"])["Users"]) == 1
    with throwaway_signed_in_user(idp, pool["Id"], client["ClientId"], "visitor") as tokens:
        assert tokens["TokenType"] == "Bearer" and tokens["IdToken"].count(".") == 2
    assert user_status(idp, pool["Id"], "visitor") is None


def test_policy_gets_a_new_default_version_only_when_its_document_changes(cloud):
    iam = cloud.client("iam")
    name = unique("policy")
    arn_a = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a"
    arn_b = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_b"
    policy = ensure_policy(iam, name, cognito_admin_policy(arn_a))
    assert ensure_policy(iam, name, cognito_admin_policy(arn_a))["DefaultVersionId"] == "v1"
    updated = ensure_policy(iam, name, cognito_admin_policy(arn_b))
    assert updated["Arn"] == policy["Arn"]
    assert policy_document(iam, updated) == cognito_admin_policy(arn_b)
    assert len(iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]) == 2


@pytest.fixture
def role_arn(cloud):
    iam = cloud.client("iam")
    return ensure_role(iam, unique("role"), LAMBDA_TRUST_POLICY)["Arn"]


def test_function_is_updated_only_where_it_differs(cloud, role_arn):
    lam = cloud.client("lambda")
    name = names.FUNCTIONS["hello"]
    first = ensure_function(lam, name, role_arn)
    again = ensure_function(lam, name, role_arn)
    assert again["LastModified"] == first["LastModified"]
    assert again["CodeSha256"] == first["CodeSha256"]
    changed = ensure_function(lam, name, role_arn, environment={"GREETING": "hi"})
    assert changed["Environment"]["Variables"] == {"GREETING": "hi"}
    answer = invoke(lam, name, {})
    assert json.loads(answer["body"])["message"] == "Hello, anonymous caller!"
    lam.delete_function(FunctionName=name)


def test_stale_outputs_name_the_notebook_to_run(cloud):
    cloud.outputs.save(user_pool_id="us-east-1_gone", app_client_id="nothing")
    with pytest.raises(KitError, match=r"no longer exists .* run 01_user_pool.ipynb again"):
        load_stack(cloud, "user_pool_id")
    with pytest.raises(KitError, match=r"has no api_id yet; run 03_api_and_key.ipynb first"):
        load_stack(cloud, "api_id")


@pytest.fixture
def api_with_hello(cloud, role_arn):
    apigw, lam = cloud.client("apigateway"), cloud.client("lambda")
    function = ensure_function(lam, names.FUNCTIONS["hello"], role_arn)
    api = ensure_rest_api(apigw, unique("api"))
    hello = ensure_resource(apigw, api["id"], "/hello")
    ensure_method(apigw, api["id"], hello["id"], "GET")
    ensure_lambda_proxy_integration(
        apigw, api["id"], hello["id"], "GET", REGION, function["FunctionArn"]
    )
    source = execute_api_arn(REGION, cloud.account, api["id"], "GET", "/hello")
    ensure_invoke_permission(lam, function["FunctionName"], f"get-hello-{api['id']}", source)
    yield api["id"], hello, function
    lam.delete_function(FunctionName=function["FunctionName"])
    apigw.delete_rest_api(restApiId=api["id"])


def test_deploy_keeps_one_deployment_per_stage(cloud, api_with_hello):
    apigw = cloud.client("apigateway")
    api_id, _hello, _function = api_with_hello
    ids = [deploy(apigw, api_id, "dev") for _ in range(3)]
    assert len(set(ids)) == 3
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [ids[-1]]


def test_the_probe_shows_a_500_and_leaves_nothing(cloud, api_with_hello):
    apigw = cloud.client("apigateway")
    api_id, _hello, function = api_with_hello
    deploy(apigw, api_id, "dev")
    before = (
        sorted(r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]),
        [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]],
        len(apigw.get_deployments(restApiId=api_id)["items"]),
    )
    probe = probe_without_invoke_permission(
        apigw, api_id, REGION, function["FunctionArn"], cloud.stage_url(api_id, "probe")
    )
    assert probe.status == 500 and probe.body == {"message": "Internal server error"}
    after = (
        sorted(r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]),
        [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]],
        len(apigw.get_deployments(restApiId=api_id)["items"]),
    )
    assert after == before


def test_the_placeholder_leaves_a_wired_lambda_alone(cloud, api_with_hello):
    apigw = cloud.client("apigateway")
    api_id, hello, _function = api_with_hello
    auth = ensure_resource(apigw, api_id, "/auth")
    ensure_method(apigw, api_id, auth["id"], "GET")
    mock = ensure_mock_placeholder(apigw, api_id, auth["id"], "GET", 501, "not yet")
    assert mock["type"] == "MOCK"
    deploy(apigw, api_id, "dev")
    reply = requests.get(cloud.stage_url(api_id, "dev") + "/auth", timeout=10)
    assert (reply.status_code, reply.json()) == (501, {"message": "not yet"})
    wired = find_integration(apigw, api_id, hello["id"], "GET")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=auth["id"],
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=wired["uri"],
    )
    kept = ensure_mock_placeholder(apigw, api_id, auth["id"], "GET", 501, "not yet")
    assert kept["type"] == "AWS_PROXY"


def old_single_policy(user_pool_arn: str) -> dict:
    """The policy as the series wrote it before each function had a role: both calls in one."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["cognito-idp:AdminInitiateAuth", "cognito-idp:AdminSetUserPassword"],
                "Resource": user_pool_arn,
            }
        ],
    }


def test_a_policy_from_the_old_single_role_converges(cloud):
    """A re-run on a stack whose policy allowed both calls narrows it to sign-in only."""
    iam = cloud.client("iam")
    name, pool_arn = unique("policy"), "arn:aws:cognito-idp:us-east-1:123456789012:userpool/x_1"
    ensure_policy(iam, name, old_single_policy(pool_arn))
    narrowed = ensure_policy(iam, name, cognito_admin_policy(pool_arn))
    assert narrowed["DefaultVersionId"] == "v2"
    assert policy_document(iam, narrowed)["Statement"][0]["Action"] == (
        "cognito-idp:AdminInitiateAuth"
    )
    assert ensure_policy(iam, name, cognito_admin_policy(pool_arn))["DefaultVersionId"] == "v2"


def test_call_as_role_shows_the_denial_and_changes_nothing(cloud):
    idp, iam = cloud.client("cognito-idp"), cloud.client("iam")
    pool = ensure_user_pool(idp, unique("pool"))
    policy = ensure_policy(iam, unique("policy"), cognito_admin_policy(pool["Arn"]))
    role = ensure_lambda_role(iam, unique("role"), [BASIC_EXECUTION_POLICY_ARN, policy["Arn"]])
    refused = call_as_role(
        cloud, role["Arn"], "cognito-idp", "admin_set_user_password",
        UserPoolId=pool["Id"], Username="nobody", Password="Aa1!aaaaaaaa", Permanent=True,
    )  # fmt: skip
    assert (refused.outcome, refused.code) == ("refused", "AccessDeniedException")
    assert refused.message == (
        f"User: arn:aws:sts::123456789012:assumed-role/{role['RoleName']}/kit-permission-check "
        f"is not authorized to perform: cognito-idp:AdminSetUserPassword on resource: "
        f"{pool['Arn']} because no identity-based policy allows the "
        "cognito-idp:AdminSetUserPassword action"
    )
    allowed = call_as_role(
        cloud, role["Arn"], "cognito-idp", "admin_initiate_auth", UserPoolId=pool["Id"],
        ClientId="nope", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "nobody", "PASSWORD": "x"},
    )  # fmt: skip
    assert allowed.outcome == "allowed" and allowed.code != "AccessDeniedException"


def test_teardown_after_a_partial_run_and_twice(cloud):
    idp, iam = cloud.client("cognito-idp"), cloud.client("iam")
    pool = ensure_user_pool(idp, names.USER_POOL)
    ensure_role(iam, names.ROLES["hello"], LAMBDA_TRUST_POLICY)
    # a policy with a non-default version, attached: teardown detaches it and deletes v1 first
    ensure_policy(iam, names.AUTH_POLICY, old_single_policy(pool["Arn"]))
    auth = ensure_policy(iam, names.AUTH_POLICY, cognito_admin_policy(pool["Arn"]))
    ensure_lambda_role(iam, names.ROLES["auth"], [BASIC_EXECUTION_POLICY_ARN, auth["Arn"]])
    confirm = ensure_policy(iam, names.CONFIRM_USER_POLICY, confirm_user_policy(pool["Arn"]))
    ensure_lambda_role(iam, names.ROLES["confirm_user"], [confirm["Arn"]])
    cloud.outputs.save(target="local")
    for _ in range(2):
        report = teardown(cloud)
        assert {state for *_, state in report.rows} == {"gone"}
    assert not cloud.outputs.path.exists()
    assert names.USER_POOL not in [
        p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]
    ]
    kept = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert not set(names.ROLES.values()) & set(kept)
    policies = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert not set(names.POLICIES.values()) & set(policies)
