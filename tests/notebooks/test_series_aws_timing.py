"""The whole series, then teardown, on a local cloud in AWS timing mode (IAM propagation, Lambda
states, API Gateway throttling, scaled): it passes with no change to the notebooks, and the waits
really happened, counted by the local cloud (``/_localcloud/stats``): calls refused and retried,
waiter polls that saw a function still ``Pending`` or ``InProgress``, throttled calls.

Beside it, one fault test per retry path of the kit (role propagation, throttled deployment,
throttled API deletion, update in progress), on a local cloud of their own: each fails if its
retry is removed, since the local cloud then answers the error the retry waits out
(docs/aws-behavior.md#aws-timing-mode).
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from helpers.apigateway import delete_rest_api, deploy, ensure_rest_api
from helpers.cloud import Cloud, connect
from helpers.functions import ensure_function
from helpers.iam import LAMBDA_TRUST_POLICY, ensure_lambda_role
from helpers.names import BASIC_EXECUTION_POLICY_ARN
from localcloud import ephemeral
from tests.support import REGION, unique
from tests.support.series import series_environment
from tools.series import TEARDOWN, TUTORIAL, run_series

#: a bound that only an uncapped wait would pass (the series takes about 20 s in this mode on an
#: idle machine, 10 s in the plain one; make bench reports the ratio)
SERIES_BOUND_S = 180.0


@pytest.fixture(scope="module")
def timed_cloud(tmp_path_factory):
    """A local cloud in AWS timing mode (default scale), and the environment kernels inherit."""
    tmp = tmp_path_factory.mktemp("timed-series")
    started, proc = ephemeral.start(tmp, env={"LOCALCLOUD_AWS_TIMING": "1"})
    try:
        with series_environment(started.port, tmp):
            yield started, tmp
    finally:
        ephemeral.stop(proc)


def counts(endpoint: str) -> dict[str, int]:
    """What the local cloud's AWS timing rules refused or showed, so far."""
    with urllib.request.urlopen(f"{endpoint}/_localcloud/stats", timeout=5) as answer:
        return json.load(answer)["aws_timing"]["counts"]


def test_series_and_teardown_pass_and_wait_as_on_aws(timed_cloud):
    started, tmp = timed_cloud
    began = time.perf_counter()
    results = run_series(TUTORIAL + TEARDOWN, "local", REGION, tmp / "runs")
    took = time.perf_counter() - began
    failed = [f"{r.notebook}: {r.detail}" for r in results if r.status != "ok"]
    assert not failed, failed
    assert [r.notebook for r in results] == TUTORIAL + TEARDOWN
    seen = counts(started.endpoint)
    # calls refused and retried by helpers.retry.with_retry (each was retried: the series passed)
    assert seen.get("role_not_ready", 0) >= 1, seen  # 08 makes a role and its function at once
    assert seen.get("throttled_CreateDeployment", 0) >= 1, seen
    # polls of botocore's waiters that had to wait
    assert seen.get("seen_pending", 0) >= 4, seen  # one per new function, at least
    assert seen.get("seen_in_progress", 0) >= 1, seen  # 06 replaces the seed's handler
    # nothing tried to use a function before it was ready
    assert seen.get("invoke_pending", 0) == 0 and seen.get("update_pending", 0) == 0, seen
    print(f"the series and teardown took {took:.1f} s in AWS timing mode")
    assert took < SERIES_BOUND_S, f"the series took {took:.0f} s in AWS timing mode"


# -- one fault test per retry path -------------------------------------------------------------


#: the fault tests' own local cloud: the default scale (windows wide enough for a busy machine)
FAULT_SCALE = 0.1


@pytest.fixture(scope="module")
def fault_cloud(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("timed-faults")
    env = {"LOCALCLOUD_AWS_TIMING": "1", "LOCALCLOUD_AWS_TIMING_SCALE": str(FAULT_SCALE)}
    started, proc = ephemeral.start(tmp, env=env)
    try:
        yield started, tmp
    finally:
        ephemeral.stop(proc)


@pytest.fixture
def cloud(fault_cloud, monkeypatch) -> Cloud:
    """The kit's view of the fault tests' local cloud (as a notebook connects)."""
    started, tmp = fault_cloud
    monkeypatch.setenv("LOCALCLOUD_PORT", str(started.port))
    monkeypatch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp / "outputs"))
    return connect("local", REGION)


def test_role_propagation_is_waited_out(cloud, fault_cloud):
    before = counts(fault_cloud[0].endpoint).get("role_not_ready", 0)
    lam, iam = cloud.client("lambda"), cloud.client("iam")
    role = ensure_lambda_role(iam, unique("timed-role"), [BASIC_EXECUTION_POLICY_ARN])
    # the trust policy written again restarts IAM's propagation just before the function is made
    iam.update_assume_role_policy(
        RoleName=role["RoleName"], PolicyDocument=json.dumps(LAMBDA_TRUST_POLICY)
    )
    found = ensure_function(lam, unique("timed-fn"), role["Arn"], source="simple-api-hello")
    assert found["State"] == "Active" and found["LastUpdateStatus"] == "Successful"
    assert counts(fault_cloud[0].endpoint)["role_not_ready"] > before


def test_a_wrong_trust_policy_gives_up_in_one_line(cloud):
    iam = cloud.client("iam")
    statement = {
        **LAMBDA_TRUST_POLICY["Statement"][0],
        "Principal": {"Service": "apigateway.amazonaws.com"},
    }
    trust = {**LAMBDA_TRUST_POLICY, "Statement": [statement]}
    role = iam.create_role(
        RoleName=unique("untrusting"), AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]
    began = time.monotonic()
    with pytest.raises(Exception) as caught:
        ensure_function(
            cloud.client("lambda"), unique("never"), role["Arn"], source="simple-api-hello"
        )
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        f"Gave up waiting for Lambda to be able to assume role {role['RoleName']}"
    )
    assert "trust policy allows lambda.amazonaws.com" in message
    assert time.monotonic() - began < 60 * FAULT_SCALE + 2  # the budget: 60 s on AWS, scaled


def test_throttled_deployment_is_waited_out(cloud, fault_cloud):
    apigw = cloud.client("apigateway")
    api = ensure_rest_api(apigw, unique("timed-api"))
    where = {"restApiId": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "GET"}
    apigw.put_method(**where, authorizationType="NONE")
    apigw.put_integration(**where, type="MOCK")
    before = counts(fault_cloud[0].endpoint).get("throttled_CreateDeployment", 0)
    first, second = deploy(apigw, api["id"], "dev"), deploy(apigw, api["id"], "dev")
    assert first != second
    assert counts(fault_cloud[0].endpoint)["throttled_CreateDeployment"] > before


def test_throttled_api_deletion_is_waited_out(cloud, fault_cloud):
    apigw = cloud.client("apigateway")
    made = [ensure_rest_api(apigw, unique("doomed-api"))["name"] for _ in range(2)]
    before = counts(fault_cloud[0].endpoint).get("throttled_DeleteRestApi", 0)
    assert [delete_rest_api(apigw, name) for name in made] == [True, True]
    assert counts(fault_cloud[0].endpoint)["throttled_DeleteRestApi"] > before


def test_update_in_progress_is_waited_out(cloud, fault_cloud):
    lam = cloud.client("lambda")
    role = ensure_lambda_role(
        cloud.client("iam"), unique("timed-role"), [BASIC_EXECUTION_POLICY_ARN]
    )
    name = unique("timed-fn")
    ensure_function(lam, name, role["Arn"], source="simple-api-hello")
    lam.update_function_code(FunctionName=name, ZipFile=_other_code())  # now InProgress
    before = counts(fault_cloud[0].endpoint).get("update_conflict", 0)
    found = ensure_function(lam, name, role["Arn"], source="simple-api-hello", timeout=7)
    assert found["Timeout"] == 7
    assert counts(fault_cloud[0].endpoint)["update_conflict"] > before


def _other_code() -> bytes:
    from tests.support import zip_code

    return zip_code("def handler(event, context):\n    return 'other'\n")
