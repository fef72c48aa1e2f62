"""The Lambda proxy response contract, payload 1.0
(docs/aws-behavior.md#lambda-proxy-integration)."""

from __future__ import annotations

import base64
import json

import pytest

from localcloud.execute_api.errors import IntegrationFailure
from localcloud.execute_api.lambda_proxy import parse_response


def parse(doc) -> object:
    return parse_response(json.dumps(doc).encode())


@pytest.mark.parametrize(
    ("status", "expected"),
    [(200, 200), (201, 201), (404, 404), (500, 500), ("200", 200), ("302", 302)],
)
def test_status_int_or_numeric_string(status, expected):
    assert parse({"statusCode": status, "body": "x"}).status == expected


def test_missing_status_code_means_200():
    response = parse({"body": "hello"})
    assert response.status == 200
    assert response.body == b"hello"


def test_empty_object_is_a_200():
    assert parse({}).status == 200


@pytest.mark.parametrize(
    "doc",
    [
        {"statusCode": 200, "body": "x", "message": "extra"},  # unknown key
        {"statusCode": 200, "Body": "x"},  # keys are case-sensitive
        {"statusCode": 200, "body": {"a": 1}},  # non-string body
        {"statusCode": 200, "body": 42},
        {"statusCode": 200, "body": ["a"]},
        {"statusCode": 200, "body": True},
        {"statusCode": "OK"},  # non-numeric status
        {"statusCode": "2OO"},
        {"statusCode": ""},
        {"statusCode": [200]},
        {"statusCode": 200, "headers": ["Content-Type", "text/plain"]},
        {"statusCode": 200, "headers": {"X-A": {"nested": 1}}},
        {"statusCode": 200, "multiValueHeaders": {"X-A": "not-a-list"}},
    ],
)
def test_malformed_answer_is_a_502(doc):
    with pytest.raises(IntegrationFailure) as info:
        parse(doc)
    assert info.value.status == 502
    assert info.value.message == "Internal server error"


@pytest.mark.parametrize(
    "payload",
    [
        b"[]",
        b'["statusCode", 200]',
        b'"hello"',
        b"42",
        b"null",
        b"true",  # non-object answers
        b"",
        b"not json",
        b'{"statusCode": 200',
        b"\xff\xfe\x00",  # non-JSON
    ],
)
def test_non_object_or_non_json_answer_is_a_502(payload):
    with pytest.raises(IntegrationFailure) as info:
        parse_response(payload)
    assert info.value.status == 502


def test_missing_content_type_becomes_application_json():
    response = parse({"statusCode": 200, "body": "{}"})
    assert response.headers == [("Content-Type", "application/json")]


@pytest.mark.parametrize("name", ["Content-Type", "content-type", "CONTENT-TYPE"])
def test_content_type_given_is_kept(name):
    response = parse({"statusCode": 200, "body": "<p>", "headers": {name: "text/html"}})
    assert response.header("content-type") == "text/html"
    assert [k for k, _ in response.headers if k.lower() == "content-type"] == [name]


def test_content_type_in_multi_value_headers_is_kept():
    response = parse({"body": "x", "multiValueHeaders": {"Content-Type": ["text/plain"]}})
    assert response.headers == [("Content-Type", "text/plain")]


def test_headers_are_passed_through():
    response = parse({"headers": {"X-A": "1", "Cache-Control": "no-store"}, "body": ""})
    assert response.header("X-A") == "1"
    assert response.header("cache-control") == "no-store"


def test_multi_value_headers_give_one_header_line_per_value():
    response = parse(
        {
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "X-Tag": ["x"]},
            "headers": {"X-Other": "o"},
            "body": "",
        }
    )
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert response.header("X-Tag") == "x"
    assert response.header("X-Other") == "o"


@pytest.mark.parametrize("value", [None, {}])
def test_null_or_empty_header_maps_are_fine(value):
    response = parse({"statusCode": 204, "headers": value, "multiValueHeaders": value})
    assert response.status == 204
    assert response.header("Content-Type") == "application/json"


def test_body_is_utf8_encoded():
    assert parse({"body": "héllo ✓"}).body == "héllo ✓".encode()


def test_null_body_is_empty():
    assert parse({"statusCode": 200, "body": None}).body == b""


def test_is_base64_encoded_decodes_the_body():
    raw = bytes(range(256))
    response = parse(
        {
            "statusCode": 200,
            "isBase64Encoded": True,
            "headers": {"Content-Type": "application/octet-stream"},
            "body": base64.b64encode(raw).decode(),
        }
    )
    assert response.body == raw


def test_is_base64_encoded_false_keeps_the_body_as_text():
    text = base64.b64encode(b"abc").decode()
    assert parse({"isBase64Encoded": False, "body": text}).body == text.encode()
