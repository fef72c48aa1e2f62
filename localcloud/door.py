"""The door every AWS API call passes before IAM and the services see it, in AWS's order: a
service and operation the local cloud serves, a valid signature (where the operation needs
one), then parameters that fit the operation's input shape. Each refusal is answered as AWS
answers it, in the service's own error shape (docs/aws-behavior.md#requests-and-signatures).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from . import service_model, sigv4
from .authz.identity import Credentials
from .aws_call import AwsCall, Reply, json_error, rest_json_error, xml_error

#: a JSON-protocol error code -> (its query-protocol code, HTTP status: JSON, REST-JSON, query)
_SIGNATURE_ERRORS = {
    "MissingAuthenticationTokenException": ("MissingAuthenticationToken", 400, 403, 403),
    "IncompleteSignatureException": ("IncompleteSignature", 400, 403, 400),
    "InvalidSignatureException": ("SignatureDoesNotMatch", 400, 403, 403),
    "UnrecognizedClientException": ("InvalidClientTokenId", 400, 403, 403),
    "ExpiredTokenException": ("ExpiredToken", 400, 403, 400),
}
#: service -> error code for (parameters of the wrong type, parameters breaking a constraint)
_INPUT_ERRORS = {
    "cognito-idp": ("SerializationException", "InvalidParameterException"),
    "logs": ("SerializationException", "InvalidParameterException"),
    "lambda": ("InvalidRequestContentException", "ValidationException"),
    "apigateway": ("BadRequestException", "BadRequestException"),
    "iam": ("ValidationError", "ValidationError"),
    "sts": ("ValidationError", "ValidationError"),
}


def _refuse(call: AwsCall, status: int, code: str, message: str) -> Reply:
    protocol = call.protocol or ("json" if call.target else "rest-json")
    if protocol == "query":
        return xml_error(call.service or "iam", status, code, message)
    if protocol == "rest-json":
        return rest_json_error(status, code, message, service=call.service)
    return json_error(status, code, message)


def unknown(call: AwsCall) -> Reply | None:
    """AWS's answer to a service or operation the local cloud does not serve."""
    if call.route is not None:
        return None
    if call.target:
        body = json.dumps({"__type": "com.amazon.coral.service#UnknownOperationException"})
        return Reply(
            400,
            [("Content-Type", "application/x-amz-json-1.1"),
             ("x-amzn-ErrorType", "UnknownOperationException")],
            body.encode(),
        )  # fmt: skip
    form = call.form
    if "Action" in form or "Version" in form:
        action, version = form.get("Action", [""])[0], form.get("Version", [""])[0]
        return xml_error(
            call.service or "iam",
            400,
            "InvalidAction",
            f"Could not find operation {action} for version {version}",
        )
    return rest_json_error(
        404, "UnknownOperationException", "Unknown operation", service=call.service
    )


def signature(
    call: AwsCall, issued: Callable[[str], Credentials | None], now: datetime | None = None
) -> Reply | None:
    """None when the call needs no signature or carries one AWS would accept."""
    assert call.route is not None and call.service is not None
    if not call.route.needs_signature:
        return None

    def issued_secret(access_key: str) -> sigv4.IssuedSecret | None:
        found = issued(access_key)
        if found is None:
            return None
        return sigv4.IssuedSecret(
            found.secret_access_key, found.session_token, found.expiration_epoch
        )

    _, refusal = sigv4.check(
        call.headers.get("authorization"),
        call.service,
        call.method,
        call.raw_uri,
        call.headers,
        call.body,
        issued_secret,
        now=now,
    )
    if refusal is None:
        return None
    query_code, json_status, rest_status, query_status = _SIGNATURE_ERRORS[refusal.code]
    if call.protocol == "query":
        return _refuse(call, query_status, query_code, refusal.message)
    if call.protocol == "rest-json":
        message = refusal.message
        if refusal.code == "MissingAuthenticationTokenException":
            message = "Missing Authentication Token"
        return _refuse(call, rest_status, refusal.code, message)
    return _refuse(call, json_status, refusal.code, refusal.message)


def parameters(call: AwsCall) -> Reply | None:
    """None when the parameters fit the operation's input shape."""
    assert call.route is not None and call.service is not None
    type_code, constraint_code = _INPUT_ERRORS[call.service]
    if call.protocol != "query" and not _blob_payload(call.route):
        try:
            body = call.json_body
        except (ValueError, UnicodeDecodeError) as exc:
            return _refuse(call, 400, type_code, f"Could not parse request body into json: {exc}")
        if call.protocol == "json" and body is not None and not isinstance(body, dict):
            return _refuse(call, 400, type_code, "The request body must be a JSON object")
    try:
        service_model.check_input(call.route, call.params)
    except service_model.InputError as err:
        code = type_code if err.kind == "serialization" else constraint_code
        return _refuse(call, 400, code, str(err))
    return None


def _blob_payload(route: service_model.Route) -> bool:
    """Whether the body is the operation's payload as it is (Lambda's ``Invoke``), not JSON
    parameters."""
    shape = route.operation_model.input_shape
    payload = shape.serialization.get("payload") if shape else None
    return bool(payload) and shape.members[payload].type_name == "blob"
