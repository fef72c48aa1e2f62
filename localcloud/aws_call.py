"""What an incoming AWS API request is: service, region, caller's access key, operation target,
and small helpers to read its body and to answer AWS-shaped errors."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class AwsCall:
    service: str | None
    region: str
    access_key: str | None
    target: str | None  # X-Amz-Target, e.g. "AWSCognitoIdentityProviderService.InitiateAuth"
    method: str
    path: str

    @property
    def operation(self) -> str | None:
        return self.target.rsplit(".", 1)[-1] if self.target else None

    @cached_property
    def account(self) -> str:
        """The caller's account, as moto attributes the access key (assumed roles included)."""
        from .moto_adapter import account_for_access_key

        return account_for_access_key(self.access_key)


def identify(environ: dict[str, Any]) -> AwsCall:
    auth = environ.get("HTTP_AUTHORIZATION", "") or environ.get("QUERY_STRING", "")
    match = _CREDENTIAL.search(auth.replace("%2F", "/"))
    target = environ.get("HTTP_X_AMZ_TARGET")
    service = match[3] if match else None
    if service is None and target and target.startswith("AWSCognitoIdentityProviderService."):
        service = "cognito-idp"
    return AwsCall(
        service=service,
        region=match[2] if match else "us-east-1",
        access_key=match[1] if match else None,
        target=target,
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", ""),
    )


def read_body(environ: dict[str, Any]) -> bytes:
    """The request body; the stream is replaced so that moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def json_body(environ: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON object body; {} when there is none or it is not a JSON object (moto
    then answers the malformed request itself)."""
    try:
        doc = json.loads(read_body(environ) or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return doc if isinstance(doc, dict) else {}


def query_param(environ: dict[str, Any], name: str) -> str | None:
    return (parse_qs(environ.get("QUERY_STRING", "")).get(name) or [None])[0]


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def send(self, start_response: Any) -> Iterable[bytes]:
        from http import HTTPStatus

        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Unknown"
        headers = [h for h in self.headers if h[0].lower() != "content-length"]
        headers.append(("Content-Length", str(len(self.body))))
        start_response(f"{self.status} {phrase}", headers)
        return [self.body]


def json_error(status: int, error_type: str, message: str) -> Reply:
    """An error in the JSON protocol (Cognito, Logs): ``__type`` and ``message``."""
    body = json.dumps({"__type": error_type, "message": message}).encode()
    return Reply(
        status,
        [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", error_type)],
        body,
    )


def rest_json_error(status: int, error_type: str, message: str) -> Reply:
    """An error in the REST-JSON protocol (Lambda): ``x-amzn-ErrorType`` and ``Message``."""
    body = json.dumps({"Type": "User", "Message": message}).encode()
    return Reply(
        status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)], body
    )
