"""The hello Lambda greets the user named in the Cognito authorizer's claims, or anyone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.lambdas import import_handler, load_event


@pytest.fixture
def hello(aws_env, monkeypatch):
    return import_handler("simple_api_hello", monkeypatch)


def _body(response: dict[str, Any]) -> dict[str, Any]:
    assert response["statusCode"] == 200
    assert response["headers"] == {"Content-Type": "application/json"}
    assert isinstance(response["body"], str)
    return json.loads(response["body"])


def test_greets_the_signed_in_user_and_echoes_four_claims_in_order(hello):
    body = _body(hello.handler(load_event("hello_with_claims"), None))
    assert body == {
        "message": "Hello, misi!",
        "authenticated": True,
        "claims": {
            "cognito:username": "misi",
            "sub": "4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b",
            "token_use": "id",
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
        },
    }
    assert list(body["claims"]) == ["cognito:username", "sub", "token_use", "iss"]


def test_other_claims_are_not_echoed(hello):
    raw = hello.handler(load_event("hello_with_claims"), None)["body"]
    for value in ("misi@example.com", "1example23456789abcdefghij", "Tue Jun 18", "1718719204"):
        assert value not in raw


def test_without_authorizer_the_caller_is_anonymous(hello):
    event = load_event("hello_no_authorizer")
    assert "authorizer" not in event["requestContext"]
    body = _body(hello.handler(event, None))
    assert body == {"message": "Hello, anonymous caller!", "authenticated": False}


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"requestContext": None},
        {"requestContext": {}},
        {"requestContext": {"authorizer": None}},
        {"requestContext": {"authorizer": {}}},
        {"requestContext": {"authorizer": {"claims": None}}},
        {"requestContext": {"authorizer": {"claims": {}}}},
        {"requestContext": {"authorizer": {"principalId": "user", "integrationLatency": 0}}},
    ],
    ids=[
        "direct-invoke",
        "context-null",
        "context-empty",
        "authorizer-null",
        "authorizer-empty",
        "claims-null",
        "claims-empty",
        "lambda-authorizer-context",
    ],
)
def test_no_claims_means_anonymous(hello, event):
    body = _body(hello.handler(event, None))
    assert body == {"message": "Hello, anonymous caller!", "authenticated": False}


def test_only_the_claims_present_are_echoed(hello):
    event = {"requestContext": {"authorizer": {"claims": {"sub": "abc", "cognito:username": "x"}}}}
    body = _body(hello.handler(event, None))
    assert body == {
        "message": "Hello, x!",
        "authenticated": True,
        "claims": {"cognito:username": "x", "sub": "abc"},
    }
    assert list(body["claims"]) == ["cognito:username", "sub"]


def test_access_token_claims_name_the_user_by_username(hello):
    claims = {"sub": "abc", "username": "misi", "token_use": "access", "scope": "aws.cognito"}
    body = _body(hello.handler({"requestContext": {"authorizer": {"claims": claims}}}, None))
    assert body == {
        "message": "Hello, misi!",
        "authenticated": True,
        "claims": {"sub": "abc", "token_use": "access"},
    }


def test_the_event_is_not_modified(hello):
    event = load_event("hello_with_claims")
    hello.handler(event, None)
    assert event == load_event("hello_with_claims")


def test_allowed_origin_adds_the_cors_header(hello, monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGIN", "*")
    response = hello.handler(load_event("hello_with_claims"), None)
    assert response["headers"] == {
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": "*",
    }


def test_without_allowed_origin_there_is_no_cors_header(hello, monkeypatch):
    monkeypatch.delenv("ALLOWED_ORIGIN", raising=False)
    assert _body(hello.handler(load_event("hello_no_authorizer"), None))["authenticated"] is False
