"""Stage 4, request validation (docs/aws-behavior.md#request-validation)."""

from __future__ import annotations

import json

import pytest

from localcloud.execute_api.errors import BadRequestBody, BadRequestParameters
from localcloud.execute_api.validation import missing_parameters, validate_request

from .fakes import FakeBackends, deployment, method, routed, validator

PARAMS = {
    "method.request.querystring.username": True,
    "method.request.querystring.password": True,
    "method.request.querystring.optional": False,
    "method.request.header.x-b": True,
    "method.request.header.x-a": True,
    "method.request.path.petId": True,
    "method.request.path.ownerId": True,
}
PATH = "/owners/{ownerId}/pets/{petId}"
FULL_HEADERS = {"x-a": "1", "x-b": "2"}
FULL_QUERY = {"username": "alice", "password": "pw"}
SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name", "age"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
    },
    "additionalProperties": False,
}
MODELS = [{"id": "m1", "name": "Pet", "contentType": "application/json", "schema": SCHEMA}]


def make_backends(
    *, params: bool = True, body: bool = True, validator_id: str | None = "val1", schema=SCHEMA
) -> FakeBackends:
    fields = {"requestParameters": PARAMS, "requestModels": {"application/json": "Pet"}}
    if validator_id is not None:
        fields["requestValidatorId"] = validator_id
    routes = {
        PATH: {"POST": method("POST", **fields)},
        "/owners/{ownerId}/pets/{petId}/{proxy+}": {"POST": method("POST", **fields)},
    }
    models = [{**MODELS[0], "schema": schema}]
    dep = deployment(
        routes, validators=[validator("val1", params=params, body=body)], models=models
    )
    return FakeBackends().serve(dep)


def validate(backends, path="/owners/o1/pets/p1", headers=None, query=None, body=b""):
    ctx = routed(
        backends,
        "POST",
        path,
        headers=FULL_HEADERS if headers is None else headers,
        query=FULL_QUERY if query is None else query,
        body=body,
    )
    validate_request(ctx)
    return ctx


GOOD_BODY = json.dumps({"name": "Rex", "age": 3})


def test_complete_request_passes():
    validate(make_backends(), body=GOOD_BODY)


def test_all_missing_one_message_headers_then_path_then_query_alphabetical():
    backends = make_backends()
    ctx = routed(backends, "POST", "/owners/o1/pets/p1")
    ctx.path_parameters = None  # as if the path gave no values
    with pytest.raises(BadRequestParameters) as info:
        validate_request(ctx)
    err = info.value
    assert err.message == (
        "Missing required request parameters: [x-a, x-b, ownerId, petId, password, username]"
    )
    assert (err.status, err.error_type) == (400, "BadRequestException")


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"x-a": "1"}, FULL_QUERY, "[x-b]"),
        ({"x-a": "", "x-b": "2"}, FULL_QUERY, "[x-a]"),  # empty header counts as missing
        (FULL_HEADERS, {"username": "alice"}, "[password]"),
        (FULL_HEADERS, {"username": "alice", "password": ""}, "[password]"),  # ?password=
        (FULL_HEADERS, {}, "[password, username]"),
        ({}, {"password": ""}, "[x-a, x-b, password, username]"),
        ({"x-b": "2"}, {"username": ""}, "[x-a, password, username]"),
    ],
)
def test_missing_and_blank_parameters(headers, query, expected):
    with pytest.raises(BadRequestParameters) as info:
        validate(make_backends(), headers=headers, query=query, body=GOOD_BODY)
    assert info.value.message == f"Missing required request parameters: {expected}"


def test_optional_parameter_is_not_required():
    validate(make_backends(), query={**FULL_QUERY, "optional": ""}, body=GOOD_BODY)


def test_header_names_match_case_insensitively():
    validate(make_backends(), headers={"X-A": "1", "X-B": "2"}, body=GOOD_BODY)


def test_query_names_match_case_sensitively():
    with pytest.raises(BadRequestParameters) as info:
        validate(make_backends(), query={"Username": "alice", "password": "pw"}, body=GOOD_BODY)
    assert info.value.message == "Missing required request parameters: [username]"


def test_missing_parameters_lists_names_in_aws_order():
    backends = make_backends()
    ctx = routed(backends, "POST", "/owners/o1/pets/p1", query={"password": ""})
    ctx.path_parameters = {"ownerId": "o1", "petId": ""}
    assert missing_parameters(ctx) == ["x-a", "x-b", "petId", "password", "username"]


def test_parameters_are_checked_before_the_body():
    with pytest.raises(BadRequestParameters):
        validate(make_backends(), query={}, body="not json at all")


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"name": "Rex"}),  # required property missing
        json.dumps({"name": "Rex", "age": "3"}),  # wrong type
        json.dumps({"name": "Rex", "age": -1}),  # minimum
        json.dumps({"name": "", "age": 3}),  # minLength
        json.dumps({"name": "Rex", "age": 3, "extra": 1}),  # additionalProperties
        json.dumps(["Rex", 3]),  # not an object
        "null",
    ],
)
def test_body_failing_its_model_is_invalid_request_body(body):
    with pytest.raises(BadRequestBody) as info:
        validate(make_backends(), body=body)
    err = info.value
    assert (err.status, err.message, err.error_type) == (
        400,
        "Invalid request body",
        "BadRequestException",
    )


_NOT_MATCHING = "Request body does not match model schema for content type application/json: "


@pytest.mark.parametrize(
    "body, found",
    [
        ({"name": "Rex"}, 'object has missing required properties (["age"])'),
        ({}, 'object has missing required properties (["age","name"])'),
        (
            {"name": "Rex", "age": "3"},
            "instance type (string) does not match any allowed primitive type "
            '(allowed: ["integer"])',
        ),
        ({"name": "", "age": 3}, 'string "" is too short (length: 0, required minimum: 1)'),
        (
            {"name": "Rex", "age": 3, "extra": 1},
            'object instance has properties which are not allowed by the schema: ["extra"]',
        ),
        (
            ["Rex", 3],
            'instance type (array) does not match any allowed primitive type (allowed: ["object"])',
        ),
    ],
)
def test_the_execution_log_says_what_the_model_refused_in_api_gateways_words(body, found):
    """docs/aws-behavior.md#request-validation rule 8: the validator's own wording."""
    with pytest.raises(BadRequestBody) as info:
        validate(make_backends(), body=json.dumps(body))
    assert info.value.detail == f"{_NOT_MATCHING}[{found}]"


def test_the_execution_log_of_a_body_that_is_no_json():
    with pytest.raises(BadRequestBody) as info:
        validate(make_backends(), body="not json")
    assert info.value.detail == f"{_NOT_MATCHING}[Unknown error parsing request body]"


@pytest.mark.parametrize("body", ["not json", "{'name': 'Rex'}", '{"name": "Rex",', b"\xff\xfe"])
def test_non_json_body_is_invalid_request_body(body):
    with pytest.raises(BadRequestBody) as info:
        validate(make_backends(), body=body)
    assert info.value.message == "Invalid request body"


def test_draft4_semantics_exclusive_minimum_is_a_boolean():
    # draft 4: exclusiveMinimum is a boolean modifier of minimum (a number in draft 6+)
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"age": {"type": "integer", "minimum": 0, "exclusiveMinimum": True}},
    }
    backends = make_backends(schema=schema)
    validate(backends, body=json.dumps({"age": 1}))
    with pytest.raises(BadRequestBody):
        validate(backends, body=json.dumps({"age": 0}))


def test_model_schema_given_as_a_json_string():
    backends = make_backends(schema=json.dumps(SCHEMA))
    validate(backends, body=GOOD_BODY)
    with pytest.raises(BadRequestBody):
        validate(backends, body="{}")


def test_params_only_validator_does_not_check_the_body():
    validate(make_backends(body=False), body="not json")
    with pytest.raises(BadRequestParameters):
        validate(make_backends(body=False), query={}, body="not json")


def test_body_only_validator_does_not_check_parameters():
    validate(make_backends(params=False), headers={}, query={}, body=GOOD_BODY)
    with pytest.raises(BadRequestBody):
        validate(make_backends(params=False), headers={}, query={}, body="{}")


def test_no_validator_checks_nothing():
    validate(make_backends(validator_id=None), headers={}, query={}, body="not json")
