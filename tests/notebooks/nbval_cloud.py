"""pytest plugin for the nbval phase of ``make test`` (``-p tests.notebooks.nbval_cloud``).

Before nbval starts the first kernel, it starts a fresh local cloud with the recording's seed,
so generated IDs come out as recorded, and points the kernels (they inherit ``os.environ``) at
it and at a private outputs file and ``runs/``. The learner's ``make up`` is never touched.
When an output differs from the recorded one, the report is a line diff of the two.
"""

from __future__ import annotations

import difflib
import os
import shutil
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest

from localcloud.ephemeral import ephemeral
from tools.record import SEED, private_environment

_stack = ExitStack()


def pytest_configure(config: pytest.Config) -> None:
    if not getattr(config.option, "nbval", False):
        return
    if config.option.color == "auto" and not sys.stdout.isatty():
        config.option.color = "no"  # nbval colours its reports unless told not to
    tmp = Path(tempfile.mkdtemp(prefix="nbval-"))
    _stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    cloud = _stack.enter_context(ephemeral(tmp / "cloud", seed=SEED))
    _stack.enter_context(private_environment(tmp, cloud.port))


def pytest_report_header(config: pytest.Config) -> str | None:
    if getattr(config.option, "nbval", False):
        return f"nbval: a fresh local cloud on port {os.environ['LOCALCLOUD_PORT']}, seed {SEED}"
    return None


def pytest_unconfigure(config: pytest.Config) -> None:
    _stack.close()


@pytest.hookimpl(tryfirst=True)
def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object):
    """nbval's "outputs differ" report, as the lines that changed (recorded ``-``, now ``+``)."""
    if op != "==" or not isinstance(left, str) or not isinstance(right, str):
        return None
    diff = difflib.unified_diff(
        left.splitlines(), right.splitlines(), "recorded", "this run", n=1, lineterm=""
    )
    return ["the output differs from the recorded one (- recorded, + this run):", *diff]
