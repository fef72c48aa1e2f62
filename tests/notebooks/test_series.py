"""The whole series through papermill, as ``make tutorial`` and ``make teardown`` run it, on a local
cloud of its own: it passes; run again it passes, creates nothing new and shows the same outputs;
the Postman collection that 06 exports passes in newman; teardown leaves nothing, twice; no output
holds a password or a whole token; a notebook run without its predecessors names the one to run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from helpers import names
from helpers.cloud import REPO_ROOT
from helpers.display import JWT_PATTERN
from helpers.postman import SCENARIOS, postman_files
from tests.support import REGION, start_localcloud, stop_localcloud
from tests.support.required import tool_missing
from tests.support.series import series_environment
from tools.leaks import find_leaks
from tools.series import TEARDOWN, TUTORIAL, run_series

NEWMAN = REPO_ROOT / "node_modules" / ".bin" / "newman"
#: newman's JUnit report of the exported collection (``make test`` leaves it for CI to show)
JUNIT = REPO_ROOT / "runs" / "newman-junit.xml"


@pytest.fixture(scope="module")
def series_env(tmp_path_factory):
    """A fresh local cloud and outputs folder, set in the environment the kernels inherit."""
    tmp = tmp_path_factory.mktemp("series")
    cloud = start_localcloud(tmp)
    try:
        with series_environment(cloud.port, tmp):
            yield cloud, tmp
    finally:
        stop_localcloud(cloud)


def run_ok(names_: list[str], target_dir: Path) -> None:
    results = run_series(names_, "local", REGION, target_dir)
    failed = [f"{r.notebook}: {r.detail}" for r in results if r.status != "ok"]
    assert not failed, failed
    assert [r.notebook for r in results] == names_


def inventory(cloud) -> Counter:
    """How many of each kind of resource the series makes exist in the local cloud."""
    idp, apigw = cloud.client("cognito-idp"), cloud.client("apigateway")
    lam, iam, logs = cloud.client("lambda"), cloud.client("iam"), cloud.client("logs")
    count: Counter = Counter()
    for pool in idp.list_user_pools(MaxResults=60)["UserPools"]:
        count["pools"] += 1
        count["clients"] += len(
            idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
        )
        count["users"] += len(idp.list_users(UserPoolId=pool["Id"])["Users"])
    for api in apigw.get_rest_apis()["items"]:
        count["apis"] += 1
        count["resources"] += len(apigw.get_resources(restApiId=api["id"])["items"])
        count["authorizers"] += len(apigw.get_authorizers(restApiId=api["id"])["items"])
        count["validators"] += len(apigw.get_request_validators(restApiId=api["id"])["items"])
        count["stages"] += len(apigw.get_stages(restApiId=api["id"])["item"])
        count["deployments"] += len(apigw.get_deployments(restApiId=api["id"])["items"])
        count["models"] += len(apigw.get_models(restApiId=api["id"])["items"])
        count["gateway responses"] += sum(
            not item.get("defaultResponse")
            for item in apigw.get_gateway_responses(restApiId=api["id"])["items"]
        )
        count["methods"] += sum(
            len(item.get("resourceMethods") or {})
            for item in apigw.get_resources(restApiId=api["id"], embed=["methods"])["items"]
        )
    count["api keys"] = len(apigw.get_api_keys()["items"])
    count["usage plans"] = len(apigw.get_usage_plans()["items"])
    functions = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    count["functions"] = len(functions)
    count["permissions"] = sum(
        len(json.loads(lam.get_policy(FunctionName=f)["Policy"])["Statement"])
        for f in functions
        if f != names.FUNCTIONS["confirm_user"]
    )
    count["roles"] = len(iam.list_roles()["Roles"])
    count["policies"] = len(iam.list_policies(Scope="Local")["Policies"])
    count["log groups"] = len(logs.describe_log_groups()["logGroups"])
    count["account logging role"] = int(bool(apigw.get_account().get("cloudwatchRoleArn")))
    return +count  # drop zeros


def outputs_of(run_dir: Path) -> dict[str, list[str]]:
    """Every code cell's text outputs, per notebook. Consecutive writes to one stream count as
    one output: the kernel splits a cell's stdout into messages as timing falls (one ``print``
    with several arguments may arrive in pieces), which no reader sees."""
    shown = {}
    for path in sorted(run_dir.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        texts = []
        for cell in notebook.cells:
            previous_stream = None
            for output in cell.get("outputs", []):
                if output.output_type == "stream" and output.name == previous_stream:
                    texts[-1] += output.text
                    continue
                previous_stream = output.name if output.output_type == "stream" else None
                if output.output_type == "stream":
                    texts.append(output.text)
                elif output.output_type in ("execute_result", "display_data"):
                    texts.append(output.data.get("text/plain", ""))
                elif output.output_type == "error":
                    texts.append(f"{output.ename}: {output.evalue}")
        shown[path.stem] = texts
    return shown


def assert_no_secrets(run_dir: Path, password: str) -> None:
    for path in run_dir.glob("*.ipynb"):
        found = find_leaks(path.read_text(), passwords=[password], absolute_paths=False)
        assert not found, f"{path.name}: {found}"


@pytest.fixture(scope="module")
def two_runs(series_env):
    cloud, tmp = series_env
    run_ok(TUTORIAL, tmp / "run1")
    first = inventory(cloud)
    password = json.loads((tmp / "outputs" / "local.json").read_text())["password"]
    run_ok(TUTORIAL, tmp / "run2")
    return cloud, tmp, first, inventory(cloud), password


def test_series_builds_the_stack(two_runs):
    cloud, tmp, first, _second, _password = two_runs
    assert first == Counter(
        {
            "pools": 1,
            "clients": 3,  # simple-api-client, simple-api-machine, simple-api-short-lived
            "users": 1,
            "apis": 1,
            "resources": 4,  # /, /hello, /auth, /reports
            "authorizers": 1,
            "validators": 2,  # 04's for parameters, 09's for bodies
            "stages": 1,
            "deployments": 1,
            "models": 1,  # SignInRequest
            "gateway responses": 2,  # DEFAULT_4XX, DEFAULT_5XX with the CORS header
            # GET /hello, GET /auth, GET /reports, POST /auth, OPTIONS /auth, OPTIONS /hello
            "methods": 6,
            "account logging role": 1,
            "api keys": 1,
            "usage plans": 1,
            "functions": 4,
            "permissions": 4,  # hello, auth (GET and POST) and reports, each for its own route
            "roles": 5,  # the four functions' and API Gateway's logging role
            "policies": 2,
            # the four functions', the stage's and 09's probe stage's execution logs, access logs
            "log groups": 7,
        }
    )
    outputs = json.loads((tmp / "outputs" / "local.json").read_text())
    assert (tmp / "outputs" / "local.json").stat().st_mode & 0o777 == 0o600
    assert outputs["functions"] == names.FUNCTIONS
    assert outputs["api_url"] == cloud.stage_url(outputs["api_id"], "dev").rstrip("/")
    assert outputs["endpoint_url"] == cloud.endpoint and outputs["username"] == "misi"


def test_running_again_creates_nothing_new_and_shows_the_same(two_runs):
    _cloud, tmp, first, second, _password = two_runs
    assert second == first
    first, again = outputs_of(tmp / "run1"), outputs_of(tmp / "run2")
    changed = {
        name: [(a, b) for a, b in zip(shown, again.get(name, []), strict=False) if a != b]
        for name, shown in first.items()
        if again.get(name) != shown
    }
    assert again == first, changed


def test_no_output_shows_a_secret(two_runs):
    _cloud, tmp, _first, _second, password = two_runs
    assert outputs_of(tmp / "run1")["07_postman_tests"]  # the scan has something to scan
    for run in ("run1", "run2"):
        assert_no_secrets(tmp / run, password)


@pytest.fixture(scope="module")
def newman_bin() -> Path:
    """newman from node_modules/; without npm the newman checks are reported as not run (a
    failure under CI, which must run them)."""
    if shutil.which("npm") is None:
        tool_missing("npm is missing, so newman is not installed (install Node.js 16+)")
    assert NEWMAN.exists(), "npm is here but newman is not installed; run `make setup`"
    return NEWMAN


def run_newman(
    collection: Path, environment: Path, junit: Path, secrets: list[str]
) -> tuple[int, str]:
    """newman's exit code and its console output, with the password and tokens hidden."""
    junit.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(NEWMAN), "run", str(collection), "-e", str(environment), "--color", "off"]
        + ["--reporters", "cli,junit", "--reporter-junit-export", str(junit)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = JWT_PATTERN.sub("<token>", done.stdout + done.stderr)
    for secret in secrets:
        out = out.replace(secret, "<secret>")
    return done.returncode, out


def junit_cases(junit: Path) -> dict[str, list[str]]:
    """Each request's assertion failures, from newman's JUnit report (a suite per request)."""
    return {
        suite.get("name", ""): [f.get("message", "") for f in suite.iter("failure")]
        for suite in ET.parse(junit).getroot().iter("testsuite")
    }


def test_the_postman_export_keeps_the_password_out_of_the_collection(two_runs):
    _cloud, tmp, _first, _second, password = two_runs
    collection, environment = postman_files("local")
    assert password not in collection.read_text()
    values = {v["key"]: v for v in json.loads(environment.read_text())["values"]}
    assert values["password"] == {
        "key": "password",
        "value": password,
        "type": "secret",
        "enabled": True,
    }
    assert environment.stat().st_mode & 0o777 == 0o600


def test_newman_runs_the_exported_collection_green(two_runs, newman_bin):
    _cloud, tmp, _first, _second, password = two_runs
    collection, environment = postman_files("local")
    code, out = run_newman(collection, environment, JUNIT, [password])
    assert code == 0, out
    cases = junit_cases(JUNIT)
    assert len(cases) == len(SCENARIOS) and not any(cases.values()), cases
    # two assertions or more per request (status and body), all passed
    root = ET.parse(JUNIT).getroot()
    assert sum(int(s.get("tests", 0)) for s in root.iter("testsuite")) >= 2 * len(SCENARIOS)


def test_newman_fails_a_wrong_expectation(two_runs, newman_bin):
    """The check can fail: a collection expecting 200 without a token fails in newman."""
    _cloud, tmp, _first, _second, password = two_runs
    collection, environment = postman_files("local")
    doc = json.loads(collection.read_text())
    script = doc["item"][0]["event"][0]["script"]
    script["exec"] = [line.replace("401", "200") for line in script["exec"]]
    wrong = tmp / "wrong.postman_collection.json"
    wrong.write_text(json.dumps(doc))
    code, out = run_newman(wrong, environment, tmp / "wrong-junit.xml", [password])
    assert code != 0
    assert "expected response to have status code 200 but got 401" in out
    failed = {name for name, failures in junit_cases(tmp / "wrong-junit.xml").items() if failures}
    assert failed == {"GET /hello without a token"}


def test_newman_logs_in_with_every_symbol_a_password_may_hold(two_runs, newman_bin):
    """Postman must percent-encode the password in the query string: # % + = : , included."""
    cloud, tmp, _first, _second, password = two_runs
    collection, environment = postman_files("local")
    stack = json.loads((tmp / "outputs" / "local.json").read_text())
    idp = cloud.client("cognito-idp")
    tricky = "Aa1-_.!#%+=:,%41+b"
    idp.admin_set_user_password(
        UserPoolId=stack["user_pool_id"], Username="misi", Password=tricky, Permanent=True
    )
    try:
        env = json.loads(environment.read_text())
        for value in env["values"]:
            if value["key"] == "password":
                value["value"] = tricky
        tricky_env = tmp / "tricky.postman_environment.json"
        tricky_env.write_text(json.dumps(env))
        code, out = run_newman(collection, tricky_env, tmp / "tricky-junit.xml", [tricky])
        assert code == 0, out
    finally:
        idp.admin_set_user_password(
            UserPoolId=stack["user_pool_id"], Username="misi", Password=password, Permanent=True
        )


def test_teardown_leaves_nothing_and_runs_twice(two_runs):
    cloud, tmp, _first, _second, _password = two_runs
    run_ok(TEARDOWN, tmp / "teardown1")
    assert inventory(cloud) == Counter()
    assert not (tmp / "outputs" / "local.json").exists()
    run_ok(TEARDOWN, tmp / "teardown2")
    assert inventory(cloud) == Counter()


def test_a_notebook_without_its_predecessors_names_the_one_to_run(two_runs):
    cloud, tmp, *_ = two_runs
    run_ok(["00_setup"], tmp / "alone")  # after teardown: only the target is recorded
    results = run_series(["03_api_and_key", "04_authorizer"], "local", REGION, tmp / "alone")
    assert [r.status for r in results] == ["failed"]  # the run stops at the first failure
    assert "KitError" in results[0].detail and "run 01_user_pool.ipynb" in results[0].detail
    kept = nbformat.read(tmp / "alone" / "03_api_and_key.ipynb", as_version=4)
    errors = [o for c in kept.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1 and len(errors[0].traceback) == 1  # one line, not a traceback
    assert inventory(cloud) == Counter()  # it created nothing


def test_the_local_target_never_reaches_aws(series_env):
    """With no local cloud on the port, a notebook fails with `make up`, whatever AWS
    credentials the environment holds."""
    cloud, tmp = series_env
    patch = pytest.MonkeyPatch()
    patch.setenv("LOCALCLOUD_PORT", "1")  # nothing listens there
    patch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    try:
        results = run_series(["01_user_pool"], "local", REGION, tmp / "nocloud")
    finally:
        patch.undo()
    assert results[0].status == "failed" and "make up" in results[0].detail


def test_each_function_has_a_role_allowing_its_calls_and_no_other_functions(two_runs):
    """Least privilege, asked of IAM's policy simulator on the stack the series built: each
    function's own role allows what that function calls and denies the other functions' Cognito
    calls. Fails if two functions share a role again, or a role gains another's call."""
    cloud, tmp, *_ = two_runs
    lam, iam = cloud.client("lambda"), cloud.client("iam")
    present = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    if not set(names.FUNCTIONS.values()) <= present:  # the teardown test ran first: build again
        run_ok(TUTORIAL, tmp / "least-privilege")
    stack = json.loads((tmp / "outputs" / "local.json").read_text())
    pool_arn = stack["user_pool_arn"]
    region, account = pool_arn.split(":")[3:5]

    def log_stream(function: str) -> str:
        group = f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{function}"
        return f"{group}:log-stream:2024/01/01/[$LATEST]0123456789abcdef"

    cognito_call = {
        "auth": "cognito-idp:AdminInitiateAuth",
        "confirm_user": "cognito-idp:AdminSetUserPassword",
    }
    roles = {
        key: lam.get_function_configuration(FunctionName=function)["Role"]
        for key, function in names.FUNCTIONS.items()
    }
    assert {key: arn.rsplit("/", 1)[-1] for key, arn in roles.items()} == names.ROLES
    assert len(set(roles.values())) == len(roles)  # no two functions share a role

    def decisions(role_arn: str, actions: list[str], resource: str) -> dict[str, str]:
        results = iam.simulate_principal_policy(
            PolicySourceArn=role_arn, ActionNames=actions, ResourceArns=[resource]
        )["EvaluationResults"]
        return {r["EvalActionName"]: r["EvalDecision"] for r in results}

    for key, role_arn in roles.items():
        logs = ["logs:CreateLogStream", "logs:PutLogEvents"]
        stream = log_stream(names.FUNCTIONS[key])
        assert decisions(role_arn, logs, stream) == dict.fromkeys(logs, "allowed"), key
        own = [cognito_call[key]] if key in cognito_call else []
        if own:
            assert decisions(role_arn, own, pool_arn) == {own[0]: "allowed"}, key
        others = [action for other, action in cognito_call.items() if other != key]
        assert decisions(role_arn, others, pool_arn) == dict.fromkeys(others, "implicitDeny"), key
