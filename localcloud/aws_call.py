"""An incoming AWS API request, parsed once: who calls (service, region, access key, account),
which operation, with which parameters; and the replies AWS gives, in each service's error shape.

:func:`identify` reads the request once. The enforcer, the service rules and the cache table all
read the :class:`AwsCall` it returns; none of them parses the request again.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from . import ids, service_model
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
    """One AWS API request. ``service`` is the service the request is for, told from the request
    itself (``X-Amz-Target``, the query protocol's ``Version``, or the REST path), never from the
    signature; ``route`` names the operation when the service has one of that name."""

    service: str | None
    region: str
    access_key: str | None
    target: str | None  # X-Amz-Target, e.g. "AWSCognitoIdentityProviderService.InitiateAuth"
    method: str
    path: str
    query_string: str = ""
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    raw_uri: str = ""  # the path and query string as the client sent them (for the signature)
    route: service_model.Route | None = None
    scope_service: str | None = None  # what the signature's credential scope names

    @property
    def protocol(self) -> str | None:
        return PROTOCOLS.get(self.service or "")

    @property
    def operation(self) -> str | None:
        return self.route.operation if self.route else None

    @cached_property
    def form(self) -> dict[str, list[str]]:
        """Query-protocol parameters (body and query string), every value a list."""
        found = parse_qs(self.body.decode("utf-8", "replace"))
        found.update(parse_qs(self.query_string))
        return found

    @cached_property
    def json_body(self) -> Any:
        """The body as JSON (None when there is none); :class:`ValueError` when it is not JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body)

    @cached_property
    def params(self) -> dict[str, Any]:
        """The operation's parameters, as its input shape names them: from the JSON body, from
        the query protocol's form (``Name.member.N`` …), or from a REST call's path, query
        string, headers and body. {} when the request cannot be read (the door refuses it)."""
        if self.route is None:
            return {}
        try:
            body = self.json_body
        except (ValueError, UnicodeDecodeError):
            body = None
        if self.protocol == "query":
            return service_model.query_params(self.route, self.form)
        if self.protocol == "json":
            return body if isinstance(body, dict) else {}
        return service_model.rest_params(self.route, self.query_string, self.headers, body)

    def query_param(self, name: str) -> str | None:
        return (parse_qs(self.query_string).get(name) or [None])[0]

    @cached_property
    def account(self) -> str:
        """The caller's account, as moto attributes the access key (assumed roles included)."""
        return account_for_access_key(self.access_key)


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    found = {
        k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            found[key.replace("_", "-").lower()] = environ[key]
    return found


def identify(environ: dict[str, Any]) -> AwsCall:
    """Parse an AWS API request once (its body is read and put back for moto)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _CREDENTIAL.search(auth)
    headers = _headers(environ)
    body = read_body(environ)
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    query_string = environ.get("QUERY_STRING", "")
    target = headers.get("x-amz-target")
    route: service_model.Route | None = None
    if target:
        service = service_model.target_service(target)
        route = service_model.route_target(target)
    elif "version" in (form := _form(body, query_string, headers)):
        service = service_model.query_service(form["version"])
        route = service_model.route_query(form["version"], form.get("action"))
    else:
        route = service_model.route_rest(method, path)
        service = route.service if route else service_model.rest_service(path)
    return AwsCall(
        service=service,
        region=match[2] if match else "us-east-1",
        access_key=match[1] if match else None,
        target=target,
        method=method,
        path=path,
        query_string=query_string,
        body=body,
        headers=headers,
        raw_uri=environ.get("RAW_URI") or environ.get("REQUEST_URI") or path,
        route=route,
        scope_service=match[3] if match else None,
    )


def _form(body: bytes, query_string: str, headers: Mapping[str, str]) -> dict[str, str]:
    """``Action`` and ``Version`` of a query-protocol request (lower-case keys), else {}."""
    form = parse_qs(query_string)
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form.update(parse_qs(body.decode("utf-8", "replace")))
    return {k.lower(): v[0] for k, v in form.items() if k in ("Action", "Version")}


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


def rest_json_error(
    status: int, error_type: str, message: str, *, fault: str = "User", service: str | None = None
) -> Reply:
    """An error in the REST-JSON protocol: ``x-amzn-ErrorType``, and a body of ``Type`` and
    ``Message`` (Lambda; ``fault`` is ``User``, the caller's, or ``Service``) or, from API
    Gateway, of ``message`` alone (docs/aws-behavior.md#api-gateway-control-plane rule 24)."""
    if service == "apigateway":
        body = json.dumps({"message": message}).encode()
    else:
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
        return rest_json_error(500, code, INTERNAL_FAILURE, fault="Service", service=service)
    return json_error(500, code, INTERNAL_FAILURE)
