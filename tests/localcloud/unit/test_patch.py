import pytest

from localcloud.control.patch import INTEGRATION_FIELDS, METHOD_FIELDS, PatchError, apply_patch

METHOD = {
    "httpMethod": "GET",
    "authorizationType": "NONE",
    "apiKeyRequired": True,
    "requestParameters": {"method.request.header.x": False},
    "authorizationScopes": None,
}


def test_replace_converts_booleans_and_leaves_the_input_alone():
    out = apply_patch(
        METHOD,
        [
            {"op": "replace", "path": "/apiKeyRequired", "value": "false"},
            {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
        ],
        METHOD_FIELDS,
    )
    assert out["apiKeyRequired"] is False and out["authorizationType"] == "COGNITO_USER_POOLS"
    assert METHOD["apiKeyRequired"] is True


def test_map_children_add_replace_remove_with_escaped_keys():
    out = apply_patch(
        METHOD,
        [
            {
                "op": "add",
                "path": "/requestParameters/method.request.querystring.q",
                "value": "true",
            },
            {"op": "remove", "path": "/requestParameters/method.request.header.x"},
            {"op": "add", "path": "/requestModels/application~1json", "value": "M"},
        ],
        METHOD_FIELDS,
    )
    assert out["requestParameters"] == {"method.request.querystring.q": True}
    assert out["requestModels"] == {"application/json": "M"}


def test_list_add_and_remove():
    out = apply_patch(
        METHOD,
        [
            {"op": "add", "path": "/authorizationScopes", "value": "a"},
            {"op": "add", "path": "/authorizationScopes", "value": "b"},
            {"op": "remove", "path": "/authorizationScopes", "value": "a"},
        ],
        METHOD_FIELDS,
    )
    assert out["authorizationScopes"] == ["b"]


def test_integration_numbers_and_templates():
    out = apply_patch(
        {"type": "MOCK"},
        [
            {"op": "replace", "path": "/timeoutInMillis", "value": "1500"},
            {"op": "add", "path": "/requestTemplates/application~1json", "value": "{}"},
        ],
        INTEGRATION_FIELDS,
    )
    assert out == {
        "type": "MOCK",
        "timeoutInMillis": 1500,
        "requestTemplates": {"application/json": "{}"},
    }


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (
            {"op": "replace", "path": "/httpMethod", "value": "POST"},
            "Invalid patch path '/httpMethod'",
        ),
        ({"op": "replace", "path": "/apiKeyRequired", "value": "yes"}, "expected true or false"),
        ({"op": "move", "path": "/authorizerId", "value": "x"}, "Invalid patch operation 'move'"),
        ({"op": "replace", "path": "/requestParameters"}, "Invalid patch operation 'replace'"),
    ],
)
def test_refused_operations(op, message):
    with pytest.raises(PatchError, match=message):
        apply_patch(METHOD, [op], METHOD_FIELDS)
