"""The sign-in Lambda: GET /auth?username=..&password=.. (or POST /auth with a JSON body) answers
tokens, 400, 401 or 403, with the CORS header when ALLOWED_ORIGIN is set."""

from __future__ import annotations

import base64
import importlib
import json
import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.lambdas import CLIENT_ID, TOKENS, USER_POOL_ID, import_handler, load_event

USERNAME = "misi"
PASSWORD = "Corr3ct-Horse-Battery!"
SESSION = "AYABeC-session-token-value"


@pytest.fixture
def auth(aws_env, monkeypatch, cognito):
    client, _ = cognito
    return import_handler("simple_api_auth", monkeypatch, client)


@pytest.fixture
def stubber(cognito):
    return cognito[1]


def _expected_params(pool: str = USER_POOL_ID, client_id: str = CLIENT_ID) -> dict[str, Any]:
    return {
        "UserPoolId": pool,
        "ClientId": client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD},
    }


def _answer(response: dict[str, Any], status: int) -> dict[str, Any]:
    assert response["statusCode"] == status
    assert response["headers"] == {"Content-Type": "application/json"}
    assert isinstance(response["body"], str)
    return json.loads(response["body"])


def test_golden_event_carries_the_credentials():
    event = load_event("auth_get")
    assert event["queryStringParameters"] == {"username": USERNAME, "password": PASSWORD}
    assert event["multiValueQueryStringParameters"] == {
        "username": [USERNAME],
        "password": [PASSWORD],
    }


def test_good_password_answers_exactly_the_five_token_fields(auth, stubber):
    result = {**TOKENS, "NewDeviceMetadata": {"DeviceKey": "dk", "DeviceGroupKey": "dgk"}}
    stubber.add_response(
        "admin_initiate_auth",
        {"AuthenticationResult": result, "ChallengeParameters": {}},
        _expected_params(),
    )
    body = _answer(auth.handler(load_event("auth_get"), None), 200)
    stubber.assert_no_pending_responses()
    assert body == {"AuthenticationResult": TOKENS}
    assert list(body) == ["AuthenticationResult"]
    assert list(body["AuthenticationResult"]) == list(TOKENS)


def test_missing_refresh_token_is_left_out(auth, stubber):
    tokens = {k: v for k, v in TOKENS.items() if k != "RefreshToken"}
    stubber.add_response(
        "admin_initiate_auth", {"AuthenticationResult": tokens}, _expected_params()
    )
    body = _answer(auth.handler(load_event("auth_get"), None), 200)
    stubber.assert_no_pending_responses()
    assert body == {"AuthenticationResult": tokens}


@pytest.mark.parametrize("code", ["NotAuthorizedException", "UserNotFoundException"])
def test_wrong_password_or_unknown_user_is_401(auth, stubber, code):
    stubber.add_client_error(
        "admin_initiate_auth",
        service_error_code=code,
        service_message="Incorrect username or password.",
        http_status_code=400,
        expected_params=_expected_params(),
    )
    body = _answer(auth.handler(load_event("auth_get"), None), 401)
    stubber.assert_no_pending_responses()
    assert body == {"message": "Incorrect username or password."}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("PasswordResetRequiredException", "Password reset required."),
        ("UserNotConfirmedException", "User is not confirmed."),
    ],
)
def test_reset_required_or_unconfirmed_is_403(auth, stubber, code, message):
    stubber.add_client_error(
        "admin_initiate_auth",
        service_error_code=code,
        http_status_code=400,
        expected_params=_expected_params(),
    )
    body = _answer(auth.handler(load_event("auth_get"), None), 403)
    stubber.assert_no_pending_responses()
    assert body == {"message": message}


@pytest.mark.parametrize(
    ("challenge", "message"),
    [
        ("NEW_PASSWORD_REQUIRED", "Password change required."),
        ("SOFTWARE_TOKEN_MFA", "Sign-in challenge required: SOFTWARE_TOKEN_MFA."),
        ("SMS_MFA", "Sign-in challenge required: SMS_MFA."),
    ],
)
def test_challenge_is_403(auth, stubber, challenge, message):
    stubber.add_response(
        "admin_initiate_auth",
        {
            "ChallengeName": challenge,
            "Session": SESSION,
            "ChallengeParameters": {"USER_ID_FOR_SRP": USERNAME},
        },
        _expected_params(),
    )
    response = auth.handler(load_event("auth_get"), None)
    body = _answer(response, 403)
    stubber.assert_no_pending_responses()
    assert body == {"message": message}
    assert SESSION not in response["body"]


@pytest.mark.parametrize(
    ("params", "missing"),
    [
        (None, "password, username"),
        ({}, "password, username"),
        ({"username": USERNAME}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": "", "password": PASSWORD}, "username"),
        ({"username": USERNAME, "password": ""}, "password"),
        ({"username": "", "password": ""}, "password, username"),
        ({"user": USERNAME, "pass": PASSWORD}, "password, username"),
    ],
)
def test_missing_parameters_are_400_without_calling_cognito(auth, stubber, params, missing):
    event = load_event("auth_get")
    event["queryStringParameters"] = params
    # No response is queued: calling Cognito would raise a StubResponseError.
    response = auth.handler(event, None)
    body = _answer(response, 400)
    assert body == {"message": f"Missing required request parameters: [{missing}]"}
    assert PASSWORD not in response["body"]


def test_direct_invoke_without_query_string_is_400(auth, stubber):
    body = _answer(auth.handler({}, None), 400)
    assert body == {"message": "Missing required request parameters: [password, username]"}


@pytest.mark.parametrize(
    "code", ["TooManyRequestsException", "InternalErrorException", "ResourceNotFoundException"]
)
def test_other_cognito_errors_propagate(auth, stubber, code):
    stubber.add_client_error(
        "admin_initiate_auth",
        service_error_code=code,
        service_message="something went wrong",
        http_status_code=400,
        expected_params=_expected_params(),
    )
    with pytest.raises(ClientError) as raised:
        auth.handler(load_event("auth_get"), None)
    stubber.assert_no_pending_responses()
    assert raised.value.response["Error"]["Code"] == code
    assert PASSWORD not in str(raised.value)


def test_environment_is_read_at_call_time(auth, stubber, monkeypatch):
    for pool, client_id in (("us-east-1_first", "firstclient"), ("us-east-1_second", "second")):
        stubber.add_response(
            "admin_initiate_auth",
            {"AuthenticationResult": TOKENS},
            _expected_params(pool, client_id),
        )
        monkeypatch.setenv("USER_POOL_ID", pool)
        monkeypatch.setenv("CLIENT_ID", client_id)
        _answer(auth.handler(load_event("auth_get"), None), 200)
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize("name", ["USER_POOL_ID", "CLIENT_ID"])
def test_missing_setting_fails_instead_of_guessing(auth, stubber, monkeypatch, name):
    monkeypatch.delenv(name)
    # No response is queued: calling Cognito would raise a StubResponseError, not KeyError.
    with pytest.raises(KeyError, match=name):
        auth.handler(load_event("auth_get"), None)


def test_module_imports_without_pool_or_client_settings(aws_env, monkeypatch):
    monkeypatch.delenv("USER_POOL_ID")
    monkeypatch.delenv("CLIENT_ID")
    module = importlib.import_module("lambdas.simple_api_auth.handler")
    client = module.cognito
    try:
        importlib.reload(module)
        assert module.cognito.meta.service_model.service_name == "cognito-idp"
    finally:
        module.cognito = client


def _queue(stubber, outcome: str) -> None:
    if outcome == "tokens":
        stubber.add_response(
            "admin_initiate_auth", {"AuthenticationResult": TOKENS}, _expected_params()
        )
    elif outcome == "challenge":
        stubber.add_response(
            "admin_initiate_auth",
            {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": SESSION},
            _expected_params(),
        )
    else:
        stubber.add_client_error(
            "admin_initiate_auth",
            service_error_code=outcome,
            http_status_code=400,
            expected_params=_expected_params(),
        )


@pytest.mark.parametrize(
    "outcome",
    [
        "tokens",
        "challenge",
        "NotAuthorizedException",
        "UserNotFoundException",
        "PasswordResetRequiredException",
        "UserNotConfirmedException",
        "InternalErrorException",
    ],
)
def test_password_and_tokens_never_reach_logs_or_stdout(auth, stubber, outcome, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    _queue(stubber, outcome)
    try:
        response = auth.handler(load_event("auth_get"), None)
    except ClientError:
        response = None
    stubber.assert_no_pending_responses()
    if response is not None:
        assert PASSWORD not in json.dumps(response)
    captured = capsys.readouterr()
    for text in (caplog.text, captured.out, captured.err):
        assert PASSWORD not in text
        for token in ("access.token.value", "id.token.value", "refresh-token-value", SESSION):
            assert token not in text


# --- POST /auth: the credentials in a JSON body (notebook 09) ----------------------------------


def _post(body: Any, *, base64_encoded: bool = False) -> dict[str, Any]:
    event = load_event("auth_post")
    raw = body if isinstance(body, str) else json.dumps(body)
    if base64_encoded:
        raw = base64.b64encode(raw.encode()).decode()
    event["body"], event["isBase64Encoded"] = raw, base64_encoded
    return event


def test_golden_post_event_carries_the_credentials_in_its_body():
    event = load_event("auth_post")
    assert event["httpMethod"] == "POST" and event["queryStringParameters"] is None
    assert json.loads(event["body"]) == {"username": USERNAME, "password": PASSWORD}


@pytest.mark.parametrize("base64_encoded", [False, True])
def test_post_signs_in_with_the_json_body(auth, stubber, base64_encoded):
    stubber.add_response(
        "admin_initiate_auth", {"AuthenticationResult": TOKENS}, _expected_params()
    )
    event = _post({"username": USERNAME, "password": PASSWORD}, base64_encoded=base64_encoded)
    body = _answer(auth.handler(event, None), 200)
    stubber.assert_no_pending_responses()
    assert body == {"AuthenticationResult": TOKENS}


def test_post_ignores_a_query_string(auth, stubber):
    """A POST reads its body only: credentials in its URL are not used."""
    event = _post({"username": USERNAME})
    event["queryStringParameters"] = {"username": USERNAME, "password": PASSWORD}
    body = _answer(auth.handler(event, None), 400)
    assert body == {"message": "Missing required body properties: [password]"}


def test_post_wrong_password_is_401_like_get(auth, stubber):
    stubber.add_client_error(
        "admin_initiate_auth",
        service_error_code="NotAuthorizedException",
        http_status_code=400,
        expected_params=_expected_params(),
    )
    body = _answer(auth.handler(_post({"username": USERNAME, "password": PASSWORD}), None), 401)
    assert body == {"message": "Incorrect username or password."}


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({}, "password, username"),
        ({"username": USERNAME}, "password"),
        ({"username": "", "password": PASSWORD}, "username"),
        ({"username": USERNAME, "password": 12345678}, "password"),
        ({"username": [USERNAME], "password": PASSWORD}, "username"),
    ],
)
def test_post_missing_or_non_string_properties_are_400(auth, stubber, body, missing):
    response = auth.handler(_post(body), None)
    assert _answer(response, 400) == {"message": f"Missing required body properties: [{missing}]"}
    assert PASSWORD not in response["body"]


@pytest.mark.parametrize("raw", ["", "not json", "[1, 2]", '"a string"', "null", "{"])
def test_post_body_that_is_not_a_json_object_is_400(auth, stubber, raw):
    body = _answer(auth.handler(_post(raw), None), 400)
    assert body == {"message": "The request body must be a JSON object with username and password."}


def test_post_bad_base64_is_400(auth, stubber):
    event = _post("%%% not base64 %%%")
    event["isBase64Encoded"] = True
    assert _answer(auth.handler(event, None), 400)["message"].startswith("The request body")


# --- CORS: ALLOWED_ORIGIN ----------------------------------------------------------------------


def test_allowed_origin_is_added_to_every_answer(auth, stubber, monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGIN", "http://127.0.0.1:8000")
    stubber.add_response(
        "admin_initiate_auth", {"AuthenticationResult": TOKENS}, _expected_params()
    )
    ok = auth.handler(_post({"username": USERNAME, "password": PASSWORD}), None)
    refused = auth.handler(_post({"username": USERNAME}), None)
    for response in (ok, refused):
        assert response["headers"] == {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": "http://127.0.0.1:8000",
        }


def test_without_allowed_origin_no_cors_header(auth, stubber, monkeypatch):
    monkeypatch.delenv("ALLOWED_ORIGIN", raising=False)
    response = auth.handler(_post({"username": USERNAME}), None)
    assert "Access-Control-Allow-Origin" not in response["headers"]
