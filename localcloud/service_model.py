"""The AWS APIs the local cloud serves, as botocore's service models describe them: which service
and operation a request is (by ``X-Amz-Target``, by the query protocol's ``Action`` and
``Version``, or by a REST method and path), whether the operation needs a signature, and the
request's parameters checked against the operation's input shape
(docs/aws-behavior.md#requests-and-signatures).

Models load once per service, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qs, unquote

import botocore.session
from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape

#: the services the local cloud serves, by their signing names
SERVED = ("cognito-idp", "logs", "lambda", "apigateway", "iam", "sts")


@cache
def _loader() -> Loader:
    return botocore.session.get_session().get_component("data_loader")


@cache
def model(service: str) -> ServiceModel:
    """botocore's model of a service, newest API version, read straight from its file (one
    loader for all, so the data directories are listed once)."""
    loader = _loader()
    version = loader.determine_latest_version(service, "service-2")
    return ServiceModel(loader.load_data(f"{service}/{version}/service-2"), service_name=service)


@dataclass(frozen=True)
class Route:
    """Which operation a request is, and the parameters its path carries (REST labels)."""

    service: str
    operation: str
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def operation_model(self) -> OperationModel:
        return model(self.service).operation_model(self.operation)

    @property
    def needs_signature(self) -> bool:
        """False for the operations AWS serves unsigned (Cognito's ``InitiateAuth``, …)."""
        op = self.operation_model
        return (op.auth_type or "") != "none" and "smithy.api#noAuth" not in (op.auth or [])


@cache
def _targets() -> dict[str, str]:
    """``X-Amz-Target`` prefix -> service (JSON protocol)."""
    return {
        model(s).metadata["targetPrefix"]: s
        for s in SERVED
        if model(s).metadata.get("targetPrefix")
    }


@cache
def _query_versions() -> dict[str, str]:
    """``Version`` -> service (query protocol)."""
    return {model(s).api_version: s for s in SERVED if model(s).protocol == "query"}


def _uri_regex(uri: str) -> tuple[re.Pattern[str], int]:
    """A request URI template as a regex, and how many literal characters it has (more literal
    characters: a more specific route)."""
    path = uri.split("?", 1)[0]
    out, literal = [], 0
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            name = part[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            out.append(f"(?P<{re.sub(r'[^A-Za-z0-9_]', '_', name)}>{'.+' if greedy else '[^/]+'})")
        else:
            out.append(re.escape(part))
            literal += len(part)
    return re.compile("^" + "".join(out) + "/?$"), literal


@cache
def _rest_routes() -> list[tuple[int, str, re.Pattern[str], str, str, dict[str, str]]]:
    routes = []
    for service in SERVED:
        m = model(service)
        if m.protocol != "rest-json":
            continue
        for name in m.operation_names:
            http = m.operation_model(name).http
            regex, literal = _uri_regex(http["requestUri"])
            labels = re.findall(r"\{([^}]+)\}", http["requestUri"].split("?")[0])
            names = {re.sub(r"[^A-Za-z0-9_]", "_", n.rstrip("+")): n.rstrip("+") for n in labels}
            routes.append((literal, http["method"], regex, service, name, names))
    routes.sort(key=lambda r: -r[0])
    return routes


def warm_up() -> None:
    """Load the models and compile the REST routes before the first request needs them."""
    _targets()
    _query_versions()
    _rest_routes()


def route_target(target: str) -> Route | None:
    prefix, _, operation = target.rpartition(".")
    service = _targets().get(prefix)
    if service is None or operation not in model(service).operation_names:
        return None
    return Route(service, operation)


def target_service(target: str) -> str | None:
    """The service an ``X-Amz-Target`` names, known operation or not."""
    return _targets().get(target.rpartition(".")[0])


def query_service(version: str | None) -> str | None:
    return _query_versions().get(version or "")


def route_query(version: str | None, action: str | None) -> Route | None:
    service = query_service(version)
    if service is None or action not in model(service).operation_names:
        return None
    return Route(service, action)


def route_rest(method: str, path: str, services: tuple[str, ...] = SERVED) -> Route | None:
    """The REST operation a method and (still percent-encoded) path name, with its labels."""
    for _, verb, regex, service, name, names in _rest_routes():
        if service not in services or verb != method:
            continue
        match = regex.match(path)
        if match:
            labels = {names[k]: unquote(v) for k, v in match.groupdict().items()}
            return Route(service, name, labels)
    return None


def rest_service(path: str) -> str | None:
    """The REST service whose API a path belongs to, whatever the method (for refusals)."""
    for _, _, regex, service, _, _ in _rest_routes():
        if regex.match(path):
            return service
    return None


# ------------------------------------------------------------------------------ parameters


class InputError(ValueError):
    """The request's parameters do not fit the operation's input shape. ``kind`` is
    ``"serialization"`` (a value of the wrong type: the body cannot be read as the shape) or
    ``"validation"`` (a constraint: required, length, range, enum)."""

    def __init__(self, kind: str, problems: list[str]) -> None:
        self.kind = kind
        self.problems = problems
        count = len(problems)
        detail = "; ".join(problems)
        super().__init__(
            f"{count} validation error{'s' if count > 1 else ''} detected: {detail}"
            if kind == "validation"
            else detail
        )


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _type_problem(value: Any, shape: Shape) -> bool:
    kind = shape.type_name
    if kind == "string":
        return not isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, bool) or not isinstance(value, int)
    if kind in ("double", "float"):
        return isinstance(value, bool) or not isinstance(value, (int, float))
    if kind == "boolean":
        return not isinstance(value, bool)
    if kind == "structure":
        return not isinstance(value, Mapping)
    if kind == "list":
        return not isinstance(value, list)
    if kind == "map":
        return not isinstance(value, Mapping)
    if kind == "blob":
        return not isinstance(value, (str, bytes))
    if kind == "timestamp":
        return isinstance(value, bool) or not isinstance(value, (int, float, str))
    return False


def check(value: Any, shape: Shape, path: str, problems: list[str], types: list[str]) -> None:
    """Collect AWS-style constraint problems into ``problems`` and type problems into
    ``types`` (a value of the wrong JSON type, which AWS cannot deserialize)."""
    if _type_problem(value, shape):
        types.append(f"{path or 'the request'} should be a {shape.type_name}")
        return
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        for member in shape.required_members:
            if value.get(member) is None:
                problems.append(
                    f"Value null at '{_camel(member) if not path else path + '.' + _camel(member)}'"
                    " failed to satisfy constraint: Member must not be null"
                )
        for name, sub in value.items():
            if name in shape.members and sub is not None:
                sub_path = _camel(name) if not path else f"{path}.{_camel(name)}"
                check(sub, shape.members[name], sub_path, problems, types)
        return
    size = len(value) if kind in ("string", "list", "map", "blob") else None
    number = value if kind in ("integer", "long", "double", "float") else None
    shown = (
        f"Value '{value}' at"
        if kind == "string"
        else f"Value {value} at"
        if number is not None
        else "Value at"
    )
    bounds = (
        (size, "min", "have length greater than or equal to"),
        (size, "max", "have length less than or equal to"),
        (number, "min", "have value greater than or equal to"),
        (number, "max", "have value less than or equal to"),
    )
    for measured, bound, constraint in bounds:
        if measured is None or bound not in meta:
            continue
        if (measured < meta[bound]) if bound == "min" else (measured > meta[bound]):
            problems.append(
                f"{shown} '{path}' failed to satisfy constraint: Member must {constraint} "
                f"{meta[bound]}"
            )
    if kind == "string" and shape.enum and value not in shape.enum:
        problems.append(
            f"{shown} '{path}' failed to satisfy constraint: Member must satisfy enum "
            f"value set: [{', '.join(shape.enum)}]"
        )
    if kind == "list":
        for index, item in enumerate(value):
            if item is not None:
                check(item, shape.member, f"{path}.{index + 1}.member", problems, types)
    if kind == "map":
        for key, item in value.items():
            if item is not None:
                check(item, shape.value, f"{path}.{key}.member", problems, types)


def _convert(raw: str, shape: Shape) -> Any:
    """A string from a path, a query string or a header, as the shape's type (unchanged when it
    does not convert: the type check then reports it)."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    if kind in ("double", "float"):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def rest_params(
    route: Route, query_string: str, headers: Mapping[str, str], body: Any
) -> dict[str, Any]:
    """The parameters of a REST call, from its path labels, query string, headers and body."""
    shape = route.operation_model.input_shape
    if shape is None:
        return {}
    query = parse_qs(query_string, keep_blank_values=True)
    params: dict[str, Any] = {}
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        where = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if where == "uri" and wire in route.labels:
            params[name] = _convert(route.labels[wire], member)
        elif where == "querystring" and wire in query:
            values = query[wire]
            if member.type_name == "list":
                params[name] = [_convert(v, member.member) for v in values]
            else:
                params[name] = _convert(values[0], member)
        elif where == "header" and wire.lower() in headers:
            params[name] = _convert(headers[wire.lower()], member)
        elif where is None and name != payload and isinstance(body, Mapping) and name in body:
            params[name] = body[name]
    if payload and payload in shape.members and body not in (None, b"", {}):
        params[payload] = body if shape.members[payload].type_name != "blob" else ""
    return params


def query_params(route: Route, form: Mapping[str, list[str]]) -> dict[str, Any]:
    """The parameters of a query-protocol call (``Name``, ``Name.member.N``, ``Name.entry.N``)."""
    shape = route.operation_model.input_shape
    return {} if shape is None else _query_structure(shape, form, "")


def _query_value(shape: Shape, form: Mapping[str, list[str]], key: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        found = _query_structure(shape, form, key + ".")
        return found if found else None
    if kind == "list":
        items, index = [], 1
        flat = shape.serialization.get("flattened")
        while True:
            item_key = f"{key}.{index}" if flat else f"{key}.member.{index}"
            item = _query_value(shape.member, form, item_key)
            if item is None:
                break
            items.append(item)
            index += 1
        return items if items or key in form else None
    if kind == "map":
        entries, index = {}, 1
        while f"{key}.entry.{index}.key" in form:
            entries[form[f"{key}.entry.{index}.key"][0]] = _query_value(
                shape.value, form, f"{key}.entry.{index}.value"
            )
            index += 1
        return entries or None
    if key not in form:
        return None
    return _convert(form[key][0], shape)


def _query_structure(shape: Shape, form: Mapping[str, list[str]], prefix: str) -> dict[str, Any]:
    found = {}
    for name, member in shape.members.items():
        value = _query_value(member, form, prefix + member.serialization.get("name", name))
        if value is not None:
            found[name] = value
    return found


def check_input(route: Route, params: Mapping[str, Any]) -> None:
    """Raise :class:`InputError` when the parameters do not fit the operation's input."""
    shape = route.operation_model.input_shape
    if shape is None:
        return
    problems: list[str] = []
    types: list[str] = []
    check(params, shape, "", problems, types)
    if types:
        raise InputError("serialization", types)
    if problems:
        raise InputError("validation", problems)
