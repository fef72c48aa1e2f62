"""CORS for the tutorial stack: what a page on another origin needs to call ``/auth``, ``/hello``.

A browser asks first (a *preflight* ``OPTIONS`` without any token) whenever a cross-origin call
sends ``Content-Type: application/json`` or ``Authorization``; then it lets the page read an
answer only if that answer carries ``Access-Control-Allow-Origin``. With a REST API that takes
three pieces, each set here and undone by :func:`disable_cors`
(docs/aws-behavior.md#what-a-browser-asks-before-a-cross-origin-call):

- an ``OPTIONS`` method per resource, without authorizer, whose ``MOCK`` integration answers the
  preflight with ``Access-Control-Allow-Origin``/``-Methods``/``-Headers``;
- the header on the Lambdas' own answers (a proxy integration passes them through untouched):
  the functions read it from their ``ALLOWED_ORIGIN`` environment variable;
- the header on API Gateway's own errors (the authorizer's 401, a validator's 400, a 5xx): the
  gateway responses ``DEFAULT_4XX`` and ``DEFAULT_5XX``.
"""

from __future__ import annotations

from typing import Any

import requests

from helpers.apigateway import deploy, ensure_method, find_method, resources_by_path
from helpers.cloud import Cloud
from helpers.display import Table
from helpers.names import FUNCTIONS
from helpers.retry import (
    THROTTLE_BUDGET_S,
    UPDATE_BUDGET_S,
    answer_until,
    conflict_in_progress,
    throttled,
    unless_missing,
    wait_for,
    with_retry,
)

#: resource path -> the methods a page may call on it (the preflight answers these, and OPTIONS)
CORS_METHODS = {"/auth": "GET,POST,OPTIONS", "/hello": "GET,OPTIONS"}
#: the request headers the page sends; ``Authorization`` must be named: a ``*`` does not cover it
ALLOW_HEADERS = "Authorization,Content-Type"
#: API Gateway's own errors that carry ``Access-Control-Allow-Origin`` once CORS is on
CORS_GATEWAY_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")
#: the functions a page calls (outputs-file keys); each reads ``ALLOWED_ORIGIN``
CORS_FUNCTIONS = ("auth", "hello")
ORIGIN_VARIABLE = "ALLOWED_ORIGIN"
_HEADER = "method.response.header.Access-Control-Allow-{}"
_NOT_FOUND = "NotFoundException"


def _quoted(value: str) -> str:
    """A static mapping value: API Gateway wants literals in single quotes (``'*'``)."""
    return f"'{value}'"


def preflight_headers(origin: str, methods: str) -> dict[str, str]:
    """The integration response's header mapping for one ``OPTIONS`` method."""
    return {
        _HEADER.format("Origin"): _quoted(origin),
        _HEADER.format("Methods"): _quoted(methods),
        _HEADER.format("Headers"): _quoted(ALLOW_HEADERS),
    }


def ensure_preflight(apigw: Any, api_id: str, path: str, methods: str, origin: str = "*") -> dict:
    """``OPTIONS path`` with no authorizer and a ``MOCK`` integration answering ``200`` with the
    three ``Access-Control-Allow-*`` headers; left alone when it already answers exactly that.
    Returns the integration response."""
    resource = resources_by_path(apigw, api_id)[path]
    ids = dict(restApiId=api_id, resourceId=resource["id"], httpMethod="OPTIONS")
    wanted = preflight_headers(origin, methods)
    current = unless_missing(
        lambda: apigw.get_integration_response(**ids, statusCode="200"), _NOT_FOUND
    )
    if current and current.get("responseParameters") == wanted:
        return current
    ensure_method(apigw, api_id, resource["id"], "OPTIONS")
    # the method response must declare each header before the integration response maps it
    declared = dict.fromkeys(wanted, False)
    have = unless_missing(lambda: apigw.get_method_response(**ids, statusCode="200"), _NOT_FOUND)
    if have is None or have.get("responseParameters") != declared:
        if have is not None:
            apigw.delete_method_response(**ids, statusCode="200")
        apigw.put_method_response(**ids, statusCode="200", responseParameters=declared)
    apigw.put_integration(
        **ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}
    )
    return apigw.put_integration_response(
        **ids,
        statusCode="200",
        responseParameters=wanted,
        responseTemplates={"application/json": ""},
    )


def delete_preflight(apigw: Any, api_id: str, path: str) -> bool:
    """Delete ``OPTIONS path`` (its integration goes with it); False when it was not there."""
    resource = resources_by_path(apigw, api_id).get(path)
    if resource is None or find_method(apigw, api_id, resource["id"], "OPTIONS") is None:
        return False
    with_retry(
        lambda: apigw.delete_method(
            restApiId=api_id, resourceId=resource["id"], httpMethod="OPTIONS"
        ),
        retry_if=throttled,
        budget_s=THROTTLE_BUDGET_S,
        client=apigw,
        waiting_for=f"API Gateway to accept DeleteMethod OPTIONS {path}",
    )
    return True


def set_allowed_origin(lam: Any, function_name: str, origin: str | None) -> dict:
    """Set (or, with None, remove) the function's ``ALLOWED_ORIGIN`` variable, keeping its other
    variables (``lambda update-function-configuration``); unchanged when already so. Returns the
    function's configuration once Lambda has applied the change."""
    config = lam.get_function_configuration(FunctionName=function_name)
    variables = dict((config.get("Environment") or {}).get("Variables") or {})
    if variables.get(ORIGIN_VARIABLE) == origin:
        return config
    if origin is None:
        variables.pop(ORIGIN_VARIABLE)
    else:
        variables[ORIGIN_VARIABLE] = origin
    with_retry(
        lambda: lam.update_function_configuration(
            FunctionName=function_name, Environment={"Variables": variables}
        ),
        retry_if=conflict_in_progress,
        budget_s=UPDATE_BUDGET_S,
        client=lam,
        waiting_for=f"{function_name}'s previous update to finish",
    )
    wait_for(
        lam,
        "function_updated_v2",
        f"{function_name}'s new configuration",
        FunctionName=function_name,
    )
    return lam.get_function_configuration(FunctionName=function_name)


def ensure_cors_gateway_responses(apigw: Any, api_id: str, origin: str = "*") -> list[dict]:
    """``DEFAULT_4XX`` and ``DEFAULT_5XX`` with ``Access-Control-Allow-Origin``, so a page can read
    API Gateway's own refusals (401, 403, 400) and failures; status and body stay the default."""
    wanted = {"gatewayresponse.header.Access-Control-Allow-Origin": _quoted(origin)}
    done = []
    for kind in CORS_GATEWAY_RESPONSES:
        current = unless_missing(
            lambda kind=kind: apigw.get_gateway_response(restApiId=api_id, responseType=kind),
            _NOT_FOUND,
        )
        if current and (current.get("responseParameters") or {}) == wanted:
            done.append(current)
            continue
        done.append(
            apigw.put_gateway_response(
                restApiId=api_id, responseType=kind, responseParameters=wanted
            )
        )
    return done


def delete_cors_gateway_responses(apigw: Any, api_id: str) -> list[str]:
    """Reset ``DEFAULT_4XX`` and ``DEFAULT_5XX`` to AWS's defaults; returns the types that were
    customized."""
    customized = set(customized_gateway_responses(apigw, api_id))
    deleted = []
    for kind in CORS_GATEWAY_RESPONSES:
        if kind in customized and unless_missing(
            lambda kind=kind: apigw.delete_gateway_response(restApiId=api_id, responseType=kind),
            _NOT_FOUND,
        ):
            deleted.append(kind)
    return deleted


def customized_gateway_responses(apigw: Any, api_id: str) -> list[str]:
    """The response types the API customized (``get-gateway-responses``, defaults left out)."""
    items = apigw.get_gateway_responses(restApiId=api_id).get("items", [])
    return sorted(item["responseType"] for item in items if not item.get("defaultResponse"))


def _stack(cloud: Cloud) -> tuple[str, str, dict[str, str]]:
    from helpers.stack import load_stack

    stack = load_stack(cloud, "api_id", "stage", "functions")
    return stack["api_id"], stack["stage"], stack["functions"]


def enable_cors(cloud: Cloud, origin: str = "*") -> None:
    """Everything notebook 09 does for CORS on the tutorial stack (OPTIONS on /auth and /hello,
    Lambda ALLOWED_ORIGIN, DEFAULT_4XX/5XX gateway responses), then a deployment. Re-runnable."""
    api_id, stage, functions = _stack(cloud)
    apigw, lam = cloud.client("apigateway"), cloud.client("lambda")
    for path, methods in CORS_METHODS.items():
        ensure_preflight(apigw, api_id, path, methods, origin)
    for key in CORS_FUNCTIONS:
        set_allowed_origin(lam, functions.get(key, FUNCTIONS[key]), origin)
    ensure_cors_gateway_responses(apigw, api_id, origin)
    deploy(apigw, api_id, stage, f"CORS for {origin}")


def disable_cors(cloud: Cloud) -> None:
    """Undo enable_cors (delete the OPTIONS methods, the gateway responses, the env var), then a
    deployment. Re-runnable; used by teardown too where it fits."""
    api_id, stage, functions = _stack(cloud)
    apigw, lam = cloud.client("apigateway"), cloud.client("lambda")
    for path in CORS_METHODS:
        delete_preflight(apigw, api_id, path)
    for key in CORS_FUNCTIONS:
        set_allowed_origin(lam, functions.get(key, FUNCTIONS[key]), None)
    delete_cors_gateway_responses(apigw, api_id)
    deploy(apigw, api_id, stage, "CORS off")


def preflight(
    base_url: str,
    path: str,
    origin: str,
    method: str,
    request_headers: str = "",
    *,
    expect: int | None = None,
    wait_s: float = 60.0,
) -> requests.Response:
    """What a browser sends before a cross-origin call: ``OPTIONS`` with ``Origin``,
    ``Access-Control-Request-Method`` and (when the call sends any) ``-Request-Headers``. With
    ``expect``, ask again (every 2 s, up to ``wait_s``) until the status is ``expect``: on AWS a
    new deployment takes seconds to be live everywhere; on the local cloud the first answer is
    final."""
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers:
        headers["Access-Control-Request-Headers"] = request_headers
    url = base_url.rstrip("/") + path
    return answer_until(
        lambda: requests.options(url, headers=headers, timeout=35),
        expect,
        wait_s,
        what=f"the preflight of {path}",
    )


def cors_headers_table(responses: dict[str, requests.Response]) -> Table:
    """One row per answer (labelled): its status and its ``Access-Control-*`` headers."""
    names = ("Origin", "Methods", "Headers")
    return Table(
        ["request", "status", *(f"Allow-{n}" for n in names)],
        [
            (
                label,
                response.status_code,
                *(response.headers.get(f"Access-Control-Allow-{n}", "—") for n in names),
            )
            for label, response in responses.items()
        ],
    )
