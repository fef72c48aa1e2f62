"""API Gateway's PATCH operations (``patchOperations``) applied to a resource's public shape.

AWS escapes ``/`` in map keys as ``~1`` (``/requestModels/application~1json``) and ``~`` as ``~0``.
Values arrive as strings; booleans and numbers are converted for the fields that hold them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any


class PatchError(ValueError):
    """A patch operation API Gateway would refuse (``BadRequestException``)."""


#: field -> kind: "str", "bool", "int", "list" (add/remove items), "map" (keyed string
#: children) or "map-bool" (keyed children holding true or false)
METHOD_FIELDS = {
    "authorizationType": "str",
    "authorizerId": "str",
    "apiKeyRequired": "bool",
    "requestValidatorId": "str",
    "operationName": "str",
    "authorizationScopes": "list",
    "requestParameters": "map-bool",
    "requestModels": "map",
}
MODEL_FIELDS = {"schema": "str", "description": "str"}
INTEGRATION_FIELDS = {
    "uri": "str",
    "httpMethod": "str",
    "timeoutInMillis": "int",
    "passthroughBehavior": "str",
    "contentHandling": "str",
    "credentials": "str",
    "connectionType": "str",
    "cacheNamespace": "str",
    "requestTemplates": "map",
    "requestParameters": "map",
    "cacheKeyParameters": "list",
}


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _convert(kind: str, value: Any, path: str) -> Any:
    if kind in ("bool", "map-bool"):
        if str(value).lower() not in ("true", "false"):
            raise PatchError(f"Invalid value {value!r} for {path}: expected true or false")
        return str(value).lower() == "true"
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise PatchError(f"Invalid value {value!r} for {path}: expected a number") from None
    return value


def apply_patch(
    doc: Mapping[str, Any], operations: Iterable[Mapping[str, Any]], fields: Mapping[str, str]
) -> dict[str, Any]:
    """A copy of ``doc`` with the operations applied; :class:`PatchError` on a bad one."""
    result = copy.deepcopy(dict(doc))
    for op in operations:
        verb, path = op.get("op", ""), op.get("path", "")
        parts = [_unescape(p) for p in path.split("/")[1:]]
        if not parts or parts[0] not in fields:
            raise PatchError(
                f"Invalid patch path '{path}' specified for op '{verb}'. Must be "
                f"one of: [{', '.join('/' + f for f in fields)}]"
            )
        name, kind = parts[0], fields[parts[0]]
        if kind.startswith("map") and len(parts) == 2:
            children = dict(result.get(name) or {})
            if verb == "remove":
                children.pop(parts[1], None)
            elif verb in ("add", "replace"):
                children[parts[1]] = _convert(kind, op.get("value"), path)
            else:
                raise PatchError(f"Invalid patch operation '{verb}' for {path}")
            result[name] = children
        elif kind == "list" and len(parts) == 1 and verb in ("add", "remove"):
            items = list(result.get(name) or [])
            value = op.get("value")
            if verb == "add" and value not in items:
                items.append(value)
            elif verb == "remove" and value in items:
                items.remove(value)
            result[name] = items
        elif len(parts) == 1 and verb == "replace" and not kind.startswith("map"):
            result[name] = _convert(kind, op.get("value"), path)
        else:
            raise PatchError(f"Invalid patch operation '{verb}' for {path}")
    return result
