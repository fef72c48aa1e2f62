"""Identifiers the local cloud makes itself (request ids, API Gateway ids, log stream names).

Random by default; :func:`seed` makes them repeat run to run (the ``--seed`` option of ``up``).
"""

from __future__ import annotations

import random
import string
import threading
import uuid

#: request ids, log stream names: unique, not secret, so a fast generator seeded from the OS
#: (``SystemRandom`` made a system call per character and cost ~8% of a stage request)
_rng: random.Random = random.Random()
_lock = threading.Lock()


def seed(value: int) -> None:
    global _rng
    with _lock:
        _rng = random.Random(value)


def uuid4() -> str:
    with _lock:
        return str(uuid.UUID(int=_rng.getrandbits(128), version=4))


def hex_id(length: int = 32) -> str:
    with _lock:
        bits = _rng.getrandbits(4 * length)
    return f"{bits:0{length}x}"


def apigw_id() -> str:
    """An ``x-amz-apigw-id``: 14 base64 characters and ``=`` padding, like AWS's."""
    with _lock:
        return "".join(_rng.choices(_APIGW_ALPHABET, k=15)) + "="


_APIGW_ALPHABET = string.ascii_letters + string.digits


# -- AWS-shaped resource IDs (docs/aws-behavior.md#aws-shaped-ids) ------------------------------
# Their own random source, so that request ids drawn by concurrent requests never shift them:
# a seeded run makes the same resource IDs in the same order every time.

_resource_rng: random.Random = random.SystemRandom()
LOWER_ALNUM = string.ascii_lowercase + string.digits
ALNUM = string.ascii_letters + string.digits


def seed_resource_ids(value: int) -> None:
    """Make :func:`aws_id` repeat run to run (``--seed``)."""
    global _resource_rng
    with _lock:
        _resource_rng = random.Random(value)


def aws_id(length: int, alphabet: str = LOWER_ALNUM) -> str:
    """A resource ID of ``length`` characters of ``alphabet`` (AWS's shapes: see the callers)."""
    with _lock:
        return "".join(_resource_rng.choice(alphabet) for _ in range(length))
