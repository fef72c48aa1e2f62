"""What earlier notebooks built, read back from the outputs file and checked against the cloud."""

from __future__ import annotations

from typing import Any

from helpers.apigateway import rest_api_exists
from helpers.cloud import Cloud
from helpers.cognito import app_client_exists, user_pool_exists
from helpers.functions import function_exists


def load_stack(cloud: Cloud, *keys: str) -> dict[str, Any]:
    """The outputs file's values for ``keys``; a one-line error naming the notebook to run when
    one is missing or names a resource that no longer exists."""
    if "app_client_id" in keys and "user_pool_id" not in keys:
        keys = ("user_pool_id", *keys)  # a client is looked up in its pool
    idp, apigw = cloud.client("cognito-idp"), cloud.client("apigateway")
    lam = cloud.client("lambda")
    checks = {
        "user_pool_id": lambda pool_id: user_pool_exists(idp, pool_id),
        "app_client_id": lambda client: app_client_exists(
            idp, cloud.outputs.load()["user_pool_id"], client
        ),
        "api_id": lambda api: rest_api_exists(apigw, api),
        "functions": lambda names: all(function_exists(lam, n) for n in names.values()),
    }
    return cloud.outputs.require(*keys, exists={k: checks[k] for k in checks if k in keys})
