"""Teardown: delete everything the series created, in dependency order, found by name.

Safe to run twice and after a partial run: what is already gone stays gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpers import names
from helpers.apigateway import (
    delete_api_key,
    delete_rest_api,
    delete_usage_plan,
    find_api_key,
    find_rest_api,
    find_usage_plan,
)
from helpers.cloud import Cloud
from helpers.cognito import find_user_pool
from helpers.cors import CORS_METHODS, customized_gateway_responses, delete_cors_gateway_responses
from helpers.cors import delete_preflight as _delete_preflight
from helpers.display import Table
from helpers.functions import delete_function, delete_log_group, find_function
from helpers.gateway_logs import (
    execution_log_group,
    kit_cloudwatch_role_in_use,
    release_cloudwatch_role,
)
from helpers.iam import delete_policy, delete_role, find_policy, find_role
from helpers.postman import remove_postman
from helpers.retry import unless_missing
from helpers.tokens import delete_app_client, delete_domain, find_domain


@dataclass
class Step:
    kind: str
    name: str
    delete: Callable[[], bool]
    exists: Callable[[], bool]


def _delete_user_pool(idp: Any, name: str) -> bool:
    pool = find_user_pool(idp, name)
    if pool is None:
        return False
    if pool.get("Domain"):
        idp.delete_user_pool_domain(UserPoolId=pool["Id"], Domain=pool["Domain"])
    idp.delete_user_pool(UserPoolId=pool["Id"])
    return True


def _in_pool(idp: Any, name: str, act: Callable[[str], bool]) -> bool:
    """``act(pool id)`` on the series' pool; False when there is no pool."""
    pool = find_user_pool(idp, name)
    return act(pool["Id"]) if pool else False


def _has_client(idp: Any, pool_id: str, name: str) -> bool:
    return any(
        c["ClientName"] == name
        for page in idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pool_id, MaxResults=60
        )
        for c in page["UserPoolClients"]
    )


def _has_resource_server(idp: Any, pool_id: str, identifier: str) -> bool:
    servers = idp.list_resource_servers(UserPoolId=pool_id, MaxResults=50)["ResourceServers"]
    return any(s["Identifier"] == identifier for s in servers)


def _log_group_exists(logs: Any, name: str) -> bool:
    groups = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
    return any(group["logGroupName"] == name for group in groups)


def _api_id(cloud: Cloud, apigw: Any) -> str | None:
    """The series' API id: the API's own, else the outputs file's (a teardown that stopped after
    deleting the API still finds its execution log groups)."""
    api = find_rest_api(apigw, names.REST_API)
    return api["id"] if api else cloud.outputs.load().get("api_id")


def _in_api(apigw: Any, act: Callable[[str], bool]) -> bool:
    """``act(api id)`` on the series' API; False when there is no API."""
    api = find_rest_api(apigw, names.REST_API)
    return act(api["id"]) if api else False


def _has_preflight(apigw: Any, api_id: str, path: str) -> bool:
    from helpers.apigateway import find_method, resources_by_path

    resource = resources_by_path(apigw, api_id).get(path)
    return bool(resource and find_method(apigw, api_id, resource["id"], "OPTIONS"))


def _delete_model(apigw: Any, api_id: str, name: str) -> bool:
    deleted = unless_missing(
        lambda: apigw.delete_model(restApiId=api_id, modelName=name), "NotFoundException"
    )
    return deleted is not None


def _has_model(apigw: Any, api_id: str, name: str) -> bool:
    found = unless_missing(
        lambda: apigw.get_model(restApiId=api_id, modelName=name), "NotFoundException"
    )
    return found is not None


def _api_gateway_extras(cloud: Cloud, apigw: Any) -> list[Step]:
    """What 09_browser_and_logs added to the API (it would go with the API, but is named so the
    table shows it): the OPTIONS methods, the gateway responses; the model goes after POST /auth
    (a model a method uses cannot be deleted), so with the API."""
    steps = [
        Step("OPTIONS method", path,
             lambda p=path: _in_api(apigw, lambda a: _delete_preflight(apigw, a, p)),
             lambda p=path: _in_api(apigw, lambda a: _has_preflight(apigw, a, p)))
        for path in CORS_METHODS
    ]  # fmt: skip
    steps.append(Step(
        "gateway responses", "DEFAULT_4XX, DEFAULT_5XX",
        lambda: _in_api(apigw, lambda a: bool(delete_cors_gateway_responses(apigw, a))),
        lambda: _in_api(apigw, lambda a: bool(customized_gateway_responses(apigw, a))),
    ))  # fmt: skip
    return steps


def _log_steps(cloud: Cloud, logs: Any, api_id: str | None) -> list[Step]:
    """The API's execution log groups (its stage and 09's probe stage) and the access log group."""
    groups = [names.ACCESS_LOG_GROUP]
    if api_id:
        groups += [execution_log_group(api_id, stage) for stage in ("dev", "probe")]
    return [
        Step("log group", group, lambda g=group: delete_log_group(logs, g),
             lambda g=group: _log_group_exists(logs, g))
        for group in groups
    ]  # fmt: skip


def teardown_steps(cloud: Cloud) -> list[Step]:
    """What teardown deletes, in dependency order: API Gateway first (it points at the pool and
    the functions), then the functions and their logs, then IAM, then Cognito."""
    apigw, lam, logs = cloud.client("apigateway"), cloud.client("lambda"), cloud.client("logs")
    iam, idp = cloud.client("iam"), cloud.client("cognito-idp")
    plan, key, api = names.USAGE_PLAN, names.API_KEY, names.REST_API
    api_id = _api_id(cloud, apigw)
    steps = _api_gateway_extras(cloud, apigw) + [
        Step("model", names.SIGN_IN_MODEL, lambda: False,
             lambda: _in_api(apigw, lambda a: _has_model(apigw, a, names.SIGN_IN_MODEL))),
    ]  # fmt: skip
    steps += [
        Step("usage plan", plan, lambda: delete_usage_plan(apigw, plan),
             lambda: find_usage_plan(apigw, plan) is not None),
        Step("API key", key, lambda: delete_api_key(apigw, key),
             lambda: find_api_key(apigw, key) is not None),
        Step("REST API", api, lambda: delete_rest_api(apigw, api),
             lambda: find_rest_api(apigw, api) is not None),
    ]  # fmt: skip
    steps += _log_steps(cloud, logs, api_id)
    for fn in names.FUNCTIONS.values():
        group = f"/aws/lambda/{fn}"
        steps += [
            Step("Lambda function", fn, lambda fn=fn: delete_function(lam, fn),
                 lambda fn=fn: find_function(lam, fn) is not None),
            Step("log group", group, lambda g=group: delete_log_group(logs, g),
                 lambda g=group: _log_group_exists(logs, g)),
        ]  # fmt: skip
    # roles first (delete_role detaches their policies), then the policies (delete_policy deletes
    # their non-default versions first, as IAM requires)
    steps.append(Step(
        "API Gateway account setting", "cloudwatchRoleArn",
        lambda: release_cloudwatch_role(cloud), lambda: kit_cloudwatch_role_in_use(cloud),
    ))  # fmt: skip
    for role in [*names.ROLES.values(), names.APIGATEWAY_LOGS_ROLE]:
        steps.append(Step("IAM role", role, lambda r=role: delete_role(iam, r),
                          lambda r=role: find_role(iam, r) is not None))  # fmt: skip
    for policy in names.POLICIES.values():
        steps.append(Step("IAM policy", policy, lambda p=policy: delete_policy(iam, p),
                          lambda p=policy: find_policy(iam, p) is not None))  # fmt: skip
    pool, server = names.USER_POOL, names.RESOURCE_SERVER
    # what 08_tokens added to the pool; it would go with the pool, but is named so the table
    # shows it (and the domain goes first: a pool with a domain cannot be deleted)
    for client in (names.MACHINE_CLIENT, names.SHORT_LIVED_CLIENT):
        steps.append(Step(
            "app client", client,
            lambda c=client: _in_pool(idp, pool, lambda p: delete_app_client(idp, p, c)),
            lambda c=client: _in_pool(idp, pool, lambda p: _has_client(idp, p, c)),
        ))  # fmt: skip
    domain = names.domain_prefix(cloud.account)
    steps.append(Step(
        "user pool domain", domain,
        lambda: _in_pool(idp, pool, lambda p: delete_domain(idp, p)),
        lambda: _in_pool(idp, pool, lambda p: find_domain(idp, p) is not None),
    ))  # fmt: skip
    steps += [
        Step("user pool", pool, lambda: _delete_user_pool(idp, pool),
             lambda: find_user_pool(idp, pool) is not None),
        # the resource server goes with the pool (and the local cloud does not serve
        # DeleteResourceServer); listed so the table shows it gone
        Step("resource server", server, lambda: False,
             lambda: _in_pool(idp, pool, lambda p: _has_resource_server(idp, p, server))),
    ]  # fmt: skip
    return steps


def teardown(cloud: Cloud) -> Table:
    """Delete it all, then look again: a table of each resource and whether it is gone.
    The outputs file and the Postman files go too (both hold the password)."""
    steps = teardown_steps(cloud)
    for step in steps:
        step.delete()
    cloud.outputs.forget()
    remove_postman(cloud.target)
    return Table(
        ["what", "name", "state"],
        [(s.kind, s.name, "still there" if s.exists() else "gone") for s in steps],
    )
