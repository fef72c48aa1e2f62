"""What a test does when a tool it needs (newman, Chromium) is missing: under CI it fails, since
CI installs every tool (``make setup``) and a check that silently did not run proves nothing;
elsewhere it is reported as skipped with ``not run: <reason>``, never as passed."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def under_ci() -> bool:
    """True when the run is CI's (``CI=true``, as ``.ci/run`` is started)."""
    return os.environ.get("CI") == "true"


def tool_missing(reason: str) -> NoReturn:
    """Stop the test for a missing tool: ``pytest.fail(reason)`` under CI, else
    ``pytest.skip("not run: " + reason)``."""
    if under_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip("not run: " + reason)
