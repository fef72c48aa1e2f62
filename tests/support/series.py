"""What the tests that run the notebook series share: the environment their kernels inherit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def series_environment(port: int, tmp: Path) -> Iterator[None]:
    """While it lasts, kernels started by the runner talk to the local cloud on ``port`` and keep
    the outputs file and executed notebooks under ``tmp`` (never the learner's)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("LOCALCLOUD_PORT", str(port))
    patch.setenv("LOCALCLOUD_HOME", str(tmp))
    patch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp / "outputs"))
    patch.setenv("TUTORIAL_RUNS_DIR", str(tmp / "runs"))
    try:
        yield
    finally:
        patch.undo()
