"""Stage 3, API key: a method with ``apiKeyRequired`` needs an ``x-api-key`` header whose key
exists, is enabled, and belongs to a usage plan attached to this API stage. Else 403 Forbidden.

Keys and usage plans are live configuration: unlike methods they are not frozen by a deployment.

The AWS behaviour it reproduces: docs/aws-behavior.md#api-keys.
"""

from __future__ import annotations

from .errors import InvalidApiKey
from .model import Backends, Context


def check_api_key(ctx: Context, backends: Backends) -> None:
    method = ctx.method
    assert method is not None and ctx.target is not None
    if not method.api_key_required:
        return
    value = ctx.request.header("x-api-key")
    if not value:
        raise InvalidApiKey(detail="method requires an API key; no x-api-key header")
    keys, plans = backends.api_keys(ctx.target.account, ctx.target.region)
    key = next((k for k in keys if k.get("value") == value), None)
    if key is None:
        raise InvalidApiKey(detail="unknown API key")
    if not key.get("enabled"):
        raise InvalidApiKey(detail=f"API key {key['id']} is disabled")
    api_id, stage = ctx.request.api_id, ctx.request.stage
    for plan in plans:
        if key["id"] not in plan.get("keyIds", []):
            continue
        for api_stage in plan.get("apiStages") or []:
            if api_stage.get("apiId") == api_id and api_stage.get("stage") == stage:
                ctx.api_key = {"id": key["id"], "value": value}
                return
    raise InvalidApiKey(detail=f"API key {key['id']} is in no usage plan for {api_id}/{stage}")
