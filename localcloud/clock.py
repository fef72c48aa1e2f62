"""The local cloud's notion of now: the wall clock plus an offset that ``POST
/_localcloud/clock`` moves forward (``{"advance_seconds": N}``) or clears (``{"reset": true}``).

Only token issue (Cognito) and token expiry (the API Gateway authorizer) read it, so a learner can
watch a token expire without waiting. The offset lives in memory: a restart resets it. AWS has no
such thing (docs/aws-behavior.md#cognito-token-endpoint rule 8).
"""

from __future__ import annotations

import math
import threading
import time

_lock = threading.Lock()
_offset = 0.0


def now() -> float:
    """Seconds since the epoch, as the local cloud sees them (wall clock + offset)."""
    with _lock:
        return time.time() + _offset


def offset() -> float:
    with _lock:
        return _offset


def advance(seconds: float) -> float:
    """Move now forward by ``seconds`` (finite, not negative); returns the new offset."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError("advance_seconds must be a number")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("advance_seconds must be a finite number, not negative")
    global _offset
    with _lock:
        _offset += float(seconds)
        return _offset


def reset() -> None:
    global _offset
    with _lock:
        _offset = 0.0
