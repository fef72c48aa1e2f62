"""Identifiers the local cloud makes itself (request ids, API Gateway ids, log stream names).

Random by default; :func:`seed` makes them repeat run to run (the ``--seed`` option of ``up``).
"""

from __future__ import annotations

import random
import string
import threading
import uuid

_rng = random.SystemRandom()
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
        return "".join(_rng.choice("0123456789abcdef") for _ in range(length))


def apigw_id() -> str:
    """An ``x-amz-apigw-id``: 14 base64 characters and ``=`` padding, like AWS's."""
    alphabet = string.ascii_letters + string.digits
    with _lock:
        return "".join(_rng.choice(alphabet) for _ in range(15)) + "="
