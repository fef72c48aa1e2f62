"""Stage 1, route: the stage's deployment, then the resource and method that match the request.

Matching follows API Gateway: a literal path part beats ``{param}``, which beats the greedy
``{proxy+}`` (one or more segments); a method falls back to ``ANY``. No match is a 403
``Missing Authentication Token``.

The AWS behaviour it reproduces: docs/aws-behavior.md#routing.
"""

from __future__ import annotations

from urllib.parse import unquote

from .errors import MissingAuthenticationToken
from .model import Backends, Context, Deployment, Resource


def route(ctx: Context, backends: Backends) -> None:
    req = ctx.request
    target = backends.stage_target(req.api_id, req.stage)
    if target is None:
        raise MissingAuthenticationToken(detail=f"no stage {req.stage!r} on API {req.api_id!r}")
    ctx.target = target
    match = match_resource(target.deployment, req.path)
    if match is None:
        raise MissingAuthenticationToken(detail=f"no resource matches {req.path}")
    resource, params = match
    method = resource.methods.get(req.method.upper()) or resource.methods.get("ANY")
    if method is None:
        raise MissingAuthenticationToken(
            detail=f"no {req.method} method on {resource.path} in the deployed API"
        )
    ctx.resource, ctx.method = resource, method
    ctx.path_parameters = params or None


def match_resource(deployment: Deployment, path: str) -> tuple[Resource, dict[str, str]] | None:
    """The deployed resource for a request path, with its path parameters."""
    children: dict[str | None, list[Resource]] = {}
    root = None
    for res in deployment.resources.values():
        if res.parent_id is None:
            root = res
        else:
            children.setdefault(res.parent_id, []).append(res)
    if root is None:
        return None
    segments = [unquote(s) for s in path.strip("/").split("/") if s != ""]
    return _match(root, segments, children, {})


def _rank(res: Resource) -> int:
    part = res.path_part or ""
    if part.startswith("{") and part.endswith("+}"):
        return 2
    if part.startswith("{") and part.endswith("}"):
        return 1
    return 0


def _match(
    node: Resource,
    segments: list[str],
    children: dict[str | None, list[Resource]],
    params: dict[str, str],
) -> tuple[Resource, dict[str, str]] | None:
    if not segments:
        return node, params
    head, rest = segments[0], segments[1:]
    for child in sorted(children.get(node.id, []), key=_rank):
        part = child.path_part or ""
        kind = _rank(child)
        if kind == 0 and part == head:
            found = _match(child, rest, children, params)
        elif kind == 1:
            found = _match(child, rest, children, {**params, part[1:-1]: head})
        elif kind == 2:
            found = child, {**params, part[1:-2]: "/".join(segments)}
        else:
            continue
        if found is not None:
            return found
    return None
