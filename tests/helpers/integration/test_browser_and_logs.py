"""Notebook 09's helpers against a real local cloud: POST /auth with its model and body validator,
CORS on and off (preflights, the Lambdas' header, gateway responses), the account's CloudWatch
role, execution and access logs read back per request, and data trace writing the password."""

from __future__ import annotations

import json

import boto3
import pytest
import requests

from helpers.apigateway import (
    deploy,
    ensure_lambda_proxy_integration,
    ensure_method,
    ensure_resource,
    ensure_rest_api,
    execute_api_arn,
)
from helpers.cloud import LOCAL_CREDENTIALS, Cloud
from helpers.cognito import ensure_app_client, ensure_user_pool
from helpers.cors import (
    ALLOW_HEADERS,
    customized_gateway_responses,
    disable_cors,
    enable_cors,
    preflight,
)
from helpers.display import ApiClient
from helpers.functions import ensure_function, ensure_invoke_permission
from helpers.gateway_logs import (
    APIGATEWAY_TRUST_POLICY,
    access_log_entry,
    ensure_cloudwatch_role,
    execution_log_lines,
    kit_cloudwatch_role_in_use,
    lines_holding,
    release_cloudwatch_role,
    request_id,
    set_access_logging,
    set_execution_logging,
    shown_lines,
)
from helpers.iam import cognito_admin_policy, ensure_lambda_role, ensure_policy, ensure_role
from helpers.names import APIGATEWAY_LOGS_ROLE, BASIC_EXECUTION_POLICY_ARN, SIGN_IN_MODEL
from helpers.signin import BODY_VALIDATOR, ensure_post_auth, post_json
from tests.support import unique

pytestmark = pytest.mark.integration

PASSWORD = "Integr4tion-Passw0rd!"
#: a region whose API Gateway account settings no other test of the session touches
REGION = "eu-west-3"
ORIGIN = "http://127.0.0.1:8123"


@pytest.fixture(scope="module")
def stack(localcloud, tmp_path_factory):
    """A small tutorial stack: a pool with a confirmed user, simple-api-auth's and
    simple-api-hello's code under unique names, GET /hello and /auth on stage dev, and the
    outputs file naming them (in a folder of its own)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp_path_factory.mktemp("outputs")))
    session = boto3.Session(region_name=REGION, **LOCAL_CREDENTIALS)
    cloud = Cloud(target="local", region=REGION, endpoint_url=localcloud.endpoint, session=session)
    idp, iam, lam = cloud.client("cognito-idp"), cloud.client("iam"), cloud.client("lambda")
    apigw = cloud.client("apigateway")
    pool = ensure_user_pool(idp, unique("pool"))
    client = ensure_app_client(idp, pool["Id"], "simple-api-client")
    idp.admin_create_user(UserPoolId=pool["Id"], Username="misi", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool["Id"], Username="misi", Password=PASSWORD, Permanent=True
    )
    policy = ensure_policy(iam, unique("sign-in"), cognito_admin_policy(pool["Arn"]))
    role = ensure_lambda_role(iam, unique("role"), [BASIC_EXECUTION_POLICY_ARN, policy["Arn"]])
    functions = {"auth": unique("auth"), "hello": unique("hello")}
    environment = {"USER_POOL_ID": pool["Id"], "CLIENT_ID": client["ClientId"], "KEEP": "me"}
    auth_fn = ensure_function(
        lam, functions["auth"], role["Arn"], environment=environment, source="simple_api_auth"
    )
    hello_fn = ensure_function(lam, functions["hello"], role["Arn"], source="simple_api_hello")
    api_id = ensure_rest_api(apigw, unique("api"))["id"]
    for path, function in (("/hello", hello_fn), ("/auth", auth_fn)):
        resource = ensure_resource(apigw, api_id, path)
        ensure_method(apigw, api_id, resource["id"], "GET")
        ensure_lambda_proxy_integration(
            apigw, api_id, resource["id"], "GET", REGION, function["FunctionArn"]
        )
        source = execute_api_arn(REGION, cloud.account, api_id, "GET", path)
        ensure_invoke_permission(lam, function["FunctionName"], f"get{path[1:]}", source)
    deploy(apigw, api_id, "dev")
    url = cloud.stage_url(api_id, "dev")
    cloud.outputs.save(target="local", api_id=api_id, stage="dev", api_url=url, functions=functions)
    try:
        yield cloud, api_id, functions
    finally:
        patch.undo()


def test_post_auth_refuses_a_bad_body_and_signs_in_with_a_good_one(stack):
    cloud, api_id, functions = stack
    apigw = cloud.client("apigateway")
    first = ensure_post_auth(cloud)
    again = ensure_post_auth(cloud)  # re-runnable: nothing new
    assert first["requestModels"] == again["requestModels"] == {"application/json": SIGN_IN_MODEL}
    assert [m["name"] for m in apigw.get_models(restApiId=api_id)["items"]] == [SIGN_IN_MODEL]
    validators = apigw.get_request_validators(restApiId=api_id)["items"]
    assert [(v["name"], v["validateRequestBody"]) for v in validators] == [(BODY_VALIDATOR, True)]
    permissions = cloud.client("lambda").get_policy(FunctionName=functions["auth"])["Policy"]
    assert len(json.loads(permissions)["Statement"]) == 2  # GET /auth and POST /auth
    api = ApiClient(cloud.stage_url(api_id, "dev"))
    for body in ({"username": "misi"}, {"username": "misi", "password": "x", "extra": 1}):
        refused = post_json(api, "/auth", body)
        assert (refused.status, refused.body) == (400, {"message": "Invalid request body"})
        assert refused.error_type == "BadRequestException"
    wrong = post_json(api, "/auth", {"username": "misi", "password": "Wrong-passw0rd!"})
    assert (wrong.status, wrong.body) == (401, {"message": "Incorrect username or password."})
    good = post_json(api, "/auth", {"username": "misi", "password": PASSWORD})
    assert good.status == 200 and "IdToken" in good.json()["AuthenticationResult"]
    assert PASSWORD not in repr(good) and "‹hidden›" in repr(good)


def test_enable_and_disable_cors_twice(stack):
    cloud, api_id, functions = stack
    ensure_post_auth(cloud)
    apigw, lam = cloud.client("apigateway"), cloud.client("lambda")
    url = cloud.stage_url(api_id, "dev")
    for _ in range(2):
        enable_cors(cloud, ORIGIN)
    for path, method, sent in (
        ("/auth", "POST", "content-type"),
        ("/hello", "GET", "authorization"),
    ):
        answer = preflight(url, path, ORIGIN, method, sent)
        assert answer.status_code == 200, path
        assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert answer.headers["Access-Control-Allow-Headers"] == ALLOW_HEADERS
        assert method in answer.headers["Access-Control-Allow-Methods"].split(",")
    assert customized_gateway_responses(apigw, api_id) == ["DEFAULT_4XX", "DEFAULT_5XX"]
    hello = requests.get(url + "/hello", timeout=30)  # the Lambda's own answer
    assert hello.status_code == 200 and hello.headers["Access-Control-Allow-Origin"] == ORIGIN
    missing = requests.get(url + "/nowhere", timeout=10)  # API Gateway's own 403
    assert missing.status_code == 403
    assert missing.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert missing.content == b'{"message":"Missing Authentication Token"}'  # body unchanged
    auth_env = lam.get_function_configuration(FunctionName=functions["auth"])["Environment"]
    assert auth_env["Variables"]["ALLOWED_ORIGIN"] == ORIGIN
    assert auth_env["Variables"]["KEEP"] == "me"

    for _ in range(2):
        disable_cors(cloud)
    answer = preflight(url, "/auth", ORIGIN, "POST", "content-type")
    assert answer.status_code == 403 and "Access-Control-Allow-Origin" not in answer.headers
    assert customized_gateway_responses(apigw, api_id) == []
    hello = requests.get(url + "/hello", timeout=30)
    assert "Access-Control-Allow-Origin" not in hello.headers
    auth_env = lam.get_function_configuration(FunctionName=functions["auth"])["Environment"]
    assert "ALLOWED_ORIGIN" not in auth_env["Variables"] and auth_env["Variables"]["KEEP"] == "me"


def test_logs_show_each_request_and_data_trace_writes_the_password(stack):
    cloud, api_id, _functions = stack
    ensure_post_auth(cloud)
    apigw = cloud.client("apigateway")
    role_arn = ensure_cloudwatch_role(cloud)
    assert ensure_cloudwatch_role(cloud) == role_arn  # found, not set again
    assert role_arn.endswith(f"/{APIGATEWAY_LOGS_ROLE}") and kit_cloudwatch_role_in_use(cloud)
    settings = set_execution_logging(apigw, api_id, "dev", "INFO")
    assert (settings["loggingLevel"], settings["dataTraceEnabled"]) == ("INFO", False)
    group = unique("access")
    access = set_access_logging(cloud, api_id, "dev", group)
    assert access["destinationArn"].endswith(f":log-group:{group}")
    json.loads(access["format"])  # a JSON line per request

    api = ApiClient(cloud.stage_url(api_id, "dev"))
    bad = post_json(api, "/auth", {"username": "misi"})
    lines = execution_log_lines(cloud, api_id, "dev", request_id(bad))
    assert lines[-1] == "Method completed with status: 400"
    assert not any(line.startswith("Endpoint request URI") for line in lines)
    entry = access_log_entry(cloud, group, request_id(bad))
    assert (entry["status"], entry["errorType"]) == ("400", "BAD_REQUEST_BODY")
    assert entry["httpMethod"] == "POST" and entry["resourcePath"] == "/auth"

    set_execution_logging(apigw, api_id, "dev", "INFO", data_trace=True)
    traced = post_json(api, "/auth", {"username": "misi", "password": PASSWORD})
    lines = execution_log_lines(cloud, api_id, "dev", request_id(traced))
    holding = lines_holding(lines, PASSWORD)
    assert holding and holding[0].startswith("Method request body before transformations")
    shown = shown_lines(lines, traced, secrets=[PASSWORD])
    assert PASSWORD not in shown and request_id(traced) not in shown
    assert "eyJ" not in shown  # the answer's tokens are hidden too
    assert '"RefreshToken": "‹hidden›"' in shown

    set_execution_logging(apigw, api_id, "dev", "INFO", data_trace=False)
    quiet = post_json(api, "/auth", {"username": "misi", "password": PASSWORD})
    assert not lines_holding(execution_log_lines(cloud, api_id, "dev", request_id(quiet)), PASSWORD)

    assert release_cloudwatch_role(cloud) and not kit_cloudwatch_role_in_use(cloud)
    assert not release_cloudwatch_role(cloud)  # twice: nothing to do
    assert not apigw.get_account().get("cloudwatchRoleArn")


def test_an_account_role_set_before_is_kept(stack):
    cloud, _api_id, _functions = stack
    apigw, iam = cloud.client("apigateway"), cloud.client("iam")
    theirs = ensure_role(iam, unique("their-logs-role"), APIGATEWAY_TRUST_POLICY)["Arn"]
    apigw.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": theirs}]
    )
    try:
        assert ensure_cloudwatch_role(cloud) == theirs
        assert not kit_cloudwatch_role_in_use(cloud) and not release_cloudwatch_role(cloud)
        assert apigw.get_account()["cloudwatchRoleArn"] == theirs
    finally:
        apigw.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": ""}]
        )
