"""helpers.functions: packaging, ensure_function's create/update paths, permissions, invoke."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pytest
from botocore.response import StreamingBody

import helpers.functions as functions
from helpers.errors import KitError
from helpers.functions import (
    code_sha256,
    ensure_function,
    ensure_invoke_permission,
    invoke,
    package,
)
from tests.support import ACCOUNT, REGION

NAME = "simple-api-hello"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/simple-api-Role"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"
SOURCE_ARN = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:a1b2c3d4e5/*/GET/hello"
ROLE_NOT_READY = "The role defined for the function cannot be assumed by Lambda."
IN_PROGRESS = (
    "The operation cannot be performed at this time. An update is in progress for resource: "
    + FUNCTION_ARN
)


def configuration(**overrides) -> dict:
    """A GetFunction ``Configuration`` matching what ensure_function wants by default."""
    config = {
        "FunctionName": NAME,
        "FunctionArn": FUNCTION_ARN,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "handler.handler",
        "CodeSha256": code_sha256(package(NAME)),
        "Description": "",
        "Timeout": 10,
        "Environment": {"Variables": {}},
        "State": "Active",
        "LastUpdateStatus": "Successful",
    }
    config.update(overrides)
    return config


def get_function(stubber, **overrides) -> None:
    stubber.add_response(
        "get_function",
        {"Configuration": configuration(**overrides)},
        expected_params={"FunctionName": NAME},
    )


WANTED = {
    "Role": ROLE,
    "Runtime": "python3.12",
    "Handler": "handler.handler",
    "Timeout": 10,
    "Description": "",
    "Environment": {"Variables": {}},
}


# -- package -------------------------------------------------------------------------------------


def test_package_is_deterministic_and_holds_only_the_handler():
    first, second = package(NAME), package(NAME)
    assert first == second
    assert code_sha256(first) == code_sha256(second)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["handler.py"]
        info = archive.getinfo("handler.py")
        assert info.date_time == (2020, 1, 1, 0, 0, 0)
        assert (
            archive.read("handler.py") == (functions.source_dir(NAME) / "handler.py").read_bytes()
        )


def test_package_ignores_file_times(tmp_path, monkeypatch):
    folder = tmp_path / "lambdas" / "my_fn"
    folder.mkdir(parents=True)
    (folder / "handler.py").write_text("def handler(event, context):\n    return 1\n")
    (folder / "__init__.py").write_text("")
    (folder / "util.py").write_text("X = 1\n")
    monkeypatch.setattr(functions, "LAMBDAS_DIR", tmp_path / "lambdas")
    before = package("my-fn")
    for path in folder.iterdir():
        os.utime(path, (1_700_000_000, 1_700_000_000))
    assert package("my-fn") == before
    with zipfile.ZipFile(io.BytesIO(before)) as archive:
        assert archive.namelist() == ["handler.py", "util.py"]


def test_package_of_a_folder_without_code_is_a_kit_error(tmp_path, monkeypatch):
    (tmp_path / "empty_fn").mkdir()
    monkeypatch.setattr(functions, "LAMBDAS_DIR", tmp_path)
    with pytest.raises(KitError, match="has no handler.py"):
        package("empty-fn")


def test_code_sha256_is_what_lambda_reports():
    # Lambda's CodeSha256: base64 of the SHA-256 digest (not hex)
    assert code_sha256(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


# -- ensure_function -----------------------------------------------------------------------------


def test_missing_function_is_created_retrying_while_the_role_propagates(
    stubbed, retry_sleeps, no_sleep
):
    lam, stubber = stubbed("lambda")
    delays = retry_sleeps("helpers.functions")
    create_params = {
        "FunctionName": NAME,
        "Code": {"ZipFile": package(NAME)},
        "Publish": False,
        **WANTED,
    }
    stubber.add_client_error(
        "get_function",
        "ResourceNotFoundException",
        f"Function not found: {FUNCTION_ARN}",
        404,
        expected_params={"FunctionName": NAME},
    )
    for _ in range(2):
        stubber.add_client_error(
            "create_function",
            "InvalidParameterValueException",
            ROLE_NOT_READY,
            400,
            expected_params=create_params,
        )
    stubber.add_response(
        "create_function",
        configuration(State="Pending", LastUpdateStatus="InProgress"),
        expected_params=create_params,
    )
    get_function(stubber, State="Pending")  # function_active_v2: not yet
    get_function(stubber, State="Active")  # function_active_v2: done
    get_function(stubber)  # the configuration returned

    found = ensure_function(lam, NAME, ROLE)

    stubber.assert_no_pending_responses()
    assert found["State"] == "Active"
    assert delays == [2.0, 4.0]  # with_retry's backoff
    assert no_sleep == [1]  # the waiter polled twice


def test_creation_does_not_retry_other_errors(stubbed, retry_sleeps):
    lam, stubber = stubbed("lambda")
    delays = retry_sleeps("helpers.functions")
    stubber.add_client_error("get_function", "ResourceNotFoundException", http_status_code=404)
    stubber.add_client_error("create_function", "AccessDeniedException", "no", 403)
    with pytest.raises(lam.exceptions.ClientError, match="AccessDeniedException"):
        ensure_function(lam, NAME, ROLE)
    stubber.assert_no_pending_responses()
    assert delays == []


def test_unchanged_function_is_left_alone(stubbed, retry_sleeps, no_sleep):
    lam, stubber = stubbed("lambda")
    retry_sleeps("helpers.functions")
    get_function(stubber)
    get_function(stubber)
    assert ensure_function(lam, NAME, ROLE)["FunctionName"] == NAME
    stubber.assert_no_pending_responses()  # and nothing else was called (the stubber would fail)
    assert no_sleep == []


def test_function_without_environment_matches_an_empty_one(stubbed):
    lam, stubber = stubbed("lambda")
    config = configuration()
    del config["Environment"]
    for _ in range(2):
        stubber.add_response("get_function", {"Configuration": config}, {"FunctionName": NAME})
    ensure_function(lam, NAME, ROLE)
    stubber.assert_no_pending_responses()


def test_changed_code_is_uploaded_then_waited_for(stubbed, retry_sleeps, no_sleep):
    lam, stubber = stubbed("lambda")
    delays = retry_sleeps("helpers.functions")
    get_function(stubber, CodeSha256="b2xkIGNvZGU=")
    update = {"FunctionName": NAME, "ZipFile": package(NAME)}
    stubber.add_client_error(
        "update_function_code",
        "ResourceConflictException",
        IN_PROGRESS,
        409,
        expected_params=update,
    )
    stubber.add_response(
        "update_function_code", configuration(LastUpdateStatus="InProgress"), update
    )
    get_function(stubber, LastUpdateStatus="InProgress")  # function_updated_v2: not yet
    get_function(stubber, LastUpdateStatus="Successful")  # function_updated_v2: done
    get_function(stubber)

    ensure_function(lam, NAME, ROLE)

    stubber.assert_no_pending_responses()
    assert delays == [2.0]
    assert no_sleep == [1]


def test_changed_environment_updates_the_configuration(stubbed, retry_sleeps, no_sleep):
    lam, stubber = stubbed("lambda")
    retry_sleeps("helpers.functions")
    environment = {"USER_POOL_ID": "us-east-1_AbCdEf123", "CLIENT_ID": "client123"}
    get_function(stubber, Environment={"Variables": {"USER_POOL_ID": "us-east-1_Old"}})
    stubber.add_response(
        "update_function_configuration",
        configuration(LastUpdateStatus="InProgress"),
        expected_params={
            "FunctionName": NAME,
            **WANTED,
            "Environment": {"Variables": environment},
        },
    )
    get_function(stubber, LastUpdateStatus="Successful")
    get_function(stubber, Environment={"Variables": environment})

    found = ensure_function(lam, NAME, ROLE, environment=environment)

    stubber.assert_no_pending_responses()
    assert found["Environment"] == {"Variables": environment}
    assert no_sleep == []  # the waiter's first poll succeeded


@pytest.mark.parametrize(
    ("have", "kwargs"),
    [
        ({"Timeout": 3}, {}),
        ({"Description": "old"}, {"description": ""}),
        ({"Role": f"arn:aws:iam::{ACCOUNT}:role/other"}, {}),
        ({"Handler": "app.handler"}, {}),
        ({"Runtime": "python3.9"}, {}),
    ],
)
def test_each_configuration_field_is_compared(stubbed, retry_sleeps, no_sleep, have, kwargs):
    lam, stubber = stubbed("lambda")
    retry_sleeps("helpers.functions")
    get_function(stubber, **have)
    stubber.add_response(
        "update_function_configuration",
        configuration(),
        expected_params={"FunctionName": NAME, **WANTED},
    )
    get_function(stubber)
    get_function(stubber)
    ensure_function(lam, NAME, ROLE, **kwargs)
    stubber.assert_no_pending_responses()


# -- ensure_invoke_permission --------------------------------------------------------------------

SID = "apigateway-get-hello"


def statement(source_arn: str, sid: str = SID) -> dict:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": FUNCTION_ARN,
        "Condition": {"ArnLike": {"AWS:SourceArn": source_arn}},
    }


def policy(*statements: dict) -> dict:
    doc = {"Version": "2012-10-17", "Id": "default", "Statement": list(statements)}
    return {"Policy": json.dumps(doc), "RevisionId": "r1"}


ADD = {
    "FunctionName": NAME,
    "StatementId": SID,
    "Action": "lambda:InvokeFunction",
    "Principal": "apigateway.amazonaws.com",
    "SourceArn": SOURCE_ARN,
}


def test_no_policy_yet_adds_the_permission(stubbed):
    lam, stubber = stubbed("lambda")
    stubber.add_client_error(
        "get_policy",
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
        expected_params={"FunctionName": NAME},
    )
    stubber.add_response(
        "add_permission", {"Statement": json.dumps(statement(SOURCE_ARN))}, expected_params=ADD
    )
    added = ensure_invoke_permission(lam, NAME, SID, SOURCE_ARN)
    stubber.assert_no_pending_responses()
    assert added["Condition"]["ArnLike"]["AWS:SourceArn"] == SOURCE_ARN


def test_same_statement_present_changes_nothing(stubbed):
    lam, stubber = stubbed("lambda")
    other = statement(SOURCE_ARN.replace("hello", "auth"), sid="apigateway-get-auth")
    stubber.add_response(
        "get_policy", policy(other, statement(SOURCE_ARN)), expected_params={"FunctionName": NAME}
    )
    assert ensure_invoke_permission(lam, NAME, SID, SOURCE_ARN) == statement(SOURCE_ARN)
    stubber.assert_no_pending_responses()


def test_same_sid_with_another_source_is_replaced(stubbed):
    lam, stubber = stubbed("lambda")
    stale = SOURCE_ARN.replace("a1b2c3d4e5", "zzzzzzzzzz")
    stubber.add_response("get_policy", policy(statement(stale)), {"FunctionName": NAME})
    stubber.add_response(
        "remove_permission", {}, expected_params={"FunctionName": NAME, "StatementId": SID}
    )
    stubber.add_response(
        "add_permission", {"Statement": json.dumps(statement(SOURCE_ARN))}, expected_params=ADD
    )
    ensure_invoke_permission(lam, NAME, SID, SOURCE_ARN)
    stubber.assert_no_pending_responses()


def test_other_policy_errors_are_raised(stubbed):
    lam, stubber = stubbed("lambda")
    stubber.add_client_error("get_policy", "AccessDeniedException", "no", 403)
    with pytest.raises(lam.exceptions.ClientError, match="AccessDenied"):
        ensure_invoke_permission(lam, NAME, SID, SOURCE_ARN)


# -- invoke --------------------------------------------------------------------------------------


def payload(doc: object) -> StreamingBody:
    raw = json.dumps(doc).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


def test_invoke_returns_the_decoded_answer(stubbed):
    lam, stubber = stubbed("lambda")
    event = {"username": "misi", "password": "x"}
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "Payload": payload({"statusCode": 200, "body": "hi"})},
        expected_params={"FunctionName": NAME, "Payload": json.dumps(event).encode()},
    )
    assert invoke(lam, NAME, event) == {"statusCode": 200, "body": "hi"}
    stubber.assert_no_pending_responses()


def test_invoke_turns_a_function_error_into_a_kit_error(stubbed):
    lam, stubber = stubbed("lambda")
    error = {
        "errorMessage": "An error occurred (UserNotFoundException): User does not exist.",
        "errorType": "UserNotFoundException",
        "requestId": "1f2e",
        "stackTrace": ['  File "/var/task/handler.py", line 12, in handler\n'],
    }
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": payload(error)},
        expected_params={"FunctionName": NAME, "Payload": b"{}"},
    )
    with pytest.raises(KitError) as caught:
        invoke(lam, NAME, {})
    stubber.assert_no_pending_responses()
    message = str(caught.value)
    assert message.startswith(f"{NAME} failed: ")
    assert "UserNotFoundException: An error occurred (UserNotFoundException)" in message
    assert "User does not exist." in message
    assert "stackTrace" not in message


def test_invoke_function_error_without_a_json_object(stubbed):
    lam, stubber = stubbed("lambda")
    stubber.add_response(
        "invoke", {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": payload("boom")}
    )
    with pytest.raises(KitError, match=f"^{NAME} failed: Error: boom$"):
        invoke(lam, NAME, {})


def test_source_packages_another_folder_of_lambdas(stubbed):
    """``source=`` deploys another folder's code to the function (06: the seed's handler)."""
    lam, stubber = stubbed("lambda")
    seed = package("simple_api_auth_seed")
    assert seed != package(NAME)
    with zipfile.ZipFile(io.BytesIO(seed)) as archive:
        assert archive.namelist() == ["handler.py"]
    get_function(stubber)
    update = {"FunctionName": NAME, "ZipFile": seed}
    stubber.add_response("update_function_code", configuration(), update)
    get_function(stubber, CodeSha256=code_sha256(seed))  # function_updated_v2: done
    get_function(stubber, CodeSha256=code_sha256(seed))

    found = ensure_function(lam, NAME, ROLE, source="simple_api_auth_seed")

    stubber.assert_no_pending_responses()
    assert found["CodeSha256"] == code_sha256(seed)
