"""What AWS makes you wait for, handled once: retries with backoff, and botocore's waiters.

- A role made seconds ago is not yet usable by Lambda: ``CreateFunction`` answers
  ``InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda``
  for a few seconds (IAM propagation).
- API Gateway throttles control-plane calls such as ``CreateDeployment`` and ``DeleteRestApi``
  with ``TooManyRequestsException`` (``DeleteRestApi``: one call every 30 s per account).

On the local cloud a role is usable at once and nothing is throttled, so a correct stack never
waits there. But it answers a role whose trust policy does not admit ``lambda.amazonaws.com``
with that same ``cannot be assumed`` error, as AWS does, and :func:`role_not_ready` cannot tell
the two apart: ``ensure_function`` retries it like propagation, with :func:`with_retry`'s
defaults for about two minutes (sleeping 2 + 4 + 8 + 16 + 30 + 30 + 30 s), before the error is
raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")


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
    """Lambda is still applying the previous update (``ResourceConflictException``)."""
    return error_code(err) == "ResourceConflictException" and "in progress" in str(err)


def with_retry(
    call: Callable[[], T],
    *,
    retry_if: Callable[[ClientError], bool],
    attempts: int = 8,
    first_delay: float = 2.0,
    max_delay: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()``, retried with exponential backoff while ``retry_if(error)`` holds.

    The last error is raised unchanged when ``attempts`` run out or ``retry_if`` says no.
    """
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except ClientError as err:
            if attempt == attempts or not retry_if(err):
                raise
            sleep(delay)
            delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")
