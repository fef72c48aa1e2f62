"""AWS timing mode, rule by rule, on a local cloud of its own (default scale 0.1): IAM propagation
of roles and policies, Lambda's Pending and InProgress states as botocore's waiters see them, API
Gateway's throttling and its recovery; and AWS-shaped IDs, with and without ``--seed``
(docs/aws-behavior.md#aws-timing-mode, docs/aws-behavior.md#aws-shaped-ids)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localcloud import ephemeral
from tests.support import LAMBDA_TRUST, REGION, LocalCloud, free_port, unique, zip_code

SCALE = 0.1
CODE = zip_code("def handler(event, context):\n    return {'ok': True}\n")
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@pytest.fixture(scope="module")
def timed(tmp_path_factory):
    """A local cloud in AWS timing mode; its clients never retry (each refusal is seen)."""
    home = tmp_path_factory.mktemp("timed")
    started, proc = ephemeral.start(home, env={"LOCALCLOUD_AWS_TIMING": "1"})
    cloud = LocalCloud(started.endpoint, started.port, proc, started.log_path)
    try:
        yield cloud
    finally:
        ephemeral.stop(proc)


def client(cloud: LocalCloud, service: str):
    return cloud.client(service, config=NO_RETRIES)


def doc(cloud: LocalCloud, path: str) -> dict:
    with urllib.request.urlopen(f"{cloud.endpoint}/_localcloud/{path}", timeout=5) as answer:
        return json.load(answer)


def error_of(call) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value


def new_role(cloud: LocalCloud) -> str:
    return client(cloud, "iam").create_role(
        RoleName=unique("timed-role"), AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]


def ready_role(cloud: LocalCloud) -> str:
    arn = new_role(cloud)
    time.sleep(10 * SCALE + 0.1)
    return arn


def create(cloud: LocalCloud, role: str, name: str | None = None) -> dict:
    return client(cloud, "lambda").create_function(
        FunctionName=name or unique("timed-fn"),
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": CODE},
    )


def polls_of(lam, operation: str) -> list[str]:
    """Record each ``operation`` call the client makes (a waiter's polls)."""
    seen: list[str] = []
    lam.meta.events.register(
        f"after-call.lambda.{operation}", lambda **kw: seen.append(str(kw["http_response"]))
    )
    return seen


def test_health_says_the_mode_and_its_scale(timed):
    assert doc(timed, "health")["aws_timing"] == {"enabled": True, "scale": SCALE}


# -- IAM propagation --------------------------------------------------------------------------


def test_a_new_role_cannot_be_assumed_by_lambda_for_a_while(timed):
    role = new_role(timed)
    refused = error_of(lambda: create(timed, role))
    assert refused.response["Error"] == {
        "Code": "InvalidParameterValueException",
        "Message": CANNOT_ASSUME,
    }
    assert refused.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    time.sleep(10 * SCALE + 0.1)
    assert create(timed, role)["Role"] == role


def test_a_changed_trust_policy_propagates_again(timed):
    role = ready_role(timed)
    name = create(timed, role)["FunctionName"]
    iam = client(timed, "iam")
    iam.update_assume_role_policy(
        RoleName=role.rsplit("/", 1)[-1], PolicyDocument=json.dumps(LAMBDA_TRUST)
    )
    lam = client(timed, "lambda")
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    refused = error_of(lambda: lam.update_function_configuration(FunctionName=name, Role=role))
    assert refused.response["Error"]["Message"] == CANNOT_ASSUME
    time.sleep(10 * SCALE + 0.1)
    assert lam.update_function_configuration(FunctionName=name, Role=role)["Role"] == role


def test_a_just_attached_policy_is_not_yet_in_force_for_the_roles_calls(timed):
    role = ready_role(timed)
    role_name = role.rsplit("/", 1)[-1]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}],
    }
    creds = client(timed, "sts").assume_role(RoleArn=role, RoleSessionName="check")["Credentials"]
    as_role = boto3.client(
        "iam",
        endpoint_url=timed.endpoint,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=NO_RETRIES,
    )
    client(timed, "iam").put_role_policy(
        RoleName=role_name, PolicyName="list", PolicyDocument=json.dumps(policy)
    )
    before = doc(timed, "stats")["aws_timing"]["counts"].get("policy_not_in_force", 0)
    assert error_of(as_role.list_roles).response["Error"]["Code"] == "AccessDenied"
    # the simulator (IAM's own view) sees the policy at once, as on AWS
    simulated = client(timed, "iam").simulate_principal_policy(
        PolicySourceArn=role, ActionNames=["iam:ListRoles"]
    )
    assert simulated["EvaluationResults"][0]["EvalDecision"] == "allowed"
    time.sleep(10 * SCALE + 0.1)
    assert as_role.list_roles()["Roles"]
    assert doc(timed, "stats")["aws_timing"]["counts"]["policy_not_in_force"] == before + 1


# -- Lambda states ----------------------------------------------------------------------------


def test_a_new_function_is_pending_and_refuses_invoke_and_updates(timed):
    role = ready_role(timed)
    made = create(timed, role)
    name, arn = made["FunctionName"], made["FunctionArn"]
    assert (made["State"], made["StateReasonCode"]) == ("Pending", "Creating")
    assert made["StateReason"] == "The function is being created."
    lam = client(timed, "lambda")
    assert lam.get_function(FunctionName=name)["Configuration"]["State"] == "Pending"
    invoked = error_of(lambda: lam.invoke(FunctionName=name, Payload=b"{}"))
    assert invoked.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert invoked.response["Error"] == {
        "Code": "ResourceConflictException",
        "Message": "The operation cannot be performed at this time. "
        "The function is currently in the following state: Pending",
    }
    updated = error_of(lambda: lam.update_function_code(FunctionName=name, ZipFile=CODE))
    assert updated.response["Error"]["Code"] == "ResourceConflictException"
    assert updated.response["Error"]["Message"] == (
        f"The operation cannot be performed at this time. The resource {arn} is currently in "
        "the following state: 'Pending'. StateReasonCode: 'Creating'"
    )


def test_function_active_v2_waits_for_active(timed):
    name = create(timed, ready_role(timed))["FunctionName"]
    lam = client(timed, "lambda")
    polls = polls_of(lam, "GetFunction")
    began = time.monotonic()
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    assert len(polls) >= 2  # it saw Pending first
    assert time.monotonic() - began >= 5 * SCALE - 0.15
    config = lam.get_function_configuration(FunctionName=name)
    assert (config["State"], config["LastUpdateStatus"]) == ("Active", "Successful")
    assert "StateReasonCode" not in config
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == {"ok": True}


def test_an_update_is_in_progress_and_a_second_update_conflicts(timed):
    name = create(timed, ready_role(timed))["FunctionName"]
    lam = client(timed, "lambda")
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    answer = lam.update_function_code(FunctionName=name, ZipFile=CODE)
    assert (answer["State"], answer["LastUpdateStatus"]) == ("Active", "InProgress")
    assert answer["LastUpdateStatusReasonCode"] == "Creating"
    second = error_of(lambda: lam.update_function_configuration(FunctionName=name, Timeout=9))
    assert second.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert second.response["Error"] == {
        "Code": "ResourceConflictException",
        "Message": "The operation cannot be performed at this time. An update is in progress "
        f"for resource: {answer['FunctionArn']}",
    }
    # an update in progress does not stop invocations
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == {"ok": True}
    polls = polls_of(lam, "GetFunction")
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    assert len(polls) >= 2  # it saw InProgress first
    assert lam.update_function_configuration(FunctionName=name, Timeout=9)["Timeout"] == 9


def test_stats_count_refusals_and_transient_states(timed):
    counts = doc(timed, "stats")["aws_timing"]["counts"]
    for key in ("role_not_ready", "invoke_pending", "update_pending", "update_conflict"):
        assert counts.get(key, 0) >= 1, (key, counts)
    assert counts.get("seen_pending", 0) >= 1 and counts.get("seen_in_progress", 0) >= 1


# -- API Gateway throttling -------------------------------------------------------------------


def assert_throttled(err: ClientError, retry_after: str) -> None:
    meta = err.response["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 429
    assert err.response["Error"] == {
        "Code": "TooManyRequestsException",
        "Message": "Too Many Requests",
    }
    assert meta["HTTPHeaders"]["x-amzn-errortype"] == "TooManyRequestsException"
    assert meta["HTTPHeaders"]["retry-after"] == retry_after
    assert meta["HTTPHeaders"]["content-type"] == "application/json"


def test_create_rest_api_is_throttled_then_recovers(timed):
    apigw = client(timed, "apigateway")
    time.sleep(3 * SCALE)
    apigw.create_rest_api(name=unique("api"))
    assert_throttled(error_of(lambda: apigw.create_rest_api(name=unique("api"))), "1")
    time.sleep(3 * SCALE + 0.05)
    assert apigw.create_rest_api(name=unique("api"))["id"]


def test_create_deployment_is_throttled_then_recovers(timed):
    apigw = client(timed, "apigateway")
    time.sleep(3 * SCALE)
    api = apigw.create_rest_api(name=unique("api"))
    where = {"restApiId": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "GET"}
    apigw.put_method(**where, authorizationType="NONE")
    apigw.put_integration(**where, type="MOCK")
    time.sleep(5 * SCALE)
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    refused = error_of(lambda: apigw.create_deployment(restApiId=api["id"], stageName="dev"))
    assert_throttled(refused, "1")
    time.sleep(5 * SCALE + 0.05)
    assert apigw.create_deployment(restApiId=api["id"], stageName="dev")["id"]


def test_delete_rest_api_is_one_call_per_scaled_30_s(timed):
    apigw = client(timed, "apigateway")
    made = []
    for _ in range(2):
        time.sleep(3 * SCALE + 0.05)
        made.append(apigw.create_rest_api(name=unique("api"))["id"])
    time.sleep(30 * SCALE)
    apigw.delete_rest_api(restApiId=made[0])
    assert_throttled(error_of(lambda: apigw.delete_rest_api(restApiId=made[1])), "3")
    assert apigw.get_rest_api(restApiId=made[1])["id"] == made[1]  # refused: still there


def test_create_resource_allows_a_burst_then_throttles(timed):
    apigw = client(timed, "apigateway")
    time.sleep(3 * SCALE)
    api = apigw.create_rest_api(name=unique("api"))
    answers = []
    for index in range(40):
        try:
            apigw.create_resource(
                restApiId=api["id"], parentId=api["rootResourceId"], pathPart=f"p{index}"
            )
            answers.append("ok")
        except ClientError as err:
            assert_throttled(err, "1")
            answers.append("429")
            break
    assert answers[-1] == "429" and answers.count("ok") >= 5


# -- AWS-shaped IDs ---------------------------------------------------------------------------

SHAPES = {
    "pool": r"us-east-1_[0-9A-Za-z]{9}",
    "client": r"[0-9a-z]{26}",
    "api": r"[0-9a-z]{10}",
    "root": r"[0-9a-z]{10}",
    "resource": r"[0-9a-z]{6}",
    "authorizer": r"[0-9a-z]{6}",
    "validator": r"[0-9a-z]{6}",
    "model": r"[0-9a-z]{6}",
    "deployment": r"[0-9a-z]{6}",
    "key": r"[0-9a-z]{10}",
    "plan": r"[0-9a-z]{6}",
}


def make_ids(cloud: LocalCloud) -> dict[str, str]:
    """One of each kind of ID the series shows, made in a fixed order."""
    idp, apigw = cloud.client("cognito-idp"), cloud.client("apigateway")
    pool = idp.create_user_pool(PoolName="ids")["UserPool"]
    app = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c")["UserPoolClient"]
    api = apigw.create_rest_api(name="ids")
    resource = apigw.create_resource(
        restApiId=api["id"], parentId=api["rootResourceId"], pathPart="r"
    )
    where = {"restApiId": api["id"], "resourceId": resource["id"], "httpMethod": "GET"}
    apigw.put_method(**where, authorizationType="NONE")
    apigw.put_integration(**where, type="MOCK")
    authorizer = apigw.create_authorizer(
        restApiId=api["id"],
        name="a",
        type="COGNITO_USER_POOLS",
        providerARNs=[pool["Arn"]],
        identitySource="method.request.header.Authorization",
    )
    validator = apigw.create_request_validator(restApiId=api["id"], name="v")
    model = apigw.create_model(
        restApiId=api["id"], name="m", contentType="application/json", schema="{}"
    )
    deployment = apigw.create_deployment(restApiId=api["id"], stageName="dev")
    key = apigw.create_api_key(name="k", enabled=True)
    plan = apigw.create_usage_plan(name="p")
    return {
        "pool": pool["Id"],
        "client": app["ClientId"],
        "api": api["id"],
        "root": api["rootResourceId"],
        "resource": resource["id"],
        "authorizer": authorizer["id"],
        "validator": validator["id"],
        "model": model["id"],
        "deployment": deployment["id"],
        "key": key["id"],
        "plan": plan["id"],
    }


def test_ids_have_aws_shapes_in_the_plain_mode(localcloud):
    made = make_ids(localcloud)
    assert {k: bool(re.fullmatch(SHAPES[k], v)) for k, v in made.items()} == dict.fromkeys(
        SHAPES, True
    ), made
    assert make_ids(localcloud) != made  # random without a seed


def test_a_seed_makes_the_same_aws_shaped_ids(tmp_path):
    runs = []
    for seed in (7, 7):
        started, proc = ephemeral.start(tmp_path / f"seed-{len(runs)}", seed=seed)
        try:
            runs.append(
                make_ids(LocalCloud(started.endpoint, started.port, proc, started.log_path))
            )
        finally:
            ephemeral.stop(proc)
    assert runs[0] == runs[1]
    assert all(re.fullmatch(SHAPES[k], v) for k, v in runs[0].items()), runs[0]


# -- the switch -------------------------------------------------------------------------------

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def cli(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "LOCALCLOUD_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_up_with_aws_timing_starts_the_mode(tmp_path):
    port = str(free_port())
    try:
        started = cli("up", "--aws-timing", "--port", port, home=tmp_path)
        assert started.returncode == 0, started.stderr
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/_localcloud/health", timeout=5
        ) as answer:
            assert json.load(answer)["aws_timing"] == {"enabled": True, "scale": 0.1}
    finally:
        assert cli("down", "--port", port, home=tmp_path).returncode == 0


def test_a_bad_scale_is_one_line_and_exit_2(tmp_path):
    done = cli(
        "serve", "--port", str(free_port()), home=tmp_path, LOCALCLOUD_AWS_TIMING_SCALE="fast"
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "LOCALCLOUD_AWS_TIMING_SCALE='fast' is not a number" in done.stderr
