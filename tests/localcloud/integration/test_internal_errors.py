"""A fault inside the local cloud, or inside moto, is answered in the service's own error shape
(JSON for Cognito and Logs, REST-JSON for Lambda and API Gateway, XML for IAM and STS), with a
500, never as an HTML page; the traceback goes to the log (docs/aws-behavior.md#internal-errors).

The app runs in this process, so a fault can be planted where no request could reach one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.parsers import create_parser
from werkzeug.test import Client

from localcloud.app import LocalCloudApp
from localcloud.lambda_runtime.runtime import LambdaRuntime

ENDPOINT = "http://127.0.0.1:4566"
#: service -> (operation, HTTP method, path, body, headers) of one call moto serves itself
CALLS: dict[str, tuple[str, str, str, bytes, dict[str, str]]] = {
    "cognito-idp": (
        "ListUserPools",
        "POST",
        "/",
        b'{"MaxResults": 5}',
        {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
        },
    ),
    "logs": (
        "DescribeLogGroups",
        "POST",
        "/",
        b"{}",
        {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Logs_20140328.DescribeLogGroups",
        },
    ),
    "lambda": ("ListFunctions", "GET", "/2015-03-31/functions/", b"", {}),
    "apigateway": ("GetRestApis", "GET", "/restapis", b"", {}),
    "iam": (
        "ListRoles",
        "POST",
        "/",
        b"Action=ListRoles&Version=2010-05-08",
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    "sts": (
        "GetCallerIdentity",
        "POST",
        "/",
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
}
#: the error code botocore reads from each service's 500
EXPECTED_CODES = {
    "cognito-idp": "InternalErrorException",
    "logs": "ServiceUnavailableException",
    "lambda": "ServiceException",
    "apigateway": "InternalFailure",
    "iam": "ServiceFailure",
    "sts": "InternalFailure",
}
MESSAGE = "The request processing has failed because of an unknown error, exception or failure."


@pytest.fixture
def app(tmp_path) -> Iterator[LocalCloudApp]:
    runtime = LambdaRuntime(ENDPOINT, work_dir=tmp_path)
    yield LocalCloudApp(ENDPOINT, runtime, port=4566)
    runtime.close()


def send(app: LocalCloudApp, service: str, call: tuple) -> Any:
    _, method, path, body, headers = call
    request = AWSRequest(method=method, url=ENDPOINT + path, data=body, headers=headers)
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), service, "us-east-1").add_auth(request)
    return Client(app).open(path, method=method, data=body, headers=dict(request.headers))


def botocore_error(service: str, operation: str, response: Any) -> dict[str, str]:
    """The error as botocore parses it for the service's protocol."""
    model = botocore.session.get_session().get_service_model(service)
    parsed = create_parser(model.metadata["protocol"]).parse(
        {
            "status_code": response.status_code,
            "headers": {k.lower(): v for k, v in response.headers.items()},
            "body": response.data,
        },
        model.operation_model(operation).output_shape,
    )
    return parsed["Error"]


def explode(_environ: dict, _start_response: Any) -> Any:
    raise RuntimeError("moto broke")


@pytest.mark.parametrize("service", sorted(CALLS))
def test_a_fault_in_moto_is_a_500_in_the_services_shape(app, service, capfd):
    app.moto = explode
    response = send(app, service, CALLS[service])
    assert response.status_code == 500
    assert "html" not in response.headers["Content-Type"]
    error = botocore_error(service, CALLS[service][0], response)
    assert (error["Code"], error["Message"]) == (EXPECTED_CODES[service], MESSAGE)
    log = capfd.readouterr().err
    assert "Traceback" in log and "moto broke" in log


@pytest.mark.parametrize("service", ["cognito-idp", "iam"])
def test_an_html_error_page_from_moto_is_never_passed_on(app, service):
    def html_page(_environ: dict, start_response: Any) -> list[bytes]:
        start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/html")])
        return [b"<!doctype html><title>500 Internal Server Error</title>"]

    app.moto = html_page
    response = send(app, service, CALLS[service])
    assert response.status_code == 500
    assert b"<!doctype" not in response.data
    assert botocore_error(service, CALLS[service][0], response)["Code"] == EXPECTED_CODES[service]


def test_a_fault_in_a_service_rule_is_a_500_in_the_services_shape(app, capfd):
    def broken_rule(call, environ, forward):
        raise AttributeError("the rule broke")

    app.hooks["apigateway"] = broken_rule
    body = json.dumps({"patchOperations": [{"op": "replace", "path": "/name", "value": "x"}]})
    call = ("UpdateAuthorizer", "PATCH", "/restapis/abc/authorizers/def", body.encode(), {})
    response = send(app, "apigateway", call)
    assert response.status_code == 500
    assert botocore_error("apigateway", "UpdateAuthorizer", response)["Code"] == "InternalFailure"
    assert "the rule broke" in capfd.readouterr().err


def test_a_fault_in_the_data_plane_is_a_500_with_the_request_ids(app, capfd):
    def broken_stage_target(api_id: str, stage: str) -> None:
        raise RuntimeError("stage lookup broke")

    app.backends.stage_target = broken_stage_target
    response = Client(app).get("/restapis/abc/dev/_user_request_/hello")
    assert response.status_code == 500
    assert response.data == b'{"message": "Internal server error"}'
    assert response.headers["x-amzn-RequestId"] and response.headers["x-amz-apigw-id"]
    assert "stage lookup broke" in capfd.readouterr().err
