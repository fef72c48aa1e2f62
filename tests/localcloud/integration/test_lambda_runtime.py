"""The local Lambda runtime through boto3's ``lambda`` client (docs/aws-behavior.md#lambda)."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.support import (
    ACCOUNT,
    LAMBDA_TRUST,
    REGION,
    count_invocations,
    create_function,
    unique,
    zip_code,
)

CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."

# One handler serves most tests: it computes things only the real handler can (a hash of the
# event, its pid, a module-level counter) and reports what the runtime gave it.
HANDLER = """
import hashlib
import os
import time

VERSION = "v1"
CALLS = 0


def handler(event, context):
    global CALLS
    CALLS += 1
    time.sleep(event.get("sleep", 0))
    if "fail" in event:
        raise ValueError(event["fail"])
    text = event.get("text", "")
    print(f"handling {text!r} in {context.aws_request_id}")
    return {
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "version": VERSION,
        "calls": CALLS,
        "pid": os.getpid(),
        "env": {
            name: os.environ.get(name)
            for name in ("GREETING", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME")
        },
        "context": {
            "function_name": context.function_name,
            "aws_request_id": context.aws_request_id,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
    }
"""

STS_HANDLER = """
import boto3


def handler(event, context):
    return boto3.client("sts").get_caller_identity()["Arn"]
"""


def invoke(cloud, name: str, event=None, **kwargs) -> tuple[dict, object]:
    """(the invoke response, the decoded payload)."""
    resp = cloud.client("lambda").invoke(
        FunctionName=name, Payload=json.dumps(event or {}).encode(), **kwargs
    )
    body = resp["Payload"].read()
    return resp, (json.loads(body) if body else None)


def error_of(exc_info) -> tuple[str, str]:
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


def make_role(cloud, service: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }
    return cloud.client("iam").create_role(
        RoleName=unique("role"), AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]


@pytest.fixture(scope="module")
def ec2_role(localcloud) -> str:
    """A role whose trust policy names EC2, not Lambda."""
    return make_role(localcloud, "ec2.amazonaws.com")


# ------------------------------------------------------------------ invoke runs the handler


def test_invoke_runs_the_real_handler(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    resp, payload = invoke(localcloud, name, {"text": "hello lambda"})
    assert resp["StatusCode"] == 200
    assert resp["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in resp
    assert payload["sha256"] == hashlib.sha256(b"hello lambda").hexdigest()
    assert payload["version"] == "v1"


def test_context_object(localcloud, lambda_role):
    fn = create_function(localcloud, lambda_role, HANDLER, MemorySize=256, Timeout=5)
    resp, payload = invoke(localcloud, fn["FunctionName"])
    ctx = payload["context"]
    assert ctx["function_name"] == fn["FunctionName"]
    assert ctx["aws_request_id"] == resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert ctx["aws_request_id"] == resp["ResponseMetadata"]["RequestId"]
    assert ctx["invoked_function_arn"] == fn["FunctionArn"]
    assert fn["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn['FunctionName']}"
    assert int(ctx["memory_limit_in_mb"]) == 256
    assert 0 < ctx["remaining_ms"] <= 5000


def test_context_defaults(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    _, payload = invoke(localcloud, name)
    assert int(payload["context"]["memory_limit_in_mb"]) == 128
    assert 0 < payload["context"]["remaining_ms"] <= 3000


def test_environment_reaches_the_handler(localcloud, lambda_role):
    name = create_function(
        localcloud, lambda_role, HANDLER, Environment={"Variables": {"GREETING": "bonjour"}}
    )["FunctionName"]
    _, payload = invoke(localcloud, name)
    assert payload["env"] == {
        "GREETING": "bonjour",
        "AWS_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": name,
    }


def test_handler_runs_with_its_role_credentials(localcloud):
    role_name = unique("exec-role")
    role = localcloud.client("iam").create_role(
        RoleName=role_name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    name = create_function(localcloud, role, STS_HANDLER)["FunctionName"]
    resp, payload = invoke(localcloud, name)
    assert "FunctionError" not in resp, payload
    assert payload == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{name}"


# ------------------------------------------------------------------ function errors


def test_raised_exception_is_an_unhandled_function_error(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    resp, payload = invoke(localcloud, name, {"fail": "boom 42"})
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert payload["errorMessage"] == "boom 42"
    assert payload["errorType"] == "ValueError"
    assert isinstance(payload["stackTrace"], list) and payload["stackTrace"]
    assert any("handler.py" in frame for frame in payload["stackTrace"])


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        (
            "nomodule.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'nomodule': No module named 'nomodule'",
        ),
        (
            "handler.missing",
            "Runtime.HandlerNotFound",
            "Handler 'missing' missing on module 'handler'",
        ),
    ],
)
def test_bad_handler(localcloud, lambda_role, handler, error_type, message):
    name = create_function(localcloud, lambda_role, HANDLER, handler=handler)["FunctionName"]
    resp, payload = invoke(localcloud, name)
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert payload["errorType"] == error_type
    assert payload["errorMessage"] == message


def test_timeout_then_a_fresh_worker(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER, Timeout=1)["FunctionName"]
    resp, payload = invoke(localcloud, name, {"sleep": 3})
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    assert resp["ResponseMetadata"]["RequestId"] in payload["errorMessage"]

    resp, payload = invoke(localcloud, name, {"sleep": 0, "text": "after"})
    assert "FunctionError" not in resp, payload
    assert payload["sha256"] == hashlib.sha256(b"after").hexdigest()
    assert payload["calls"] == 1  # a new worker: the timed-out one was replaced


# ------------------------------------------------------------------ warm workers


def test_warm_worker_is_reused(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    _, first = invoke(localcloud, name)
    cold_starts = localcloud.stats()["lambda"]["cold_starts"]
    _, second = invoke(localcloud, name)
    assert localcloud.stats()["lambda"]["cold_starts"] == cold_starts
    assert second["pid"] == first["pid"]
    assert (first["calls"], second["calls"]) == (1, 2)


def test_code_update_runs_the_new_code(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    _, before = invoke(localcloud, name)
    assert before["version"] == "v1"
    lam = localcloud.client("lambda")
    lam.update_function_code(
        FunctionName=name, ZipFile=zip_code(HANDLER.replace('VERSION = "v1"', 'VERSION = "v2"'))
    )
    _, after = invoke(localcloud, name)
    assert after["version"] == "v2"
    assert after["pid"] != before["pid"]
    assert after["calls"] == 1


def test_configuration_update_is_seen(localcloud, lambda_role):
    name = create_function(
        localcloud, lambda_role, HANDLER, Environment={"Variables": {"GREETING": "hello"}}
    )["FunctionName"]
    _, before = invoke(localcloud, name)
    assert before["env"]["GREETING"] == "hello"
    localcloud.client("lambda").update_function_configuration(
        FunctionName=name, Environment={"Variables": {"GREETING": "hallo"}}
    )
    _, after = invoke(localcloud, name)
    assert after["env"]["GREETING"] == "hallo"
    assert after["pid"] != before["pid"]


# ------------------------------------------------------------------ logs


def test_log_tail_and_log_group(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    resp, _ = invoke(localcloud, name, {"text": "logged"}, LogType="Tail")
    request_id = resp["ResponseMetadata"]["RequestId"]
    tail = base64.b64decode(resp["LogResult"]).decode("utf-8")
    lines = tail.splitlines()
    assert lines[0].startswith(f"START RequestId: {request_id} Version: $LATEST")
    assert f"handling 'logged' in {request_id}" in lines
    assert f"END RequestId: {request_id}" in lines
    report = [line for line in lines if line.startswith(f"REPORT RequestId: {request_id}")]
    assert len(report) == 1
    assert "Duration:" in report[0] and "Memory Size: 128 MB" in report[0]

    events = localcloud.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")[
        "events"
    ]
    messages = [e["message"].rstrip("\n") for e in events]
    for line in lines:
        assert line.rstrip("\n") in messages


def test_no_log_result_without_tail(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    resp, _ = invoke(localcloud, name)
    assert "LogResult" not in resp


# ------------------------------------------------------------------ invocation types


def test_event_invocation_runs_asynchronously(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    resp = localcloud.client("lambda").invoke(
        FunctionName=name, InvocationType="Event", Payload=b'{"text": "async"}'
    )
    assert resp["StatusCode"] == 202
    assert resp["Payload"].read() == b""
    deadline = time.monotonic() + 10
    while count_invocations(localcloud, name) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert count_invocations(localcloud, name) == 1


def test_dry_run(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    resp = localcloud.client("lambda").invoke(FunctionName=name, InvocationType="DryRun")
    assert resp["StatusCode"] == 204
    assert count_invocations(localcloud, name) == 0


# ------------------------------------------------------------------ request errors


def test_unknown_function(localcloud):
    name = unique("nosuchfn")
    with pytest.raises(ClientError) as exc_info:
        localcloud.client("lambda").invoke(FunctionName=name, Payload=b"{}")
    assert exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error_of(exc_info) == (
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
    )


def test_non_json_payload(localcloud, lambda_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    with pytest.raises(ClientError) as exc_info:
        localcloud.client("lambda").invoke(FunctionName=name, Payload=b"not json {")
    code, message = error_of(exc_info)
    assert exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert code == "InvalidRequestContentException"
    assert message.startswith("Could not parse request body into json")
    assert count_invocations(localcloud, name) == 0


def test_non_python_runtime_is_refused_at_invoke(localcloud, lambda_role):
    fn = localcloud.client("lambda").create_function(
        FunctionName=unique("node"),
        Runtime="nodejs20.x",
        Role=lambda_role,
        Handler="index.handler",
        Code={"ZipFile": zip_code("exports.handler = async () => 1;", "index.js")},
    )
    assert fn["Runtime"] == "nodejs20.x"
    with pytest.raises(ClientError) as exc_info:
        localcloud.client("lambda").invoke(FunctionName=fn["FunctionName"], Payload=b"{}")
    code, message = error_of(exc_info)
    assert code == "InvalidRuntimeException"
    assert "python3.x" in message and "nodejs20.x" in message


# ------------------------------------------------------------------ the execution role


def test_role_must_trust_lambda(localcloud, ec2_role):
    with pytest.raises(ClientError) as exc_info:
        create_function(localcloud, ec2_role, HANDLER)
    assert error_of(exc_info) == ("InvalidParameterValueException", CANNOT_ASSUME)


def test_nonexistent_role(localcloud):
    role = f"arn:aws:iam::{ACCOUNT}:role/{unique('no-such-role')}"
    with pytest.raises(ClientError) as exc_info:
        create_function(localcloud, role, HANDLER)
    assert error_of(exc_info) == ("InvalidParameterValueException", CANNOT_ASSUME)


def test_update_to_a_role_lambda_cannot_assume(localcloud, lambda_role, ec2_role):
    name = create_function(localcloud, lambda_role, HANDLER)["FunctionName"]
    lam = localcloud.client("lambda")
    for role in (ec2_role, f"arn:aws:iam::{ACCOUNT}:role/{unique('no-such-role')}"):
        with pytest.raises(ClientError) as exc_info:
            lam.update_function_configuration(FunctionName=name, Role=role)
        assert error_of(exc_info) == ("InvalidParameterValueException", CANNOT_ASSUME)
    assert lam.get_function_configuration(FunctionName=name)["Role"] == lambda_role
