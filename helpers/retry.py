"""What AWS makes you wait for, handled once: retries with backoff within a time budget, and
botocore's waiters, both showing progress and both ending with one line naming what they waited
for.

- A role made seconds ago is not yet usable by Lambda: ``CreateFunction`` answers
  ``InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda``
  for a few seconds (IAM propagation).
- A function is ``Pending`` after its creation and ``InProgress`` after an update; a second update
  meanwhile answers ``ResourceConflictException``.
- API Gateway throttles control-plane calls such as ``CreateDeployment`` (one every 5 s per
  account) and ``DeleteRestApi`` (one every 30 s) with ``TooManyRequestsException``.

**Budgets.** Each wait has a budget in AWS's seconds (:data:`ROLE_BUDGET_S`, …). It is scaled to
the target by :func:`wait_scale`: 1 on AWS; on a local cloud in AWS timing mode, the scale it
reports (it makes AWS's delays that much shorter, so the kit's waits shrink alike); on a plain local
cloud, where nothing needs waiting for, :data:`PLAIN_LOCAL_SCALE`. A role whose trust policy does
not admit ``lambda.amazonaws.com`` gets the same ``cannot be assumed`` answer as a new one, for
ever: :func:`role_not_ready` cannot tell them apart, so ``ensure_function`` gives up when the
budget is spent (60 s on AWS, 6 s in timing mode at its default scale, about a second on a plain
local cloud) with :class:`GaveUp`'s one line: what it waited for, how long, and what to check.

**Progress.** A retry or waiter poll that brings the wait past :data:`QUIET_S` prints one line
(``waiting for …``); a wait shorter than that prints nothing, so a plain local run shows nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlparse
from urllib.request import urlopen

from botocore.exceptions import ClientError, WaiterError

from helpers.errors import KitError

T = TypeVar("T")

#: how long AWS may take, in AWS's seconds, before the kit gives up (scaled by wait_scale)
ROLE_BUDGET_S = 60.0  # IAM propagation: "a few seconds", usually under 10
UPDATE_BUDGET_S = 60.0  # a function update without a VPC: a few seconds
THROTTLE_BUDGET_S = 60.0  # CreateDeployment: one call every 5 s per account
DELETE_API_BUDGET_S = 150.0  # DeleteRestApi: one call every 30 s per account
WAITER_BUDGET_S = 300.0  # botocore's function_active_v2 / function_updated_v2: 300 polls, 1 s
#: the scale of waits on a local cloud not in AWS timing mode (nothing there needs waiting for)
PLAIN_LOCAL_SCALE = 0.02
#: waits shorter than this (seconds, as waited) print nothing
QUIET_S = 1.0


class GaveUp(KitError):
    """A wait that ran out of budget: one line naming what was waited for and for how long. The
    instance is also of the last AWS error's own class (see :func:`_gave_up`), so code that
    catches that error still does."""


def _gave_up(err: ClientError, line: str) -> GaveUp:
    """``err`` as a :class:`GaveUp` whose message is ``line``: an instance of a class deriving
    from both, so it is still the ``TooManyRequestsException`` (or other) botocore raised."""
    kind = type(err)
    cls = type(kind.__name__, (GaveUp, kind), {"__module__": __name__})
    gave_up = cls.__new__(cls)
    gave_up.__dict__.update(err.__dict__)
    gave_up.args = (line,)
    return gave_up


def error_code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


def unless_missing(call: Callable[[], T], *codes: str) -> T | None:
    """``call()``'s answer, or None when AWS answers one of ``codes``: the thing is not there
    (``ResourceNotFoundException``, ``NoSuchEntity``, ``NotFoundException``, …)."""
    try:
        return call()
    except ClientError as err:
        if error_code(err) in codes:
            return None
        raise


def role_not_ready(err: ClientError) -> bool:
    """Lambda cannot assume a just-created role yet (IAM propagation)."""
    message = err.response.get("Error", {}).get("Message", "")
    return error_code(err) == "InvalidParameterValueException" and "assumed" in message


def throttled(err: ClientError) -> bool:
    return error_code(err) in ("TooManyRequestsException", "ThrottlingException", "Throttling")


def conflict_in_progress(err: ClientError) -> bool:
    """Lambda is still applying the previous update, or still creating the function
    (``ResourceConflictException``)."""
    return error_code(err) == "ResourceConflictException" and (
        "in progress" in str(err) or "in the following state: 'Pending'" in str(err)
    )


def wait_scale(client: Any) -> float:
    """How much shorter than on AWS the target's waits are: 1 on AWS (or for a client without an
    endpoint of its own); on a local cloud, the scale its health document reports when it runs in
    AWS timing mode, else :data:`PLAIN_LOCAL_SCALE`."""
    endpoint = getattr(getattr(client, "meta", None), "endpoint_url", None) or ""
    host = urlparse(endpoint).hostname or ""
    if not endpoint or host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")):
        return 1.0
    try:
        with urlopen(f"{endpoint.rstrip('/')}/_localcloud/health", timeout=2) as answer:
            timing = (json.load(answer) or {}).get("aws_timing") or {}
    except (OSError, ValueError, AttributeError):
        return 1.0  # not a local cloud we know: wait as on AWS
    if timing.get("enabled") and isinstance(timing.get("scale"), (int, float)):
        return float(timing["scale"])
    return PLAIN_LOCAL_SCALE


def with_retry(
    call: Callable[[], T],
    *,
    retry_if: Callable[[ClientError], bool],
    attempts: int = 8,
    first_delay: float = 2.0,
    max_delay: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    budget_s: float | None = None,
    client: Any = None,
    waiting_for: str = "",
    advice: str = "",
    progress: Callable[[str], None] = print,
) -> T:
    """``call()``, retried with exponential backoff while ``retry_if(error)`` holds.

    Delays and ``budget_s`` are AWS's seconds, scaled by :func:`wait_scale` of ``client`` (1
    without one). Retrying stops after ``attempts`` calls, or when the next delay would take the
    wait past the budget. Then, when ``waiting_for`` names what was awaited, a :class:`GaveUp`
    says so in one line (with ``advice``); without it the last error is raised unchanged. An
    error ``retry_if`` rejects is raised unchanged at once.
    """
    delay, waited, scale = first_delay, 0.0, None
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except ClientError as err:
            if not retry_if(err):
                raise
            if scale is None:
                scale = wait_scale(client) if client is not None else 1.0
            pause = delay * scale
            budget = budget_s * scale if budget_s is not None else None
            if attempt == attempts or (budget is not None and waited + pause > budget + 1e-9):
                if not waiting_for:
                    raise
                line = (
                    f"Gave up waiting for {waiting_for} after {waited:.0f} s ({attempt} tries, "
                    f"last answer {error_code(err)})" + (f": {advice}." if advice else ".")
                )
                raise _gave_up(err, line) from None
            if waiting_for and waited + pause >= QUIET_S:
                progress(
                    f"waiting for {waiting_for}: {error_code(err)}, try {attempt + 1} in "
                    f"{pause:.1f} s"
                )
            sleep(pause)
            waited += pause
            delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")


def answer_until(
    send: Callable[[], Any],
    expect: int | None,
    wait_s: float = 60.0,
    *,
    what: str = "the API",
    progress: Callable[[str], None] = print,
) -> Any:
    """``send()``'s HTTP answer. With ``expect``, sent again every 2 s until its status is
    ``expect`` or ``wait_s`` has passed; the last answer is returned either way (the caller's
    check says what it got). On AWS a new deployment or API key takes seconds to reach every
    edge; on the local cloud the first answer is final, so nothing is printed there."""
    deadline = time.monotonic() + wait_s
    started = time.monotonic()
    while True:
        answer = send()
        if expect is None or answer.status_code == expect or time.monotonic() > deadline:
            return answer
        waited = time.monotonic() - started
        progress(
            f"waiting for {what} to answer {expect}, not {answer.status_code} ({waited:.0f} s)"
        )
        time.sleep(2)


def wait_for(
    client: Any,
    waiter_name: str,
    waiting_for: str,
    *,
    delay_s: float = 1.0,
    budget_s: float = WAITER_BUDGET_S,
    progress: Callable[[str], None] = print,
    **params: Any,
) -> None:
    """Wait with botocore's waiter ``waiter_name`` (``function_active_v2``, …) for
    ``waiting_for``: polls every ``delay_s`` and at most ``budget_s`` (AWS's seconds, scaled by
    :func:`wait_scale`); a poll past :data:`QUIET_S` prints one progress line; giving up (the
    budget spent, or a failure state) is one :class:`KitError` line naming what it waited for."""
    scale = wait_scale(client)
    delay = max(0.05, delay_s * scale)
    attempts = max(2, int(budget_s * scale / delay) + 1)
    waiter = client.get_waiter(waiter_name)
    started = time.monotonic()
    said = [0.0]

    def on_poll(**_: Any) -> None:
        elapsed = time.monotonic() - started
        if elapsed >= QUIET_S and elapsed - said[0] >= QUIET_S:
            said[0] = elapsed
            progress(f"waiting for {waiting_for} ({elapsed:.0f} s)")

    service = client.meta.service_model.service_id.hyphenize()
    event, hook_id = f"after-call.{service}.{waiter.config.operation}", f"wait_for.{id(waiter)}"
    client.meta.events.register(event, on_poll, unique_id=hook_id)
    try:
        waiter.wait(**params, WaiterConfig={"Delay": delay, "MaxAttempts": attempts})
    except WaiterError as err:
        elapsed = time.monotonic() - started
        why = str(err.kwargs.get("reason") or err).splitlines()[0]
        raise KitError(
            f"Gave up waiting for {waiting_for} after {elapsed:.0f} s ({why})."
        ) from None
    finally:
        client.meta.events.unregister(event, unique_id=hook_id)
