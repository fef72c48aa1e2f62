"""The reports Lambda answers a caller whose access token the authorizer passed, by its claims."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.lambdas import import_handler


@pytest.fixture
def reports(aws_env, monkeypatch):
    return import_handler("simple_api_reports", monkeypatch)


def _event(claims: dict[str, str] | None) -> dict[str, Any]:
    authorizer = {"claims": claims} if claims is not None else {}
    return {"requestContext": {"authorizer": authorizer}, "path": "/reports"}


MACHINE = {
    "sub": "machine123",
    "client_id": "machine123",
    "token_use": "access",
    "scope": "simple-api/reports.read",
}


def _answer(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    assert response["headers"] == {"Content-Type": "application/json"}
    assert isinstance(response["body"], str)
    return response["statusCode"], json.loads(response["body"])


def test_a_machine_token_gets_the_reports_with_its_client_and_scopes(reports):
    status, body = _answer(reports.handler(_event(MACHINE), None))
    assert status == 200
    assert body == {
        "reports": [
            {"id": "daily-signins", "title": "Sign-ins per day"},
            {"id": "failed-signins", "title": "Failed sign-ins per day"},
        ],
        "client_id": "machine123",
        "scopes": ["simple-api/reports.read"],
    }


def test_several_scopes_are_listed_sorted(reports):
    claims = dict(MACHINE, scope="simple-api/reports.write simple-api/reports.read")
    _, body = _answer(reports.handler(_event(claims), None))
    assert body["scopes"] == ["simple-api/reports.read", "simple-api/reports.write"]


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"requestContext": None},
        {"requestContext": {"authorizer": None}},
        _event(None),
        _event({}),
        _event({"token_use": "id", "cognito:username": "misi"}),
        _event(dict(MACHINE, scope="")),
    ],
    ids=["direct", "context-null", "authorizer-null", "no-claims", "empty", "id-token", "no-scope"],
)
def test_without_an_access_token_with_a_scope_it_refuses(reports, event):
    status, body = _answer(reports.handler(event, None))
    assert (status, body) == (403, {"message": "An access token with a scope is required."})


def test_the_event_is_not_modified(reports):
    event = _event(dict(MACHINE))
    reports.handler(event, None)
    assert event == _event(dict(MACHINE))
