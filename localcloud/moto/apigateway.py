"""API Gateway in moto: REST APIs as a deployment freezes them, the updates moto cannot make
itself, stages, deployments, API keys and usage plans."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from moto.apigateway.models import apigateway_backends
from moto.apigateway.utils import ApigwIdentifier

#: public field names whose moto attribute is not simply their snake_case form
_ATTRIBUTE_EXCEPTIONS = {"passthroughBehavior": "passthrough_behaviour"}


#: the length of each kind of ID as AWS makes it (lower-case letters and digits); moto makes all
#: of them 10 long (docs/aws-behavior.md#aws-shaped-ids)
ID_LENGTHS = {
    "rest_api": 10,
    "root_resource": 10,
    "resource": 6,
    "authorizer": 6,
    "deployment": 6,
    "request_validator": 6,
    "model": 6,
    "usage_plan": 6,
    "api_key": 10,
}


def install_ids(make_id: Callable[[int], str]) -> None:
    """Make moto's API Gateway IDs AWS-shaped: ``make_id(length)`` (lower-case letters and
    digits) at each kind's length in :data:`ID_LENGTHS`. Idempotent."""

    def generate(self: Any, existing_ids: Any = None, tags: Any = None) -> str:
        kind = self.resource
        if kind == "resource" and self.name.startswith("."):  # no parent: the root
            kind = "root_resource"
        length = ID_LENGTHS.get(kind, 10)
        made = make_id(length)
        while existing_ids and made in existing_ids:
            made = make_id(length)
        return made

    ApigwIdentifier.generate = generate  # type: ignore[method-assign]


def _attribute(field_name: str) -> str:
    """moto's attribute for a public field (``apiKeyRequired`` → ``api_key_required``)."""
    return (
        _ATTRIBUTE_EXCEPTIONS.get(field_name)
        or re.sub(r"(?<!^)([A-Z])", r"_\1", field_name).lower()
    )


def _api(account: str, region: str, api_id: str) -> Any:
    return apigateway_backends[account][region].apis.get(api_id)


def find_rest_api(api_id: str) -> tuple[str, str] | None:
    """(account, region) of a REST API id, searched over every account and region in use."""
    for account, regions in list(apigateway_backends.items()):
        for region, backend in list(regions.items()):
            if api_id in backend.apis:
                return account, region
    return None


def rest_api_snapshot(account: str, region: str, api_id: str) -> dict[str, Any] | None:
    """The REST API's configuration in the public API's shapes, as a deployment freezes it;
    None when there is no such API."""
    api = _api(account, region, api_id)
    if api is None:
        return None
    return {
        "restApi": api.to_dict(),
        "resources": [r.to_dict() for r in api.resources.values()],
        "authorizers": [a.to_json() for a in api.authorizers.values()],
        "requestValidators": [v.to_dict() for v in api.request_validators.values()],
        "models": [m.to_json() for m in api.models.values()],
        "gatewayResponses": [g.to_json() for g in api.gateway_responses.values()],
    }


def _authorizer(account: str, region: str, api_id: str, authorizer_id: str) -> Any:
    api = _api(account, region, api_id)
    return api.authorizers.get(authorizer_id) if api else None


def set_authorizer_validation_expression(
    account: str, region: str, api_id: str, authorizer_id: str, expression: str
) -> bool:
    """Store an authorizer's ``identityValidationExpression``: moto 5 drops the one given to
    CreateAuthorizer (it passes the value under a misspelt keyword). False: no such authorizer."""
    authorizer = _authorizer(account, region, api_id, authorizer_id)
    if authorizer is None:
        return False
    authorizer.identity_validation_expression = expression
    return True


def change_authorizer_providers(
    account: str, region: str, api_id: str, authorizer_id: str, add: list[str], remove: list[str]
) -> bool:
    """Add and remove an authorizer's ``providerARNs`` (moto raises on these patch operations);
    False when there is no such authorizer."""
    authorizer = _authorizer(account, region, api_id, authorizer_id)
    if authorizer is None:
        return False
    kept = [arn for arn in (authorizer.provider_arns or []) if arn not in remove]
    authorizer.provider_arns = kept + [arn for arn in add if arn not in kept]
    return True


def _method(account: str, region: str, api_id: str, resource_id: str, http_method: str) -> Any:
    api = _api(account, region, api_id)
    resource = api.resources.get(resource_id) if api else None
    return (resource.resource_methods or {}).get(http_method) if resource else None


def get_method(
    account: str, region: str, api_id: str, resource_id: str, http_method: str
) -> dict[str, Any] | None:
    """GetMethod's shape, or None when there is no such method."""
    method = _method(account, region, api_id, resource_id, http_method)
    return method.to_json() if method else None


def update_method(
    account: str,
    region: str,
    api_id: str,
    resource_id: str,
    http_method: str,
    doc: dict[str, Any],
    fields: Iterable[str],
    *,
    integration: bool = False,
) -> dict[str, Any] | None:
    """Write the updatable ``fields`` of a method, or of its integration, from ``doc``
    (UpdateMethod and UpdateIntegration, which moto lacks); GetMethod's or GetIntegration's shape
    afterwards, or None when there is no such method or integration."""
    method = _method(account, region, api_id, resource_id, http_method)
    target = method.method_integration if (method and integration) else method
    if target is None:
        return None
    for field_name in fields:
        setattr(target, _attribute(field_name), doc.get(field_name))
    return target.to_json()


def get_model(account: str, region: str, api_id: str, name: str) -> dict[str, Any] | None:
    """GetModel's shape of a model, or None when the API or the model does not exist."""
    api = _api(account, region, api_id)
    model = api.models.get(name) if api is not None else None
    return model.to_json() if model is not None else None


def update_model(
    account: str, region: str, api_id: str, name: str, doc: dict[str, Any]
) -> dict[str, Any]:
    """Write a model's ``schema`` and ``description`` from ``doc`` (UpdateModel, which moto
    lacks); GetModel's shape afterwards. The model must exist (:func:`get_model`)."""
    model = _api(account, region, api_id).models[name]
    model.schema, model.description = doc.get("schema"), doc.get("description")
    return model.to_json()


def stage_deployment(account: str, region: str, api_id: str, stage: str) -> tuple[str, dict] | None:
    """(deployment id, stage variables) of a stage, or None."""
    api = _api(account, region, api_id)
    if api is None or stage not in api.stages:
        return None
    found = api.stages[stage]
    return found.deployment_id, dict(found.variables or {})


def keep_stage_on_redeploy(
    account: str, region: str, api_id: str, stage: str | None
) -> Callable[[dict[str, str] | None], None]:
    """Before CreateDeployment to ``stage``: what to call after it so the stage keeps its settings.

    moto replaces an existing stage with a new one (losing its logging, access logs, variables
    and description); AWS only points it at the new deployment and merges the given variables
    (docs/aws-behavior.md#stages-serve-deployments). The returned function puts the old stage
    back with the new deployment id; it does nothing when the stage is new.
    """
    api = _api(account, region, api_id)
    before = api.stages.get(stage) if api is not None and stage else None

    def restore(variables: dict[str, str] | None) -> None:
        after = api.stages.get(stage) if before is not None else None
        if after is None or after is before:
            return
        before.deployment_id = after.deployment_id
        before.variables = {**(before.variables or {}), **(variables or {})}
        api.stages[stage] = before

    return restore


def stage_settings(account: str, region: str, api_id: str, stage: str) -> dict[str, Any]:
    """A stage's logging settings: ``loggingLevel`` and ``dataTraceEnabled`` of its ``*/*``
    method settings, and its ``accessLogSettings`` ({} when there is no such stage)."""
    api = _api(account, region, api_id)
    found = api.stages.get(stage) if api else None
    if found is None:
        return {}
    everywhere = (found.method_settings or {}).get("*/*") or {}
    return {
        "loggingLevel": everywhere.get("loggingLevel") or "OFF",
        "dataTraceEnabled": bool(everywhere.get("dataTraceEnabled")),
        "accessLogSettings": dict(found.access_log_settings or {}) or None,
    }


def cloudwatch_role_arn(account: str, region: str) -> str | None:
    """The account's ``cloudwatchRoleArn`` (GetAccount), None when unset."""
    return apigateway_backends[account][region].account.cloudwatch_role_arn


def delete_deployment(account: str, region: str, api_id: str, deployment_id: str) -> str:
    """Delete a deployment no stage serves: ``"deleted"``, ``"in use"`` or ``"not found"``.

    moto refuses a deployment whose *original* stage still exists, even after that stage has
    moved on to a newer deployment; AWS refuses only while a stage points at it.
    """
    api = _api(account, region, api_id)
    if api is None or deployment_id not in api.deployments:
        return "not found"
    if any(stage.deployment_id == deployment_id for stage in api.stages.values()):
        return "in use"
    api.deployments.pop(deployment_id)
    return "deleted"


def api_keys_and_usage_plans(account: str, region: str) -> tuple[list[dict], list[dict]]:
    """(API keys with their values, usage plans with their key ids) of one account and region."""
    backend = apigateway_backends[account][region]
    keys = [k.to_json() for k in backend.keys.values()]
    plans = []
    for plan in backend.usage_plans.values():
        doc = plan.to_json()
        doc["keyIds"] = sorted(backend.usage_plan_keys.get(plan.id, {}).keys())
        plans.append(doc)
    return keys, plans
