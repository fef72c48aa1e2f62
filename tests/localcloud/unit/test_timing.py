"""localcloud.timing: the AWS timing rules on a clock the test moves
(docs/aws-behavior.md#aws-timing-mode)."""

from __future__ import annotations

import pytest

from localcloud import timing
from localcloud.timing import BadTimingSetting, Timing

ACCOUNT, REGION = "123456789012", "us-east-1"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rules(clock) -> Timing:
    return Timing(enabled=True, scale=0.1, now=clock)


def test_plain_mode_never_delays_nor_throttles(clock):
    plain = Timing(enabled=False, now=clock)
    plain.role_changed(ACCOUNT, "r")
    plain.function_created(ACCOUNT, REGION, "f")
    plain.policy_attached(ACCOUNT, "r", "p")
    assert plain.role_assumable(ACCOUNT, "r")
    assert plain.policy_in_force(ACCOUNT, "r", "p")
    assert not plain.function_pending(ACCOUNT, REGION, "f")
    assert not any(plain.throttled(ACCOUNT, REGION, "DeleteRestApi") for _ in range(5))
    assert plain.counts == {}


def test_a_new_role_is_assumable_after_its_scaled_propagation(rules, clock):
    rules.role_changed(ACCOUNT, "r")
    assert not rules.role_assumable(ACCOUNT, "r")
    assert rules.role_assumable(ACCOUNT, "other")  # an old role, or one never seen
    clock.advance(timing.ROLE_PROPAGATION_S * 0.1 - 0.01)
    assert not rules.role_assumable(ACCOUNT, "r")
    clock.advance(0.02)
    assert rules.role_assumable(ACCOUNT, "r")
    assert rules.counts["role_not_ready"] == 2
    rules.role_changed(ACCOUNT, "r")  # a trust policy update starts it again
    assert not rules.role_assumable(ACCOUNT, "r")


def test_roles_are_per_account(rules):
    rules.role_changed(ACCOUNT, "r")
    assert rules.role_assumable("999999999999", "r")


def test_an_attached_policy_comes_into_force_after_its_propagation(rules, clock):
    rules.policy_attached(ACCOUNT, "r", "p")
    assert not rules.policy_in_force(ACCOUNT, "r", "p")
    assert rules.policy_in_force(ACCOUNT, "r", "older")
    clock.advance(timing.POLICY_PROPAGATION_S * 0.1 + 0.01)
    assert rules.policy_in_force(ACCOUNT, "r", "p")


def test_a_function_is_pending_then_active(rules, clock):
    rules.function_created(ACCOUNT, REGION, "f")
    assert rules.function_pending(ACCOUNT, REGION, "f")
    assert not rules.update_in_progress(ACCOUNT, REGION, "f")
    clock.advance(timing.FUNCTION_PENDING_S * 0.1 + 0.01)
    assert not rules.function_pending(ACCOUNT, REGION, "f")


def test_an_update_is_in_progress_then_done(rules, clock):
    rules.function_updated(ACCOUNT, REGION, "f")
    assert rules.update_in_progress(ACCOUNT, REGION, "f")
    clock.advance(timing.FUNCTION_UPDATE_S * 0.1 + 0.01)
    assert not rules.update_in_progress(ACCOUNT, REGION, "f")


def test_deleting_a_function_forgets_its_states(rules):
    rules.function_created(ACCOUNT, REGION, "f")
    rules.function_updated(ACCOUNT, REGION, "f")
    rules.function_deleted(ACCOUNT, REGION, "f")
    assert not rules.function_pending(ACCOUNT, REGION, "f")
    assert not rules.update_in_progress(ACCOUNT, REGION, "f")


def test_delete_rest_api_is_one_call_per_scaled_30_s(rules, clock):
    assert not rules.throttled(ACCOUNT, REGION, "DeleteRestApi")
    assert rules.throttled(ACCOUNT, REGION, "DeleteRestApi")
    clock.advance(2.9)  # 30 s x 0.1 = 3 s
    assert rules.throttled(ACCOUNT, REGION, "DeleteRestApi")
    clock.advance(0.11)
    assert not rules.throttled(ACCOUNT, REGION, "DeleteRestApi")
    assert rules.counts["throttled_DeleteRestApi"] == 2


def test_create_deployment_recovers_after_a_scaled_5_s(rules, clock):
    assert not rules.throttled(ACCOUNT, REGION, "CreateDeployment")
    assert rules.throttled(ACCOUNT, REGION, "CreateDeployment")
    clock.advance(0.5)
    assert not rules.throttled(ACCOUNT, REGION, "CreateDeployment")


def test_create_resource_allows_a_burst_of_5(clock):
    rules = Timing(enabled=True, scale=1.0, now=clock)
    assert [rules.throttled(ACCOUNT, REGION, "CreateResource") for _ in range(6)] == [False] * 5 + [
        True
    ]
    clock.advance(0.2)  # 5 per second: one more token
    assert not rules.throttled(ACCOUNT, REGION, "CreateResource")


def test_put_method_allows_a_burst_of_40(clock):
    rules = Timing(enabled=True, scale=1.0, now=clock)
    answers = [rules.throttled(ACCOUNT, REGION, "PutMethod") for _ in range(41)]
    assert answers.count(False) == 40 and answers[-1] is True


def test_quotas_are_per_account_region_and_operation(rules):
    assert not rules.throttled(ACCOUNT, REGION, "DeleteRestApi")
    assert not rules.throttled(ACCOUNT, "eu-west-1", "DeleteRestApi")
    assert not rules.throttled("999999999999", REGION, "DeleteRestApi")
    assert not rules.throttled(ACCOUNT, REGION, "CreateDeployment")
    assert not any(rules.throttled(ACCOUNT, REGION, "GetResources") for _ in range(50))


def test_retry_after_is_the_scaled_interval_at_least_1_s(rules):
    assert rules.retry_after_s("DeleteRestApi") == 3
    assert rules.retry_after_s("CreateDeployment") == 1
    assert Timing(enabled=True, scale=1.0).retry_after_s("DeleteRestApi") == 30


@pytest.mark.parametrize(
    ("env", "enabled", "scale"),
    [
        ({}, False, timing.DEFAULT_SCALE),
        ({"LOCALCLOUD_AWS_TIMING": "1"}, True, timing.DEFAULT_SCALE),
        ({"LOCALCLOUD_AWS_TIMING": "true", "LOCALCLOUD_AWS_TIMING_SCALE": "0.5"}, True, 0.5),
        ({"LOCALCLOUD_AWS_TIMING": "0", "LOCALCLOUD_AWS_TIMING_SCALE": ""}, False, 0.1),
    ],
)
def test_settings_from_the_environment(env, enabled, scale):
    found = Timing.from_env(env)
    assert (found.enabled, found.scale) == (enabled, scale)
    assert found.describe() == {"enabled": enabled, "scale": scale}


@pytest.mark.parametrize(
    "env",
    [
        {"LOCALCLOUD_AWS_TIMING": "maybe"},
        {"LOCALCLOUD_AWS_TIMING_SCALE": "0"},
        {"LOCALCLOUD_AWS_TIMING_SCALE": "-1"},
        {"LOCALCLOUD_AWS_TIMING_SCALE": "nan"},
        {"LOCALCLOUD_AWS_TIMING_SCALE": "fast"},
        {"LOCALCLOUD_AWS_TIMING_SCALE": "11"},
    ],
)
def test_bad_settings_are_one_sentence_saying_what_to_do(env):
    with pytest.raises(BadTimingSetting) as caught:
        Timing.from_env(env)
    message = str(caught.value)
    assert "\n" not in message and ("unset it" in message)


def test_messages_are_aws_wording():
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert timing.pending_message() == (
        "The operation cannot be performed at this time. "
        "The function is currently in the following state: Pending"
    )
    assert timing.update_in_progress_message(arn) == (
        "The operation cannot be performed at this time. An update is in progress for "
        f"resource: {arn}"
    )
    assert timing.CANNOT_ASSUME == "The role defined for the function cannot be assumed by Lambda."
