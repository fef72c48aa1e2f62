"""``POST /auth``: sign-in with the password in a JSON body, checked by API Gateway against a model.

The seed's ``GET /auth?username=...&password=...`` puts the password in the URL (browser history,
proxy and access logs). ``POST /auth`` takes ``{"username": ..., "password": ...}`` as
``application/json``: a model (JSON Schema draft 4) describes the body, a request validator with
``validateRequestBody`` makes API Gateway refuse a body that does not match it
(``400 {"message":"Invalid request body"}``) before the Lambda runs, and the same
``simple-api-auth`` function answers as for ``GET`` (docs/aws-behavior.md#request-validation).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from helpers.apigateway import (
    deploy,
    ensure_lambda_proxy_integration,
    ensure_method,
    ensure_request_validator,
    ensure_resource,
    execute_api_arn,
)
from helpers.cloud import Cloud
from helpers.display import HIDDEN, ApiClient, Code, Exchange, redact
from helpers.functions import ensure_invoke_permission
from helpers.names import BODY_VALIDATOR, SIGN_IN_MODEL
from helpers.retry import unless_missing

#: the body ``POST /auth`` accepts: two non-empty strings and nothing else (Cognito allows
#: usernames up to 128 characters and passwords up to 256)
SIGN_IN_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": SIGN_IN_MODEL,
    "type": "object",
    "properties": {
        "username": {"type": "string", "minLength": 1, "maxLength": 128},
        "password": {"type": "string", "minLength": 1, "maxLength": 256},
    },
    "required": ["username", "password"],
    "additionalProperties": False,
}
#: ``lambda add-permission`` statement id of ``POST /auth`` (``GET /auth`` has its own)
POST_AUTH_STATEMENT = "apigateway-post-auth"
_NOT_FOUND = "NotFoundException"


def show_model(schema: Mapping[str, Any]) -> Code:
    """A model's schema as indented JSON (its ``password`` property is a schema, not a secret)."""
    return Code(json.dumps(schema, indent=2), "json", title=str(schema.get("title", "")))


def ensure_model(apigw: Any, api_id: str, name: str, schema: Mapping[str, Any]) -> dict:
    """The model ``name`` (``application/json``) with ``schema``: created if missing, its schema
    replaced if it differs."""
    wanted = json.dumps(schema)
    current = unless_missing(lambda: apigw.get_model(restApiId=api_id, modelName=name), _NOT_FOUND)
    if current is None:
        return apigw.create_model(
            restApiId=api_id, name=name, contentType="application/json", schema=wanted
        )
    if json.loads(current.get("schema") or "null") == schema:
        return current
    return apigw.update_model(
        restApiId=api_id,
        modelName=name,
        patchOperations=[{"op": "replace", "path": "/schema", "value": wanted}],
    )


def ensure_body_validator(apigw: Any, api_id: str, name: str = BODY_VALIDATOR) -> dict:
    """A request validator that checks the body against the method's model (and not parameters).

    A second validator beside ``04``'s parameters-only one: each method names the one it wants,
    and neither notebook undoes the other's when run again."""
    return ensure_request_validator(apigw, api_id, name, parameters=False, body=True)


def ensure_post_auth(cloud: Cloud) -> dict:
    """``POST /auth`` on the tutorial stack: the model, the body validator, the method (no
    authorizer: this is where tokens come from), the Lambda proxy integration to
    ``simple-api-auth``, its invoke permission for ``POST /auth`` only, then a deployment.
    Re-runnable. Returns the method."""
    from helpers.stack import load_stack

    stack = load_stack(cloud, "api_id", "stage", "functions")
    api_id = stack["api_id"]
    apigw, lam = cloud.client("apigateway"), cloud.client("lambda")
    function = lam.get_function_configuration(FunctionName=stack["functions"]["auth"])
    ensure_model(apigw, api_id, SIGN_IN_MODEL, SIGN_IN_SCHEMA)
    validator = ensure_body_validator(apigw, api_id)
    auth = ensure_resource(apigw, api_id, "/auth")
    method = ensure_method(
        apigw,
        api_id,
        auth["id"],
        "POST",
        request_validator_id=validator["id"],
        request_models={"application/json": SIGN_IN_MODEL},
    )
    ensure_lambda_proxy_integration(
        apigw, api_id, auth["id"], "POST", cloud.region, function["FunctionArn"]
    )
    source = execute_api_arn(cloud.region, cloud.account, api_id, "POST", "/auth")
    ensure_invoke_permission(lam, function["FunctionName"], POST_AUTH_STATEMENT, source)
    deploy(apigw, api_id, stack["stage"], "POST /auth with a model and a body validator")
    return method


def post_json(
    client: ApiClient,
    path: str,
    body: Any,
    *,
    raw: str | None = None,
    headers: Mapping[str, str] | None = None,
    expect: int | None = None,
    wait_s: float = 60.0,
) -> Exchange:
    """``POST`` ``body`` as JSON (or the text ``raw`` as it is) with ``Content-Type:
    application/json``; shown with the password hidden. With ``expect``, ask again (every 2 s, up
    to ``wait_s``) until the status is ``expect``, as :meth:`ApiClient.get` does."""
    data = raw if raw is not None else json.dumps(body)
    sent_headers = {"Content-Type": "application/json", **(headers or {})}
    response = client.request(
        "POST", path, headers=sent_headers, data=data.encode(), expect=expect, wait_s=wait_s
    )
    shown = json.dumps(redact(body), ensure_ascii=False) if raw is None else repr(raw)
    try:
        answer: Any = response.json()
    except ValueError:
        answer = response.text
    extra = ", ".join(f"{name}: {HIDDEN}" for name in headers or {})
    return Exchange(
        method="POST",
        path=path,
        sent=f"body {shown}" + (f", {extra}" if extra else ""),
        status=response.status_code,
        reason=response.reason or "",
        body=answer,
        error_type=response.headers.get("x-amzn-ErrorType"),
        response=response,
    )
