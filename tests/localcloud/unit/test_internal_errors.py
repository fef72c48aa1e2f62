"""A fault inside the data plane is answered as AWS answers its own failures, never as an HTML
page, and its traceback goes to the log (docs/aws-behavior.md#internal-errors)."""

from __future__ import annotations

import json

from localcloud.execute_api.pipeline import handle

from .fakes import FakeBackends, deployment, lambda_integration, method, request


class Exploding(FakeBackends):
    def stage_target(self, api_id, stage):
        raise RuntimeError("boom in routing")


def test_a_fault_in_a_stage_is_a_500_in_aws_shape_with_the_request_ids():
    lines: list[str] = []
    response = handle(request("GET", "/hello"), Exploding(), log=lines.append)
    assert response.status == 500
    assert response.body == b'{"message": "Internal server error"}'
    assert response.header("Content-Type") == "application/json"
    assert response.header("x-amzn-ErrorType") == "InternalServerErrorException"
    assert response.header("x-amzn-RequestId") and response.header("x-amz-apigw-id")
    assert len(lines) == 1 and "Traceback" in lines[0] and "boom in routing" in lines[0]


def test_a_fault_in_the_integration_is_a_500_too():
    def explode(_event):
        raise ValueError("boom in invoke")

    backends = FakeBackends(answer=explode).allow_apigateway()
    backends.serve(deployment({"/hello": {"GET": method(integration=lambda_integration())}}))
    lines: list[str] = []
    response = handle(request("GET", "/hello"), backends, log=lines.append)
    assert (response.status, json.loads(response.body)) == (
        500,
        {"message": "Internal server error"},
    )
    assert "boom in invoke" in lines[-1]
