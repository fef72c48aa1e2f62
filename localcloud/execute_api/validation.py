"""Stage 4, request validation: the method's request validator checks required parameters
(headers, path, query strings; missing and blank alike) and then the body against its model
(JSON Schema draft 4).

The AWS behaviour it reproduces: docs/aws-behavior.md#request-validation.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .errors import BadRequestBody, BadRequestParameters
from .model import Context

_GROUPS = ("header", "path", "querystring")


def validate_request(ctx: Context) -> None:
    method = ctx.method
    assert method is not None
    if not method.request_validator_id:
        return
    validator = ctx.deployment.validators.get(method.request_validator_id)
    if validator is None:
        return
    if validator.get("validateRequestParameters"):
        missing = missing_parameters(ctx)
        if missing:
            raise BadRequestParameters(missing)
    if validator.get("validateRequestBody"):
        check_body(ctx)


def missing_parameters(ctx: Context) -> list[str]:
    """Required names that are absent or blank: headers, then path, then query, sorted in each."""
    method, req = ctx.method, ctx.request
    assert method is not None
    missing: dict[str, list[str]] = {g: [] for g in _GROUPS}
    for key, required in method.request_parameters.items():
        if not required or not key.startswith("method.request."):
            continue
        _, _, group, name = key.split(".", 3)
        if group == "header":
            value = req.header(name)
        elif group == "querystring":
            value = req.query_value(name)
        elif group == "path":
            value = (ctx.path_parameters or {}).get(name)
        else:
            continue
        if value is None or value.strip() == "":
            missing[group].append(name)
    return [name for g in _GROUPS for name in sorted(missing[g])]


def check_body(ctx: Context) -> None:
    method = ctx.method
    assert method is not None
    if not method.request_models:
        return
    content_type = (ctx.request.header("content-type") or "application/json").split(";")[0]
    model_name = method.request_models.get(
        content_type.strip().lower()
    ) or method.request_models.get("$default")
    if not model_name:
        return
    model = ctx.deployment.models.get(model_name)
    if model is None or not model.get("schema"):
        return
    schema = model["schema"]
    if isinstance(schema, str):
        schema = json.loads(schema)
    try:
        document = json.loads(ctx.request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequestBody(detail="body is not JSON") from None
    errors = list(_draft4(json.dumps(schema, sort_keys=True)).iter_errors(document))
    if errors:
        raise BadRequestBody(detail="; ".join(e.message for e in errors[:3]))


@lru_cache(maxsize=256)
def _draft4(schema_json: str) -> Any:
    """A compiled draft-4 validator, cached per schema (jsonschema is imported on first use)."""
    import jsonschema

    return jsonschema.Draft4Validator(json.loads(schema_json))
