"""API Gateway (REST): the API, its resources and methods, the guards, and deployments.

Every ``ensure_*`` finds its resource by name or path, creates it if missing and changes only
what differs, so running a notebook again changes nothing that is already right.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from helpers.errors import KitError
from helpers.retry import (
    DELETE_API_BUDGET_S,
    THROTTLE_BUDGET_S,
    throttled,
    unless_missing,
    with_retry,
)

_NOT_FOUND = "NotFoundException"


def find_rest_api(apigw: Any, name: str) -> dict | None:
    found = [
        api
        for page in apigw.get_paginator("get_rest_apis").paginate()
        for api in page.get("items", [])
        if api["name"] == name
    ]
    if len(found) > 1:
        ids = ", ".join(api["id"] for api in found)
        raise KitError(f"{len(found)} REST APIs are named {name!r} ({ids}); delete all but one.")
    return found[0] if found else None


def ensure_rest_api(apigw: Any, name: str, description: str = "") -> dict:
    """The REST API ``name`` (a regional endpoint), created if missing."""
    api = find_rest_api(apigw, name)
    if api is None:
        api = with_retry(
            lambda: apigw.create_rest_api(
                name=name, description=description, endpointConfiguration={"types": ["REGIONAL"]}
            ),
            **_throttle_wait(apigw, f"API Gateway to accept CreateRestApi {name}"),
        )
    return api


def _throttle_wait(apigw: Any, waiting_for: str) -> dict[str, Any]:
    """``with_retry``'s options for a call API Gateway throttles (per-account quotas)."""
    return {
        "retry_if": throttled,
        "budget_s": THROTTLE_BUDGET_S,
        "client": apigw,
        "waiting_for": waiting_for,
        "advice": "API Gateway throttles this call per account; wait a minute and run it again",
    }


def rest_api_exists(apigw: Any, api_id: str) -> bool:
    return unless_missing(lambda: apigw.get_rest_api(restApiId=api_id), _NOT_FOUND) is not None


def resources_by_path(apigw: Any, api_id: str) -> dict[str, dict]:
    return {
        item["path"]: item
        for page in apigw.get_paginator("get_resources").paginate(restApiId=api_id)
        for item in page.get("items", [])
    }


def ensure_resource(apigw: Any, api_id: str, path: str) -> dict:
    """The resource at ``path`` (``/hello``), with any missing parents, created if missing."""
    known = resources_by_path(apigw, api_id)
    parent = known["/"]
    current = ""
    for part in [p for p in path.split("/") if p]:
        current += "/" + part
        if current not in known:
            known[current] = with_retry(
                lambda part=part, parent=parent: apigw.create_resource(
                    restApiId=api_id, parentId=parent["id"], pathPart=part
                ),
                **_throttle_wait(apigw, f"API Gateway to accept CreateResource {current}"),
            )
        parent = known[current]
    return parent


def find_method(apigw: Any, api_id: str, resource_id: str, http_method: str) -> dict | None:
    ids = dict(restApiId=api_id, resourceId=resource_id, httpMethod=http_method)
    return unless_missing(lambda: apigw.get_method(**ids), _NOT_FOUND)


def ensure_method(
    apigw: Any,
    api_id: str,
    resource_id: str,
    http_method: str,
    *,
    authorization_type: str = "NONE",
    authorizer_id: str | None = None,
    api_key_required: bool = False,
    request_validator_id: str | None = None,
    required_query_strings: tuple[str, ...] = (),
    request_models: dict[str, str] | None = None,
) -> dict:
    """The method with these guards: created if missing, else patched where it differs. It adds a
    validator and required parameters but never takes them away (no notebook needs that).

    ``authorization_type`` is ``NONE`` or ``COGNITO_USER_POOLS`` (with ``authorizer_id``);
    ``required_query_strings`` become required ``method.request.querystring.*`` parameters,
    which a request validator then enforces; ``request_models`` (content type -> model name)
    the models a body validator checks the body against.
    """
    if authorization_type == "COGNITO_USER_POOLS" and not authorizer_id:
        raise ValueError("a COGNITO_USER_POOLS method needs authorizer_id")
    wanted_params = {f"method.request.querystring.{name}": True for name in required_query_strings}
    method = find_method(apigw, api_id, resource_id, http_method)
    if method is None:
        options: dict[str, Any] = {}
        if authorizer_id and authorization_type != "NONE":
            options["authorizerId"] = authorizer_id
        if request_validator_id:
            options["requestValidatorId"] = request_validator_id
        if wanted_params:
            options["requestParameters"] = wanted_params
        if request_models:
            options["requestModels"] = dict(request_models)
        return apigw.put_method(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=http_method,
            authorizationType=authorization_type,
            apiKeyRequired=api_key_required,
            **options,
        )
    ops: list[dict[str, str]] = []
    if method.get("authorizationType") != authorization_type or (
        authorization_type != "NONE" and method.get("authorizerId") != authorizer_id
    ):
        ops.append({"op": "replace", "path": "/authorizationType", "value": authorization_type})
        if authorization_type != "NONE":
            ops.append({"op": "replace", "path": "/authorizerId", "value": authorizer_id or ""})
    if bool(method.get("apiKeyRequired")) != api_key_required:
        ops.append({"op": "replace", "path": "/apiKeyRequired", "value": str(api_key_required)})
    if request_validator_id and method.get("requestValidatorId") != request_validator_id:
        ops.append({"op": "replace", "path": "/requestValidatorId", "value": request_validator_id})
    have_params = method.get("requestParameters") or {}
    for key, required in wanted_params.items():
        if have_params.get(key) != required:
            ops.append({"op": "add", "path": f"/requestParameters/{key}", "value": "true"})
    have_models = method.get("requestModels") or {}
    for content_type, model in (request_models or {}).items():
        if have_models.get(content_type) != model:
            key = content_type.replace("~", "~0").replace("/", "~1")
            ops.append({"op": "add", "path": f"/requestModels/{key}", "value": model})
    if not ops:
        return method
    return apigw.update_method(
        restApiId=api_id, resourceId=resource_id, httpMethod=http_method, patchOperations=ops
    )


def lambda_integration_uri(region: str, function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


def find_integration(apigw: Any, api_id: str, resource_id: str, http_method: str) -> dict | None:
    ids = dict(restApiId=api_id, resourceId=resource_id, httpMethod=http_method)
    found = unless_missing(lambda: apigw.get_integration(**ids), _NOT_FOUND)
    return found if found and found.get("type") else None


def ensure_lambda_proxy_integration(
    apigw: Any, api_id: str, resource_id: str, http_method: str, region: str, function_arn: str
) -> dict:
    """A Lambda proxy integration (``AWS_PROXY``; API Gateway always calls Lambda with POST)."""
    uri = lambda_integration_uri(region, function_arn)
    current = find_integration(apigw, api_id, resource_id, http_method)
    if current and current.get("type") == "AWS_PROXY" and current.get("uri") == uri:
        return current
    return apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=http_method,
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=uri,
    )


def ensure_mock_placeholder(
    apigw: Any, api_id: str, resource_id: str, http_method: str, status: int, message: str
) -> dict:
    """A ``MOCK`` integration answering ``status`` with ``{"message": ...}``, unless the method
    already has another integration (a Lambda wired by a later notebook), which is left alone."""
    current = find_integration(apigw, api_id, resource_id, http_method)
    if current and current.get("type") != "MOCK":
        return current
    code = str(status)
    body = json.dumps({"message": message})
    request = {"application/json": json.dumps({"statusCode": status})}
    if current and current.get("requestTemplates") == request:
        response = (current.get("integrationResponses") or {}).get(code) or {}
        if (response.get("responseTemplates") or {}).get("application/json") == body:
            return current
    ids = dict(restApiId=api_id, resourceId=resource_id, httpMethod=http_method)
    if (
        unless_missing(lambda: apigw.get_method_response(**ids, statusCode=code), _NOT_FOUND)
        is None
    ):
        apigw.put_method_response(**ids, statusCode=code)
    apigw.put_integration(**ids, type="MOCK", requestTemplates=request)
    apigw.put_integration_response(
        **ids, statusCode=code, selectionPattern="", responseTemplates={"application/json": body}
    )
    return apigw.get_integration(**ids)


def ensure_cognito_authorizer(
    apigw: Any, api_id: str, name: str, user_pool_arn: str, header: str = "Authorization"
) -> dict:
    """A Cognito user pool authorizer reading the token from ``header``; created if missing,
    pointed at ``user_pool_arn`` and ``header`` if it differs."""
    source = f"method.request.header.{header}"
    for item in apigw.get_authorizers(restApiId=api_id).get("items", []):
        if item["name"] != name:
            continue
        ops = []
        if item.get("providerARNs") != [user_pool_arn]:
            stale = [arn for arn in item.get("providerARNs") or [] if arn != user_pool_arn]
            ops.append({"op": "add", "path": "/providerARNs", "value": user_pool_arn})
            ops += [{"op": "remove", "path": "/providerARNs", "value": arn} for arn in stale]
        if item.get("identitySource") != source:
            ops.append({"op": "replace", "path": "/identitySource", "value": source})
        if not ops:
            return item
        return apigw.update_authorizer(
            restApiId=api_id, authorizerId=item["id"], patchOperations=ops
        )
    return apigw.create_authorizer(
        restApiId=api_id,
        name=name,
        type="COGNITO_USER_POOLS",
        providerARNs=[user_pool_arn],
        identitySource=source,
    )


def ensure_request_validator(
    apigw: Any, api_id: str, name: str, *, parameters: bool = True, body: bool = False
) -> dict:
    """A request validator that checks the parameters (query strings, headers) and/or the body
    against the method's model; by default parameters, not the body."""
    wanted = {"validateRequestParameters": parameters, "validateRequestBody": body}
    for item in apigw.get_request_validators(restApiId=api_id).get("items", []):
        if item["name"] == name:
            if all(bool(item.get(key)) == value for key, value in wanted.items()):
                return item
            return apigw.update_request_validator(
                restApiId=api_id,
                requestValidatorId=item["id"],
                patchOperations=[
                    {"op": "replace", "path": f"/{key}", "value": str(value).lower()}
                    for key, value in wanted.items()
                ],
            )
    return apigw.create_request_validator(restApiId=api_id, name=name, **wanted)


def deploy(apigw: Any, api_id: str, stage: str, description: str = "") -> str:
    """Deploy the API's current state to ``stage`` (created if missing); the deployment id.

    Deployments no stage uses any more are deleted, so re-running leaves one per stage.
    """
    deployment = with_retry(
        lambda: apigw.create_deployment(restApiId=api_id, stageName=stage, description=description),
        **_throttle_wait(apigw, f"API Gateway to accept CreateDeployment to {stage}"),
    )
    in_use = {s["deploymentId"] for s in apigw.get_stages(restApiId=api_id).get("item", [])}
    for page in apigw.get_paginator("get_deployments").paginate(restApiId=api_id):
        for old in page.get("items", []):
            if old["id"] not in in_use and old["id"] != deployment["id"]:
                with_retry(
                    lambda old=old: apigw.delete_deployment(
                        restApiId=api_id, deploymentId=old["id"]
                    ),
                    **_throttle_wait(apigw, f"API Gateway to accept DeleteDeployment {old['id']}"),
                )
    return deployment["id"]


def execute_api_arn(region: str, account: str, api_id: str, http_method: str, path: str) -> str:
    """The ``SourceArn`` of requests to one method of the API on any stage."""
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/*/{http_method}{path}"


def find_api_key(apigw: Any, name: str) -> dict | None:
    for page in apigw.get_paginator("get_api_keys").paginate(nameQuery=name, includeValues=True):
        for key in page.get("items", []):
            if key["name"] == name:
                return key
    return None


def ensure_api_key(apigw: Any, name: str) -> dict:
    """An enabled API key ``name`` (with its value), created if missing."""
    key = find_api_key(apigw, name)
    if key is None:
        key = apigw.create_api_key(name=name, enabled=True)
    elif not key.get("enabled"):
        apigw.update_api_key(
            apiKey=key["id"],
            patchOperations=[{"op": "replace", "path": "/enabled", "value": "true"}],
        )
        key = apigw.get_api_key(apiKey=key["id"], includeValue=True)
    return key


def find_usage_plan(apigw: Any, name: str) -> dict | None:
    for page in apigw.get_paginator("get_usage_plans").paginate():
        for plan in page.get("items", []):
            if plan["name"] == name:
                return plan
    return None


def ensure_usage_plan(apigw: Any, name: str, api_id: str, stage: str, key_id: str) -> dict:
    """A usage plan ``name`` covering ``api_id``'s ``stage``, with the API key in it."""
    plan = find_usage_plan(apigw, name)
    api_stage = {"apiId": api_id, "stage": stage}
    if plan is None:
        plan = apigw.create_usage_plan(name=name, apiStages=[api_stage])
    elif not any(
        s.get("apiId") == api_id and s.get("stage") == stage for s in plan.get("apiStages", [])
    ):
        plan = apigw.update_usage_plan(
            usagePlanId=plan["id"],
            patchOperations=[{"op": "add", "path": "/apiStages", "value": f"{api_id}:{stage}"}],
        )
    keys = apigw.get_usage_plan_keys(usagePlanId=plan["id"]).get("items", [])
    if not any(k["id"] == key_id for k in keys):
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key_id, keyType="API_KEY")
    return plan


def delete_usage_plan(apigw: Any, name: str) -> bool:
    """Remove the plan's keys and stages, then the plan; False when absent."""
    plan = find_usage_plan(apigw, name)
    if plan is None:
        return False
    for key in apigw.get_usage_plan_keys(usagePlanId=plan["id"]).get("items", []):
        apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    ops = [
        {"op": "remove", "path": "/apiStages", "value": f"{s['apiId']}:{s['stage']}"}
        for s in plan.get("apiStages", [])
    ]
    if ops:
        apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=ops)
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    return True


def delete_api_key(apigw: Any, name: str) -> bool:
    key = find_api_key(apigw, name)
    if key is None:
        return False
    apigw.delete_api_key(apiKey=key["id"])
    return True


def delete_rest_api(apigw: Any, name: str) -> bool:
    """Delete the API (its resources, methods, authorizers, stages go with it)."""
    api = find_rest_api(apigw, name)
    if api is None:
        return False
    with_retry(
        lambda: apigw.delete_rest_api(restApiId=api["id"]),
        first_delay=10.0,
        attempts=6,
        **{
            **_throttle_wait(apigw, f"API Gateway to accept DeleteRestApi {name}"),
            "budget_s": DELETE_API_BUDGET_S,
        },
    )
    return True


def probe_without_invoke_permission(
    apigw: Any,
    api_id: str,
    region: str,
    function_arn: str,
    base_url: str,
    prepare_stage: Callable[[str], None] | None = None,
) -> Any:
    """A throwaway ``GET /probe`` wired to ``function_arn`` on a throwaway stage ``probe``: the
    function's permission names only its own route, so API Gateway may not invoke it from here
    and answers 500. Everything made here is deleted before returning; the answer is returned.
    ``prepare_stage("probe")``, if given, runs before the request (09 turns its logs on).
    """
    from helpers.display import ApiClient

    known = resources_by_path(apigw, api_id)
    resource = known.get("/probe") or apigw.create_resource(
        restApiId=api_id, parentId=known["/"]["id"], pathPart="probe"
    )
    deployment_id = None
    try:
        ensure_method(apigw, api_id, resource["id"], "GET")
        ensure_lambda_proxy_integration(apigw, api_id, resource["id"], "GET", region, function_arn)
        deployment_id = with_retry(
            lambda: apigw.create_deployment(restApiId=api_id, stageName="probe"),
            **_throttle_wait(apigw, "API Gateway to accept CreateDeployment to probe"),
        )["id"]
        if prepare_stage is not None:
            prepare_stage("probe")
        return ApiClient(base_url).get("/probe", expect=500)
    finally:
        cleanups = [lambda: apigw.delete_resource(restApiId=api_id, resourceId=resource["id"])]
        if deployment_id is not None:
            cleanups[:0] = [
                lambda: apigw.delete_stage(restApiId=api_id, stageName="probe"),
                lambda: apigw.delete_deployment(restApiId=api_id, deploymentId=deployment_id),
            ]
        for cleanup in cleanups:
            with_retry(
                cleanup, **_throttle_wait(apigw, "API Gateway to accept the probe's cleanup")
            )
