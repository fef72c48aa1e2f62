"""Body models and their references, pure (docs/aws-behavior.md#request-validation): a ``$ref``
resolves among the deployment's own models, never over the network or from a file; and the
schemas CreateModel refuses (docs/aws-behavior.md#api-gateway-control-plane)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from localcloud.execute_api.errors import BadRequestBody
from localcloud.execute_api.validation import (
    DRAFT4_KEYWORDS,
    model_schema_error,
    validate_request,
)
from tests.support.listener import Listener

from .fakes import API_ID, FakeBackends, deployment, method, routed, validator

CANONICAL = f"https://apigateway.amazonaws.com/restapis/{API_ID}/models/"
INVALID = "Invalid model specified: Validation Result: warnings : [], errors : [{}]"
NOT_CANONICAL = "Invalid model specified: Model reference must be in canonical form"


@pytest.fixture
def listener():
    made = Listener()
    yield made
    made.close()


def backends_with(models: dict[str, dict], model: str = "Root") -> FakeBackends:
    fields = {"requestValidatorId": "val1", "requestModels": {"application/json": model}}
    dep = deployment(
        {"/things": {"POST": method("POST", **fields)}},
        validators=[validator("val1", params=False, body=True)],
        models=[
            {
                "id": f"m{i}",
                "name": name,
                "contentType": "application/json",
                "schema": json.dumps(s),
            }
            for i, (name, s) in enumerate(models.items())
        ],
    )
    return FakeBackends().serve(dep)


def validate(backends: FakeBackends, body: object, within: float = 5.0) -> None:
    """Validate ``body`` as the stage would, failing the test (not hanging it) if validation
    has not answered ``within`` seconds."""
    ctx = routed(
        backends,
        "POST",
        "/things",
        headers={"Content-Type": "application/json"},
        body=json.dumps(body),
    )
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            validate_request(ctx)
        except BaseException as exc:  # handed to the test's thread
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(within)
    assert outcome, f"validation did not answer within {within} s"
    if outcome[0] is not None:
        raise outcome[0]


# -- request time ----------------------------------------------------------------------------


def test_a_ref_to_a_listener_is_never_fetched_and_answers_at_once(listener):
    backends = backends_with({"Root": {"$ref": f"http://127.0.0.1:{listener.port}/x"}})
    started = time.monotonic()
    with pytest.raises(BadRequestBody) as info:
        validate(backends, {"a": 1}, within=1)
    assert time.monotonic() - started < 1
    assert info.value.message == "Invalid request body"
    time.sleep(0.2)  # a connection, had one been made, is accepted by now
    assert listener.connections == []


def test_a_nested_ref_to_a_listener_is_never_fetched(listener):
    evil = {"properties": {"a": {"$ref": f"http://127.0.0.1:{listener.port}/x#/y"}}}
    backends = backends_with({"Root": evil})
    with pytest.raises(BadRequestBody):
        validate(backends, {"a": 1})
    validate(backends, {"b": 1})  # the reference is not reached: nothing to resolve
    time.sleep(0.2)
    assert listener.connections == []


def test_a_file_ref_is_never_read(tmp_path):
    accepting = tmp_path / "schema.json"
    accepting.write_text(json.dumps({"type": "string"}))
    backends = backends_with({"Root": {"$ref": accepting.as_uri()}})
    with pytest.raises(BadRequestBody):  # read, the file's schema would accept the body
        validate(backends, "a string")


def test_a_ref_to_another_model_of_the_api_resolves_offline():
    owner = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    root = {
        "type": "object",
        "required": ["owner"],
        "properties": {"owner": {"$ref": CANONICAL + "Owner"}},
    }
    backends = backends_with({"Root": root, "Owner": owner})
    validate(backends, {"owner": {"name": "misi"}})
    with pytest.raises(BadRequestBody) as info:
        validate(backends, {"owner": {}})
    assert 'object has missing required properties (["name"])' in info.value.detail


def test_a_ref_to_a_model_of_another_api_fails_the_body():
    other = CANONICAL.replace(API_ID, "otherapi01") + "Owner"
    backends = backends_with({"Root": {"$ref": other}, "Owner": {}})
    with pytest.raises(BadRequestBody):
        validate(backends, {})


def test_local_refs_work_even_under_an_absolute_id():
    schema = {
        "id": "http://jsonschema.net",
        "definitions": {"n": {"type": "integer"}},
        "properties": {"n": {"$ref": "#/definitions/n"}},
    }
    backends = backends_with({"Root": schema})
    validate(backends, {"n": 1})
    with pytest.raises(BadRequestBody):
        validate(backends, {"n": "one"})


# -- CreateModel ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    ['{"type": "object"', "[]", "5", '{"type": 5}', '{"required": []}', '{"minLength": -1}', 5],
    ids=["not-json", "array", "number", "bad-type", "empty-required", "negative", "not-text"],
)
def test_a_schema_that_is_not_draft_4_is_refused(schema):
    assert model_schema_error(schema, API_ID, set()) == INVALID.format(
        "Invalid model schema specified"
    )


def test_keywords_draft_4_does_not_have_are_listed():
    schema = json.dumps({"$id": "x", "properties": {"a": {"example": 1, "type": "string"}}})
    assert model_schema_error(schema, API_ID, set()) == INVALID.format(
        'Invalid model schema specified. Unsupported keyword(s): ["$id", "example"]'
    )


def test_property_names_are_not_keywords():
    schema = json.dumps({"properties": {"example": {"type": "string"}, "$id": {}}})
    assert model_schema_error(schema, API_ID, set()) is None


def test_every_draft_4_keyword_is_accepted():
    assert {"$schema", "id", "$ref", "format", "dependencies", "not"} <= DRAFT4_KEYWORDS


@pytest.mark.parametrize(
    "ref",
    [
        "http://127.0.0.1:9/x",
        "file:///etc/passwd",
        "Owner",
        "https://apigateway.amazonaws.com/restapis/otherapi01/models/Owner",
        CANONICAL + "Missing",
        "https://api.gateway.amazonaws.com/restapis/" + API_ID + "/models/Owner",
    ],
)
def test_a_ref_outside_the_apis_models_is_refused(ref):
    schema = json.dumps({"properties": {"a": {"$ref": ref}}})
    assert model_schema_error(schema, API_ID, {"Owner"}) == NOT_CANONICAL


@pytest.mark.parametrize("ref", [CANONICAL + "Owner", "#/definitions/a", "#"])
def test_refs_inside_the_api_are_accepted(ref):
    schema = json.dumps({"definitions": {"a": {}}, "properties": {"a": {"$ref": ref}}})
    assert model_schema_error(schema, API_ID, {"Owner"}) is None
