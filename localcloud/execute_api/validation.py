"""Stage 4, request validation: the method's request validator checks required parameters
(headers, path, query strings; missing and blank alike) and then the body against its model
(JSON Schema draft 4).

A model's ``$ref`` resolves only inside the API: to another of the deployment's models, named
``https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}``, or within the schema
(``#/...``). Nothing is ever fetched, from the network or from a file: a reference the deployment
cannot resolve fails the body. The same rules, applied when a model is created, are in
:func:`model_schema_error`.

The AWS behaviour it reproduces: docs/aws-behavior.md#request-validation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from .errors import BadRequestBody, BadRequestParameters
from .model import Context

_GROUPS = ("header", "path", "querystring")
#: AWS's canonical form of a reference to a model of the same API
MODEL_URI = "https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"
_MODEL_REF = re.compile(
    r"^https://apigateway\.amazonaws\.com/restapis/(?P<api>[^/#]+)/models/(?P<name>[^/#]+)"
    r"(?:#.*)?$"
)
#: the keywords of JSON Schema draft 4 (core and validation); AWS refuses any other
DRAFT4_KEYWORDS = frozenset(
    {
        "$schema", "id", "$ref", "title", "description", "default", "format",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern",
        "additionalItems", "items", "maxItems", "minItems", "uniqueItems",
        "maxProperties", "minProperties", "required", "additionalProperties",
        "definitions", "properties", "patternProperties", "dependencies",
        "enum", "type", "allOf", "anyOf", "oneOf", "not",
    }
)  # fmt: skip
INVALID_MODEL = "Invalid model specified: Validation Result: warnings : [], errors : [{}]"
INVALID_SCHEMA = "Invalid model schema specified"
NOT_CANONICAL = "Invalid model specified: Model reference must be in canonical form"


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
    log_line = f"Request body does not match model schema for content type {content_type}: [{{}}]"
    try:
        document = json.loads(ctx.request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequestBody(detail=log_line.format("Unknown error parsing request body")) from None
    schemas = {
        name: _schema_text(m.get("schema"))
        for name, m in ctx.deployment.models.items()
        if m.get("schema")
    }
    problem = body_problem(ctx.deployment.api_id, schemas, model_name, document)
    if problem:
        raise BadRequestBody(detail=log_line.format(problem))


def body_problem(
    api_id: str, schemas: Mapping[str, str], model_name: str, document: Any
) -> str | None:
    """Why ``document`` fails the model (None when it passes). ``schemas``: every model of the
    deployment, by name, as JSON text; references resolve among them only."""
    import jsonschema.exceptions
    import referencing.exceptions

    models_json = json.dumps(dict(schemas), sort_keys=True)
    try:
        validator = _validator(api_id, models_json, model_name)
        errors = list(validator.iter_errors(document))
    except (
        referencing.exceptions.Unresolvable,
        jsonschema.exceptions.UnknownType,
        ValueError,
        LookupError,
        TypeError,
    ) as exc:
        # jsonschema's unresolvable $ref (its error derives from referencing's), or a stored
        # schema that is not one: the body cannot pass it
        return f"the model cannot be applied: {type(exc).__name__}: {exc}"
    if errors:
        # one line per failing keyword: jsonschema reports each missing property on its own
        return ", ".join(dict.fromkeys(_as_api_gateway_says(e) for e in errors))
    return None


#: JSON Schema's names of a JSON value's type, as the validator behind API Gateway names them
_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return "array" if isinstance(value, list) else "object"


def _names(values: Any) -> str:
    return json.dumps(sorted(values), separators=(",", ":"))


def _as_api_gateway_says(error: Any) -> str:
    """One schema error in the words of the validator API Gateway runs (java-json-tools), as its
    execution log shows them; jsonschema's own message for the keywords not mapped here
    (docs/aws-behavior.md#request-validation)."""
    keyword, value, schema = error.validator, error.instance, error.validator_value
    if keyword == "required" and isinstance(value, dict):
        return f"object has missing required properties ({_names(set(schema) - set(value))})"
    if keyword == "additionalProperties" and isinstance(value, dict):
        allowed = set((error.schema or {}).get("properties") or {})
        extra = set(value) - allowed
        return (
            f"object instance has properties which are not allowed by the schema: {_names(extra)}"
        )
    if keyword == "type":
        allowed = schema if isinstance(schema, list) else [schema]
        return (
            f"instance type ({_type_name(value)}) does not match any allowed primitive type "
            f"(allowed: {_names(allowed)})"
        )
    if keyword == "minLength" and isinstance(value, str):
        return (
            f"string {json.dumps(value)} is too short "
            f"(length: {len(value)}, required minimum: {schema})"
        )
    if keyword == "maxLength" and isinstance(value, str):
        length = len(value)
        return (
            f"string {json.dumps(value)} is too long (length: {length}, maximum allowed: {schema})"
        )
    return str(error.message)


def _schema_text(schema: Any) -> str:
    return schema if isinstance(schema, str) else json.dumps(schema)


@lru_cache(maxsize=256)
def _validator(api_id: str, models_json: str, model_name: str) -> Any:
    """A draft-4 validator for one model whose references resolve among the API's own models,
    cached per API, models and name (jsonschema is imported on first use)."""
    import jsonschema
    import referencing
    import referencing.jsonschema

    draft4 = referencing.jsonschema.DRAFT4
    resources = []
    for name, text in json.loads(models_json).items():
        contents = json.loads(text)
        uri = MODEL_URI.format(api_id=api_id, name=name)
        resources.append((uri, referencing.Resource(contents=contents, specification=draft4)))
    registry = referencing.Registry(retrieve=_refuse).with_resources(resources)
    schema = json.loads(json.loads(models_json)[model_name])
    return jsonschema.Draft4Validator(schema, registry=registry)


def _refuse(uri: str) -> Any:
    """The registry's retrieve function: nothing outside the API's models is ever fetched."""
    import referencing.exceptions

    raise referencing.exceptions.NoSuchResource(ref=uri)


# ------------------------------------------------------------------ models, as CreateModel checks


def model_schema_error(schema_text: Any, api_id: str, model_names: set[str]) -> str | None:
    """AWS's ``BadRequestException`` message for a model schema it refuses at ``CreateModel``
    (None when the schema is accepted): not JSON, not a draft-4 schema, a keyword draft 4 does
    not have, or a ``$ref`` to anything but a local ``#...`` or one of ``model_names`` of this
    API in canonical form."""
    import jsonschema

    if not isinstance(schema_text, str):
        return INVALID_MODEL.format(INVALID_SCHEMA)
    try:
        schema = json.loads(schema_text)
    except ValueError:
        return INVALID_MODEL.format(INVALID_SCHEMA)
    try:
        jsonschema.Draft4Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError:
        return INVALID_MODEL.format(INVALID_SCHEMA)
    unknown = sorted({k for sub in _subschemas(schema) for k in sub if k not in DRAFT4_KEYWORDS})
    if unknown:
        listed = ", ".join(json.dumps(k) for k in unknown)
        return INVALID_MODEL.format(f"{INVALID_SCHEMA}. Unsupported keyword(s): [{listed}]")
    for sub in _subschemas(schema):
        ref = sub.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            found = _MODEL_REF.match(ref)
            if not found or found["api"] != api_id or found["name"] not in model_names:
                return NOT_CANONICAL
    return None


def _subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every (sub)schema object of a draft-4 schema, the schema itself first."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key in ("properties", "patternProperties", "definitions", "dependencies"):
        children = schema.get(key)
        if isinstance(children, dict):
            for child in children.values():
                yield from _subschemas(child)
    for key in ("additionalProperties", "additionalItems", "not", "items"):
        yield from _subschemas(schema.get(key))
    for key in ("items", "allOf", "anyOf", "oneOf"):
        children = schema.get(key)
        if isinstance(children, list):
            for child in children:
                yield from _subschemas(child)
