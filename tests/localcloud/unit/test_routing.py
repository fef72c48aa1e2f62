"""Stage 1, routing: literal beats {param} beats {proxy+}; ANY is the fallback; no match is 403."""

from __future__ import annotations

import dataclasses

import pytest

from localcloud.execute_api.errors import MissingAuthenticationToken
from localcloud.execute_api.routing import match_resource, route

from .fakes import API_ID, STAGE, FakeBackends, context, deployment, method, request, routed

ROUTES = {
    "/": {"GET": method("GET")},
    "/pets": {"GET": method("GET"), "POST": method("POST")},
    "/pets/mine": {"GET": method("GET")},
    "/pets/{petId}": {"GET": method("GET"), "ANY": method("ANY")},
    "/pets/{petId}/toys/{toyId}": {"GET": method("GET")},
    "/pets/{petId}/{proxy+}": {"ANY": method("ANY")},
    "/files/{proxy+}": {"GET": method("GET")},
    "/{proxy+}": {"ANY": method("ANY")},
}


@pytest.fixture(scope="module")
def backends() -> FakeBackends:
    return FakeBackends().serve(deployment(ROUTES))


@pytest.mark.parametrize(
    ("verb", "path", "resource_path", "method_key", "params"),
    [
        ("GET", "/", "/", "GET", None),
        ("GET", "/pets", "/pets", "GET", None),
        ("POST", "/pets", "/pets", "POST", None),
        ("GET", "/pets/", "/pets", "GET", None),
        # a literal path part beats {param}
        ("GET", "/pets/mine", "/pets/mine", "GET", None),
        # {param} beats {proxy+}
        ("GET", "/pets/7", "/pets/{petId}", "GET", {"petId": "7"}),
        # ANY is the fallback when the verb has no method of its own
        ("DELETE", "/pets/7", "/pets/{petId}", "ANY", {"petId": "7"}),
        (
            "GET",
            "/pets/7/toys/ball",
            "/pets/{petId}/toys/{toyId}",
            "GET",
            {
                "petId": "7",
                "toyId": "ball",
            },
        ),
        # {proxy+} is greedy: one or more segments, joined with "/"
        (
            "PUT",
            "/pets/7/a/b/c",
            "/pets/{petId}/{proxy+}",
            "ANY",
            {
                "petId": "7",
                "proxy": "a/b/c",
            },
        ),
        ("GET", "/files/a", "/files/{proxy+}", "GET", {"proxy": "a"}),
        ("GET", "/files/a/b/c.txt", "/files/{proxy+}", "GET", {"proxy": "a/b/c.txt"}),
        ("PATCH", "/other/thing", "/{proxy+}", "ANY", {"proxy": "other/thing"}),
        # percent-encoded segments are decoded in path parameters
        ("GET", "/pets/a%20b", "/pets/{petId}", "GET", {"petId": "a b"}),
    ],
)
def test_route_picks_resource_method_and_params(
    backends, verb, path, resource_path, method_key, params
):
    ctx = routed(backends, verb, path)
    assert ctx.resource is not None and ctx.resource.path == resource_path
    assert ctx.method is ctx.resource.methods[method_key]
    assert ctx.path_parameters == params
    assert ctx.target is backends.stage_target(API_ID, STAGE)


def test_method_lookup_is_case_insensitive_on_the_request_verb(backends):
    ctx = routed(backends, "post", "/pets")
    assert ctx.method is not None and ctx.method.http_method == "POST"


@pytest.mark.parametrize(
    ("verb", "path"),
    [
        ("POST", "/"),  # root has GET only, and /{proxy+} needs at least one segment
        ("DELETE", "/pets"),  # no DELETE and no ANY on /pets
        ("POST", "/files/a"),  # /files/{proxy+} has GET only
    ],
)
def test_no_method_is_missing_authentication_token(backends, verb, path):
    with pytest.raises(MissingAuthenticationToken) as info:
        routed(backends, verb, path)
    assert info.value.status == 403
    assert info.value.message == "Missing Authentication Token"


def test_no_resource_is_missing_authentication_token():
    backends = FakeBackends().serve(deployment({"/pets": {"GET": method("GET")}}))
    for path in ("/cats", "/pets/7", "/pets/7/x"):
        with pytest.raises(MissingAuthenticationToken):
            routed(backends, "GET", path)


def test_root_without_methods_is_missing_authentication_token():
    backends = FakeBackends().serve(deployment({"/pets": {"GET": method("GET")}}))
    with pytest.raises(MissingAuthenticationToken):
        routed(backends, "GET", "/")


@pytest.mark.parametrize(("api_id", "stage"), [(API_ID, "prod"), ("zzzzzzzzzz", STAGE)])
def test_unknown_stage_or_api_is_missing_authentication_token(backends, api_id, stage):
    ctx = context(request("GET", "/pets", api_id=api_id, stage=stage))
    with pytest.raises(MissingAuthenticationToken):
        route(ctx, backends)
    assert ctx.target is None


def test_match_resource_without_root_is_none():
    dep = deployment({"/pets": {"GET": method("GET")}})
    orphan = {k: v for k, v in dep.resources.items() if v.parent_id is not None}
    assert match_resource(dataclasses.replace(dep, resources=orphan), "/pets") is None


def test_literal_is_tried_before_param_and_param_before_proxy_whatever_the_order():
    # same tree, resources listed proxy first: the ranking must not depend on listing order
    routes = {
        "/{proxy+}": {"ANY": method("ANY")},
        "/{id}": {"GET": method("GET")},
        "/users": {"GET": method("GET")},
    }
    backends = FakeBackends().serve(deployment(routes))
    assert routed(backends, "GET", "/users").resource.path == "/users"
    assert routed(backends, "GET", "/u1").resource.path == "/{id}"
    assert routed(backends, "GET", "/u1/x").resource.path == "/{proxy+}"
