"""An incoming AWS API request, parsed once: who calls (service, region, access key, account),
which operation, with which parameters; and the replies AWS gives, in each service's error shape.

:func:`identify` reads the request once. The enforcer, the service rules and the cache table all
read the :class:`AwsCall` it returns; none of them parses the request again.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from . import ids
from .moto.iam import account_for_access_key

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")

#: each service's wire protocol, as botocore's models name it
PROTOCOLS = {
    "cognito-idp": "json",
    "logs": "json",
    "lambda": "rest-json",
    "apigateway": "rest-json",
    "iam": "query",
    "sts": "query",
}
_XML_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}


@dataclass(frozen=True)
class AwsCall:
    """One AWS API request. ``operation`` is known for the JSON (``X-Amz-Target``) and query
    (``Action``) protocols; REST calls are told apart by ``method`` and ``path``."""

    service: str | None
    region: str
    access_key: str | None
    target: str | None  # X-Amz-Target, e.g. "AWSCognitoIdentityProviderService.InitiateAuth"
    method: str
    path: str
    query_string: str = ""
    body: bytes = b""

    @property
    def protocol(self) -> str | None:
        return PROTOCOLS.get(self.service or "")

    @cached_property
    def form(self) -> dict[str, list[str]]:
        """Query-protocol parameters (body and query string), every value a list."""
        found = parse_qs(self.body.decode("utf-8", "replace"))
        found.update(parse_qs(self.query_string))
        return found

    @cached_property
    def params(self) -> dict[str, Any]:
        """The call's parameters: the JSON object body (JSON and REST-JSON protocols; {} when
        there is none or it is not an object, and moto answers the malformed request), or the
        query-protocol form with one value per name."""
        if self.protocol == "query":
            return {name: values[0] for name, values in self.form.items()}
        try:
            doc = json.loads(self.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return {}
        return doc if isinstance(doc, dict) else {}

    @cached_property
    def operation(self) -> str | None:
        if self.target:
            return self.target.rsplit(".", 1)[-1]
        if self.protocol == "query":
            return self.params.get("Action") or None
        return None

    def query_param(self, name: str) -> str | None:
        return (parse_qs(self.query_string).get(name) or [None])[0]

    @cached_property
    def account(self) -> str:
        """The caller's account, as moto attributes the access key (assumed roles included)."""
        return account_for_access_key(self.access_key)


def identify(environ: dict[str, Any]) -> AwsCall:
    """Parse an AWS API request (its body is read once and put back for moto)."""
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
        query_string=environ.get("QUERY_STRING", ""),
        body=read_body(environ),
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


def replace_body(environ: dict[str, Any], body: bytes) -> None:
    """Hand moto another body than the client sent (a request amended by a service rule)."""
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def send(self, start_response: Any) -> Iterable[bytes]:
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Unknown"
        headers = [h for h in self.headers if h[0].lower() != "content-length"]
        headers.append(("Content-Length", str(len(self.body))))
        start_response(f"{self.status} {phrase}", headers)
        return [self.body]

    @property
    def is_html(self) -> bool:
        return any(
            k.lower() == "content-type" and v.lower().startswith("text/html")
            for k, v in self.headers
        )


def json_error(status: int, error_type: str, message: str) -> Reply:
    """An error in the JSON protocol (Cognito, Logs): ``__type`` and ``message``."""
    body = json.dumps({"__type": error_type, "message": message}).encode()
    return Reply(
        status,
        [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", error_type)],
        body,
    )


def rest_json_error(status: int, error_type: str, message: str, *, fault: str = "User") -> Reply:
    """An error in the REST-JSON protocol (Lambda, API Gateway): ``x-amzn-ErrorType`` and
    ``Message``; ``fault`` is ``User`` (the caller's) or ``Service``."""
    body = json.dumps({"Type": fault, "Message": message}).encode()
    return Reply(
        status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)], body
    )


def xml_error(
    service: str, status: int, code: str, message: str, *, fault: str = "Sender"
) -> Reply:
    """An error in the query protocol (IAM, STS): an XML ``ErrorResponse``."""
    body = (
        f'<ErrorResponse xmlns="{_XML_NAMESPACES.get(service, _XML_NAMESPACES["iam"])}"><Error>'
        f"<Type>{fault}</Type><Code>{code}</Code><Message>{escape(message)}</Message>"
        f"</Error><RequestId>{ids.uuid4()}</RequestId></ErrorResponse>"
    )
    return Reply(status, [("Content-Type", "text/xml")], body.encode())


#: AWS's wording for a failure of its own (the "Common Errors" page: InternalFailure)
INTERNAL_FAILURE = (
    "The request processing has failed because of an unknown error, exception or failure."
)
#: each service's own 500 error (botocore's models), where it has one
_INTERNAL_ERRORS = {
    "cognito-idp": "InternalErrorException",
    "logs": "ServiceUnavailableException",
    "lambda": "ServiceException",
    "iam": "ServiceFailure",
}


def internal_error(service: str | None) -> Reply:
    """A 500 in the service's own error shape, for a failure inside the local cloud
    (docs/aws-behavior.md#internal-errors)."""
    code = _INTERNAL_ERRORS.get(service or "", "InternalFailure")
    protocol = PROTOCOLS.get(service or "", "json")
    if protocol == "query":
        return xml_error(service or "iam", 500, code, INTERNAL_FAILURE, fault="Receiver")
    if protocol == "rest-json":
        return rest_json_error(500, code, INTERNAL_FAILURE, fault="Service")
    return json_error(500, code, INTERNAL_FAILURE)
