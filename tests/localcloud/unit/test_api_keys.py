"""Stage 3, API key: a method with apiKeyRequired needs an enabled key in a usage plan for this
API stage, sent as x-api-key; anything else is 403 Forbidden."""

from __future__ import annotations

import pytest

from localcloud.execute_api.api_keys import check_api_key
from localcloud.execute_api.errors import InvalidApiKey

from .fakes import API_ID, STAGE, FakeBackends, deployment, method, routed

KEY = "k3y-valu3-0123456789abcdefghijklmn"


def make_backends() -> FakeBackends:
    routes = {
        "/pets": {"GET": method("GET", apiKeyRequired=True)},
        "/open": {"GET": method("GET")},
    }
    backends = FakeBackends().serve(deployment(routes)).serve(deployment(routes), stage="prod")
    return backends


def check(backends: FakeBackends, headers=None, path="/pets", stage=STAGE):
    ctx = routed(backends, "GET", path, headers=headers or {}, stage=stage)
    check_api_key(ctx, backends)
    return ctx


def assert_forbidden(backends: FakeBackends, headers=None, stage=STAGE):
    with pytest.raises(InvalidApiKey) as info:
        check(backends, headers, stage=stage)
    err = info.value
    assert (err.status, err.message, err.error_type) == (403, "Forbidden", "ForbiddenException")


def test_valid_key_sets_ctx_api_key():
    backends = make_backends().add_key(KEY, key_id="key1")
    ctx = check(backends, {"x-api-key": KEY})
    assert ctx.api_key == {"id": "key1", "value": KEY}


def test_header_name_is_case_insensitive():
    backends = make_backends().add_key(KEY)
    assert check(backends, {"X-API-Key": KEY}).api_key is not None


@pytest.mark.parametrize("headers", [{}, {"x-api-key": ""}, {"x-api-keys": KEY}])
def test_missing_key_is_forbidden(headers):
    assert_forbidden(make_backends().add_key(KEY), headers)


def test_unknown_key_is_forbidden():
    backends = make_backends().add_key(KEY)
    assert_forbidden(backends, {"x-api-key": KEY + "x"})


def test_disabled_key_is_forbidden():
    assert_forbidden(make_backends().add_key(KEY, enabled=False), {"x-api-key": KEY})


def test_key_in_no_usage_plan_is_forbidden():
    assert_forbidden(make_backends().add_key(KEY, stages=[]), {"x-api-key": KEY})


@pytest.mark.parametrize(
    "stages",
    [
        [("otherapi01", STAGE)],  # plan for another API
        [(API_ID, "prod")],  # plan for another stage of this API
    ],
)
def test_key_in_a_plan_for_another_api_stage_is_forbidden(stages):
    assert_forbidden(make_backends().add_key(KEY, stages=stages), {"x-api-key": KEY})


def test_plan_for_another_stage_serves_that_stage():
    backends = make_backends().add_key(KEY, stages=[(API_ID, "prod")])
    assert check(backends, {"x-api-key": KEY}, stage="prod").api_key["value"] == KEY
    assert_forbidden(backends, {"x-api-key": KEY}, stage=STAGE)


def test_key_found_among_several_plans_and_keys():
    backends = (
        make_backends()
        .add_key("other-key-value-000000000000", key_id="key0", stages=[(API_ID, STAGE)])
        .add_key(KEY, key_id="key1", stages=[("otherapi01", STAGE), (API_ID, STAGE)])
    )
    assert check(backends, {"x-api-key": KEY}).api_key == {"id": "key1", "value": KEY}


def test_plan_holding_another_key_does_not_admit_this_one():
    backends = make_backends().add_key(KEY, key_id="key1", stages=[])
    backends.plans.append(
        {"id": "p", "keyIds": ["key2"], "apiStages": [{"apiId": API_ID, "stage": STAGE}]}
    )
    assert_forbidden(backends, {"x-api-key": KEY})


def test_method_without_api_key_required_skips_the_check():
    backends = make_backends()  # no keys at all
    ctx = check(backends, {}, path="/open")
    assert ctx.api_key is None
    ctx = check(backends, {"x-api-key": "anything"}, path="/open")
    assert ctx.api_key is None
