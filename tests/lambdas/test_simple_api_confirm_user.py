"""The confirm-user Lambda sets a permanent password so a new user can sign in."""

from __future__ import annotations

import importlib
import json
import logging

import pytest
from botocore.exceptions import ClientError

from tests.support.lambdas import USER_POOL_ID, import_handler

USERNAME = "misi"
PASSWORD = "N3w-Permanent-Passw0rd!"


@pytest.fixture
def confirm(aws_env, monkeypatch, cognito):
    client, _ = cognito
    return import_handler("simple_api_confirm_user", monkeypatch, client)


@pytest.fixture
def stubber(cognito):
    return cognito[1]


def _expected_params(pool: str = USER_POOL_ID) -> dict:
    return {
        "UserPoolId": pool,
        "Username": USERNAME,
        "Password": PASSWORD,
        "Permanent": True,
    }


def test_sets_a_permanent_password_and_answers_without_it(confirm, stubber, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    stubber.add_response("admin_set_user_password", {}, _expected_params())
    result = confirm.handler({"username": USERNAME, "password": PASSWORD}, None)
    stubber.assert_no_pending_responses()
    assert result == {"username": USERNAME, "confirmed": True}
    assert result["confirmed"] is True
    captured = capsys.readouterr()
    for text in (json.dumps(result), repr(result), caplog.text, captured.out, captured.err):
        assert PASSWORD not in text


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"username": USERNAME},
        {"password": PASSWORD},
        {"username": "", "password": PASSWORD},
        {"username": USERNAME, "password": ""},
        {"username": None, "password": None},
    ],
    ids=["empty", "no-password", "no-username", "blank-username", "blank-password", "nulls"],
)
def test_missing_username_or_password_is_a_value_error(confirm, stubber, event):
    # No response is queued: calling Cognito would raise a StubResponseError instead.
    with pytest.raises(ValueError) as raised:
        confirm.handler(event, None)
    assert str(raised.value) == "event needs 'username' and 'password'"


@pytest.mark.parametrize(
    "code", ["UserNotFoundException", "InvalidPasswordException", "InternalErrorException"]
)
def test_cognito_errors_propagate(confirm, stubber, code, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    stubber.add_client_error(
        "admin_set_user_password",
        service_error_code=code,
        service_message="it did not work",
        http_status_code=400,
        expected_params=_expected_params(),
    )
    with pytest.raises(ClientError) as raised:
        confirm.handler({"username": USERNAME, "password": PASSWORD}, None)
    stubber.assert_no_pending_responses()
    assert raised.value.response["Error"]["Code"] == code
    captured = capsys.readouterr()
    for text in (str(raised.value), caplog.text, captured.out, captured.err):
        assert PASSWORD not in text


def test_environment_is_read_at_call_time(confirm, stubber, monkeypatch):
    stubber.add_response("admin_set_user_password", {}, _expected_params("us-east-1_first"))
    stubber.add_response("admin_set_user_password", {}, _expected_params("us-east-1_second"))
    monkeypatch.setenv("USER_POOL_ID", "us-east-1_first")
    confirm.handler({"username": USERNAME, "password": PASSWORD}, None)
    monkeypatch.setenv("USER_POOL_ID", "us-east-1_second")
    confirm.handler({"username": USERNAME, "password": PASSWORD}, None)
    stubber.assert_no_pending_responses()


def test_missing_pool_setting_fails_instead_of_guessing(confirm, stubber, monkeypatch):
    monkeypatch.delenv("USER_POOL_ID")
    # No response is queued: calling Cognito would raise a StubResponseError, not KeyError.
    with pytest.raises(KeyError, match="USER_POOL_ID"):
        confirm.handler({"username": USERNAME, "password": PASSWORD}, None)


def test_module_imports_without_pool_setting(aws_env, monkeypatch):
    monkeypatch.delenv("USER_POOL_ID")
    module = importlib.import_module("lambdas.simple_api_confirm_user.handler")
    client = module.cognito
    try:
        importlib.reload(module)
        assert module.cognito.meta.service_model.service_name == "cognito-idp"
    finally:
        module.cognito = client
