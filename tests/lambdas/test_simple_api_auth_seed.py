"""The seed's sign-in handler, kept as the seed writes it: notebook 06 deploys it first to show its
mistakes (an escaping error becomes API Gateway's 502; a challenge is a 200 without tokens)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.support.lambdas import CLIENT_ID, TOKENS, USER_POOL_ID, import_handler, load_event

USERNAME = "misi"
PASSWORD = "Corr3ct-Horse-Battery!"
EXPECTED = {
    "UserPoolId": USER_POOL_ID,
    "ClientId": CLIENT_ID,
    "AuthFlow": "ADMIN_NO_SRP_AUTH",  # the old name of ADMIN_USER_PASSWORD_AUTH
    "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD},
}


@pytest.fixture
def seed(aws_env, monkeypatch, cognito):
    return import_handler("simple_api_auth_seed", monkeypatch, cognito[0])


@pytest.fixture
def stubber(cognito):
    return cognito[1]


def test_good_password_answers_200_with_cognitos_whole_answer(seed, stubber):
    answer = {"AuthenticationResult": TOKENS, "ChallengeParameters": {}}
    stubber.add_response("admin_initiate_auth", answer, EXPECTED)
    response = seed.handler(load_event("auth_get"), None)
    stubber.assert_no_pending_responses()
    assert response == {"statusCode": 200, "body": json.dumps(answer)}


def test_a_challenge_is_answered_200_without_tokens(seed, stubber):
    answer = {
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": "AYABeC-session-token-value",
        "ChallengeParameters": {"USER_ID_FOR_SRP": USERNAME},
    }
    stubber.add_response("admin_initiate_auth", answer, EXPECTED)
    response = seed.handler(load_event("auth_get"), None)
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and "AuthenticationResult" not in body


def test_a_wrong_password_escapes_the_handler(seed, stubber):
    stubber.add_client_error(
        "admin_initiate_auth",
        service_error_code="NotAuthorizedException",
        service_message="Incorrect username or password.",
        http_status_code=400,
        expected_params=EXPECTED,
    )
    with pytest.raises(ClientError) as raised:
        seed.handler(load_event("auth_get"), None)
    assert raised.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_no_query_string_escapes_the_handler_too(seed, stubber):
    with pytest.raises(TypeError):
        seed.handler({"queryStringParameters": None}, None)
