"""helpers.display: secrets never shown, token claims relative to issue time, tables."""

from __future__ import annotations

import json
import uuid

import jwt
import requests

from helpers.display import (
    HIDDEN,
    Exchange,
    Json,
    Table,
    _exchange,
    claims_table,
    redact,
    token_claims,
)

IAT = 1_700_000_000
KEY = "k" * 32  # PyJWT warns about shorter HMAC keys
PASSWORD = "Xy7-kq_P.9!zRt#2%Lm="


def make_token(**claims) -> str:
    payload = {
        "sub": "5f0c1e3a-1111-2222-3333-444455556666",
        "cognito:username": "misi",
        "token_use": "id",
        "auth_time": IAT,
        "iat": IAT,
        "exp": IAT + 3600,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    return jwt.encode(payload, KEY, algorithm="HS256")


TOKEN = make_token()


# -- redact --------------------------------------------------------------------------------------


def test_redact_hides_jwts_inside_text():
    text = f"Authorization: Bearer {TOKEN} (expires soon)"
    assert redact(text) == f"Authorization: Bearer {HIDDEN} (expires soon)"
    assert redact("eyJ.not.a.token and plain text") == "eyJ.not.a.token and plain text"


def test_redact_hides_values_under_secret_keys_deeply():
    doc = {
        "AuthenticationResult": {
            "AccessToken": "opaque-access",
            "IdToken": "opaque-id",
            "RefreshToken": "opaque-refresh",
            "ExpiresIn": 3600,
            "TokenType": "Bearer",
        },
        "users": [{"username": "misi", "password": PASSWORD, "TemporaryPassword": "T3mp!"}],
        "ClientSecret": "abc",
        "note": f"token {TOKEN}",
        "token_use": "id",
        "empty_password": "",
    }
    hidden = redact(doc)
    assert hidden == {
        "AuthenticationResult": {
            "AccessToken": HIDDEN,
            "IdToken": HIDDEN,
            "RefreshToken": HIDDEN,
            "ExpiresIn": 3600,
            "TokenType": "Bearer",
        },
        "users": [{"username": "misi", "password": HIDDEN, "TemporaryPassword": HIDDEN}],
        "ClientSecret": HIDDEN,
        "note": f"token {HIDDEN}",
        "token_use": "id",
        "empty_password": "",  # nothing to hide
    }
    assert doc["users"][0]["password"] == PASSWORD  # the original is untouched


def test_redact_leaves_other_values_alone():
    assert redact(42) == 42
    assert redact(None) is None
    assert redact({"message": "Unauthorized"}) == {"message": "Unauthorized"}


def test_json_repr_hides_secrets():
    shown = repr(Json({"password": PASSWORD, "nested": [{"IdToken": TOKEN}]}))
    assert PASSWORD not in shown and TOKEN not in shown
    assert json.loads(shown) == {"password": HIDDEN, "nested": [{"IdToken": HIDDEN}]}


# -- Exchange ------------------------------------------------------------------------------------


def response(status: int, reason: str, body: bytes, **headers: str) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer.reason = reason
    answer._content = body
    answer.encoding = "utf-8"
    answer.headers.update({"Content-Type": "application/json", **headers})
    return answer


def test_exchange_repr_never_shows_the_password_or_a_token():
    body = json.dumps(
        {"AuthenticationResult": {"IdToken": TOKEN, "AccessToken": TOKEN, "ExpiresIn": 3600}}
    ).encode()
    exchange = _exchange(
        "GET",
        "/auth",
        {"username": "misi", "password": PASSWORD},
        {"Authorization": TOKEN, "x-api-key": "k3y-value-123"},
        response(200, "OK", body),
    )
    shown = repr(exchange)
    assert PASSWORD not in shown
    assert TOKEN not in shown and "eyJ" not in shown
    assert "k3y-value-123" not in shown
    first, second = shown.splitlines()
    assert first == (
        f"GET /auth?username=misi&password={HIDDEN}  [Authorization: {HIDDEN}, x-api-key: {HIDDEN}]"
    )
    assert second.startswith("→ 200 OK  {")
    assert json.loads(second.removeprefix("→ 200 OK  ")) == {
        "AuthenticationResult": {"IdToken": HIDDEN, "AccessToken": HIDDEN, "ExpiresIn": 3600}
    }
    assert exchange.json()["AuthenticationResult"]["IdToken"] == TOKEN  # the data is all there


def test_exchange_repr_shows_a_plain_answer_as_sent_with_the_error_type():
    raw = b'{"message":"Unauthorized"}'
    exchange = _exchange(
        "GET",
        "/hello",
        {},
        {},
        response(401, "Unauthorized", raw, **{"x-amzn-ErrorType": "UnauthorizedException"}),
    )
    assert isinstance(exchange, Exchange)
    assert repr(exchange) == (
        'GET /hello\n→ 401 Unauthorized  {"message":"Unauthorized"}'
        "   x-amzn-ErrorType: UnauthorizedException"
    )


def test_exchange_of_a_text_answer_hides_a_token_in_it():
    exchange = _exchange(
        "GET", "/x", {}, {}, response(500, "Internal Server Error", f"bad {TOKEN}".encode())
    )
    assert exchange.body == f"bad {TOKEN}"
    assert TOKEN not in repr(exchange)
    assert HIDDEN in repr(exchange)


# -- claims --------------------------------------------------------------------------------------


def test_token_claims_decodes_without_the_key():
    assert token_claims(TOKEN)["cognito:username"] == "misi"


def test_claims_table_shows_times_relative_to_issue_and_hides_unique_ids():
    token = make_token(
        origin_jti=str(uuid.uuid4()), event_id=str(uuid.uuid4()), aud="client123", custom=[1, 2]
    )
    table = claims_table(token)
    assert table.headers == ["claim", "value", "meaning"]
    rows = {claim: (value, meaning) for claim, value, meaning in table.rows}
    assert rows["exp"] == ("60 min after issue", "when the token expires")
    assert rows["iat"][0] == "issue time"
    assert rows["auth_time"][0] == "at issue time"
    for unique in ("jti", "origin_jti", "event_id"):
        assert rows[unique][0] == "(a fresh UUID each time)"
    assert rows["cognito:username"] == ("misi", "the username")
    assert rows["aud"][0] == "client123"
    assert rows["custom"] == ("[1, 2]", "")
    assert [row[0] for row in table.rows] == list(token_claims(token))
    shown = repr(table) + table._repr_markdown_()
    assert token not in shown
    assert str(IAT) not in shown


def test_claims_before_issue_and_fractions():
    table = claims_table(make_token(auth_time=IAT - 300, exp=IAT + 90))
    rows = {row[0]: row[1] for row in table.rows}
    assert rows["auth_time"] == "5 min before issue"
    assert rows["exp"] == "1.5 min after issue"


def test_two_tokens_of_one_user_show_the_same_table():
    first = claims_table(make_token(iat=IAT, auth_time=IAT, exp=IAT + 3600))
    later = claims_table(make_token(iat=IAT + 999, auth_time=IAT + 999, exp=IAT + 999 + 3600))
    assert repr(first) == repr(later)


# -- Table ---------------------------------------------------------------------------------------


def test_table_repr_aligns_columns():
    table = Table(["test", "status"], [("GET /hello without a token", 401), ("ok", "200")])
    assert repr(table) == "\n".join(
        [
            "test                        status",
            "--------------------------  ------",
            "GET /hello without a token  401",
            "ok                          200",
        ]
    )


def test_table_markdown_escapes_pipes():
    table = Table(["a", "b"], [("x|y", 1)])
    assert table._repr_markdown_() == "| a | b |\n| --- | --- |\n| x\\|y | 1 |"


def test_empty_table():
    table = Table(["claim", "value"], [])
    assert repr(table) == "claim  value\n-----  -----"
    assert table._repr_markdown_() == "| claim | value |\n| --- | --- |"
