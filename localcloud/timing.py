"""AWS timing mode: the delays and throttles real AWS imposes, scaled down, in one place
(docs/aws-behavior.md#aws-timing-mode).

Off by default. ``LOCALCLOUD_AWS_TIMING=1`` (``localcloud serve --aws-timing``, ``make up
AWS_TIMING=1``) turns it on; ``LOCALCLOUD_AWS_TIMING_SCALE`` (default :data:`DEFAULT_SCALE`)
multiplies every AWS figure below, so a run stays short while keeping AWS's proportions.

What it reproduces (each figure is AWS's, before scaling):

- IAM propagation: for :data:`ROLE_PROPAGATION_S` after ``CreateRole`` or
  ``UpdateAssumeRolePolicy``, Lambda cannot assume the role; for :data:`POLICY_PROPAGATION_S`
  after ``AttachRolePolicy`` or ``PutRolePolicy``, the policy is not yet in force for the role's
  calls;
- Lambda states: a new function is ``Pending`` for :data:`FUNCTION_PENDING_S`; an update keeps
  ``LastUpdateStatus`` ``InProgress`` for :data:`FUNCTION_UPDATE_S`;
- API Gateway's fixed control-plane quotas per account (:data:`APIGATEWAY_QUOTAS`), as token
  buckets.

The delays are real wall-clock waits (``time.monotonic``), not the movable clock of
:mod:`localcloud.clock`: a client must really wait, as it would on AWS. The rules read the
:class:`~localcloud.aws_call.AwsCall` the app parsed once; they never parse a request.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

ENV = "LOCALCLOUD_AWS_TIMING"
SCALE_ENV = "LOCALCLOUD_AWS_TIMING_SCALE"
#: the default scale: AWS's figures times 0.1 keeps the series within 3x its plain time
DEFAULT_SCALE = 0.1

#: AWS documents no figure; "a few seconds" is what its guides say (inferred: 10 s)
ROLE_PROPAGATION_S = 10.0
POLICY_PROPAGATION_S = 10.0
#: a zip function without a VPC is Pending for a few seconds (inferred: 5 s)
FUNCTION_PENDING_S = 5.0
#: an update without a VPC is InProgress for a few seconds (inferred: 5 s)
FUNCTION_UPDATE_S = 5.0


@dataclass(frozen=True)
class Quota:
    """A token bucket: ``burst`` calls at once, refilled at ``per_second``."""

    per_second: float
    burst: int


#: API Gateway's fixed per-account quotas for creating, deploying and managing an API (the
#: "API Gateway quotas" page); PutMethod falls under "total operations: 10 per second, burst 40"
APIGATEWAY_QUOTAS: dict[str, Quota] = {
    "CreateDeployment": Quota(1 / 5, 1),
    "DeleteRestApi": Quota(1 / 30, 1),
    "CreateRestApi": Quota(1 / 3, 1),
    "CreateResource": Quota(5, 5),
    "PutMethod": Quota(10, 40),
}
TOO_MANY_REQUESTS = "Too Many Requests"
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."


def pending_message() -> str:
    """Lambda's answer to an Invoke of a function that is still ``Pending``."""
    return (
        "The operation cannot be performed at this time. "
        "The function is currently in the following state: Pending"
    )


def pending_update_message(function_arn: str) -> str:
    """Lambda's answer to an update of a function that is still ``Pending``."""
    return (
        f"The operation cannot be performed at this time. The resource {function_arn} is "
        "currently in the following state: 'Pending'. StateReasonCode: 'Creating'"
    )


def update_in_progress_message(function_arn: str) -> str:
    """Lambda's answer to an update while the previous one is ``InProgress``."""
    return (
        "The operation cannot be performed at this time. An update is in progress for "
        f"resource: {function_arn}"
    )


class BadTimingSetting(ValueError):
    """``LOCALCLOUD_AWS_TIMING`` or its scale holds something the local cloud cannot use."""


def _scale_from(raw: str | None) -> float:
    if raw is None or raw.strip() == "":
        return DEFAULT_SCALE
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 < value <= 10:
        raise BadTimingSetting(
            f"{SCALE_ENV}={raw!r} is not a number above 0 and at most 10; set it to a factor "
            f"such as {DEFAULT_SCALE:g} (AWS's figures times it), or unset it."
        )
    return value


def enabled_in(env: dict[str, str] | os._Environ) -> bool:
    """Whether ``LOCALCLOUD_AWS_TIMING`` turns the mode on (``1``/``true``/``yes``/``on``)."""
    raw = env.get(ENV, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise BadTimingSetting(f"{ENV}={env.get(ENV)!r} is neither 1 nor 0; set it to 1 or unset it.")


@dataclass
class Timing:
    """The AWS timing rules of one local cloud. With ``enabled`` False every check passes and
    every state is final at once (the plain mode)."""

    enabled: bool = False
    scale: float = DEFAULT_SCALE
    now: Callable[[], float] = time.monotonic
    #: (account, role name) -> when Lambda may assume it
    _roles: dict[tuple[str, str], float] = field(default_factory=dict)
    #: (account, role name, policy name) -> when the policy is in force for the role's calls
    _policies: dict[tuple[str, str, str], float] = field(default_factory=dict)
    #: (account, region, function name) -> when it becomes Active
    _pending: dict[tuple[str, str, str], float] = field(default_factory=dict)
    #: (account, region, function name) -> when its last update finishes
    _updating: dict[tuple[str, str, str], float] = field(default_factory=dict)
    #: (account, region, operation) -> (tokens, when counted)
    _buckets: dict[tuple[str, str, str], tuple[float, float]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ | None = None) -> Timing:
        env = os.environ if env is None else env
        return cls(enabled=enabled_in(env), scale=_scale_from(env.get(SCALE_ENV)))

    def describe(self) -> dict[str, object]:
        """What ``/_localcloud/health`` says of the mode (the kit scales its waits by it)."""
        return {"enabled": self.enabled, "scale": self.scale}

    def _after(self, aws_seconds: float) -> float:
        return self.now() + aws_seconds * self.scale

    def _count(self, what: str) -> None:
        self.counts[what] += 1

    # -- IAM propagation ----------------------------------------------------------------------

    def role_changed(self, account: str, role_name: str) -> None:
        """``CreateRole`` or ``UpdateAssumeRolePolicy`` succeeded: Lambda must wait."""
        if self.enabled:
            with self._lock:
                self._roles[(account, role_name)] = self._after(ROLE_PROPAGATION_S)

    def role_assumable(self, account: str, role_name: str) -> bool:
        """Whether Lambda can assume the role yet (counts a refusal)."""
        if not self.enabled:
            return True
        with self._lock:
            ready = self._roles.get((account, role_name), 0.0) <= self.now()
            if not ready:
                self._count("role_not_ready")
            return ready

    def policy_attached(self, account: str, role_name: str, policy_name: str) -> None:
        """``AttachRolePolicy`` or ``PutRolePolicy`` succeeded: not in force for a while."""
        if self.enabled:
            with self._lock:
                key = (account, role_name, policy_name)
                self._policies[key] = self._after(POLICY_PROPAGATION_S)

    def policy_in_force(self, account: str, role_name: str, policy_name: str) -> bool:
        if not self.enabled:
            return True
        with self._lock:
            return self._policies.get((account, role_name, policy_name), 0.0) <= self.now()

    def policy_not_yet_in_force(self) -> None:
        """A role's call was decided without a just-attached policy."""
        with self._lock:
            self._count("policy_not_in_force")

    # -- Lambda states --------------------------------------------------------------------------

    def function_created(self, account: str, region: str, name: str) -> None:
        if self.enabled:
            with self._lock:
                self._pending[(account, region, name)] = self._after(FUNCTION_PENDING_S)
                self._updating.pop((account, region, name), None)

    def function_updated(self, account: str, region: str, name: str) -> None:
        if self.enabled:
            with self._lock:
                self._updating[(account, region, name)] = self._after(FUNCTION_UPDATE_S)

    def function_deleted(self, account: str, region: str, name: str) -> None:
        with self._lock:
            self._pending.pop((account, region, name), None)
            self._updating.pop((account, region, name), None)

    def function_pending(self, account: str, region: str, name: str) -> bool:
        """Whether the function is still ``Pending`` (never in the plain mode)."""
        with self._lock:
            return self._pending.get((account, region, name), 0.0) > self.now()

    def update_in_progress(self, account: str, region: str, name: str) -> bool:
        """Whether the function's last update is still ``InProgress``."""
        with self._lock:
            return self._updating.get((account, region, name), 0.0) > self.now()

    def refused(self, what: str) -> None:
        """Count a refusal or an observed transient state (``/_localcloud/stats``)."""
        with self._lock:
            self._count(what)

    # -- API Gateway's quotas -------------------------------------------------------------------

    def throttled(self, account: str, region: str, operation: str | None) -> bool:
        """Whether API Gateway refuses this call now (True counts it); takes a token otherwise.
        Each quota is per account and Region, its rate divided by the scale."""
        quota = APIGATEWAY_QUOTAS.get(operation or "") if self.enabled else None
        if quota is None:
            return False
        rate = quota.per_second / self.scale
        with self._lock:
            now = self.now()
            key = (account, region, operation or "")
            tokens, then = self._buckets.get(key, (float(quota.burst), now))
            tokens = min(float(quota.burst), tokens + (now - then) * rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                self._count(f"throttled_{operation}")
                return True
            self._buckets[key] = (tokens - 1, now)
            return False

    def retry_after_s(self, operation: str | None) -> int:
        """The ``Retry-After`` seconds a throttled call is told (at least 1, as HTTP wants)."""
        quota = APIGATEWAY_QUOTAS.get(operation or "")
        if quota is None:
            return 1
        return max(1, math.ceil(self.scale / quota.per_second))

    def stats(self) -> dict[str, object]:
        with self._lock:
            return {**self.describe(), "counts": dict(self.counts)}


_current = Timing()


def current() -> Timing:
    """The running local cloud's rules (plain until :func:`install`)."""
    return _current


def install(timing: Timing) -> Timing:
    """Make ``timing`` the rules every service reads; returns it."""
    global _current
    _current = timing
    return timing
