"""The nbval phase of ``make test``: its plugin's diff of a changed output, and the phase itself
(the Makefile's options, a fresh local cloud, the sanitizers) on small recorded notebooks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.cloud import REPO_ROOT
from tests.notebooks.nbval_cloud import pytest_assertrepr_compare


def makefile_nbval_options() -> list[str]:
    """The options ``make test`` gives nbval (its ``NBVAL`` variable), so this tests the same."""
    text = (REPO_ROOT / "Makefile").read_text()
    value = re.search(r"^NBVAL := ((?:.*\\\n)*.*)$", text, re.MULTILINE).group(1)
    return value.replace("\\\n", " ").split()


NBVAL_OPTIONS = makefile_nbval_options()


def test_a_changed_output_is_reported_as_the_lines_that_changed():
    recorded = "| what | state |\n| --- | --- |\n| REST API | gone |\n| user pool | gone |"
    now = recorded.replace("user pool | gone", "user pool | still there")
    lines = pytest_assertrepr_compare(None, "==", recorded, now)
    assert "-| user pool | gone |" in lines and "+| user pool | still there |" in lines
    assert "-| REST API | gone |" not in lines  # unchanged lines are context, not changes
    assert lines[0].startswith("the output differs from the recorded one")


def test_other_comparisons_are_left_to_pytest():
    assert pytest_assertrepr_compare(None, "==", 1, 2) is None
    assert pytest_assertrepr_compare(None, "!=", "a", "b") is None


def nbval(notebook: Path) -> subprocess.CompletedProcess:
    """``make test``'s nbval phase, on one notebook."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *NBVAL_OPTIONS, str(notebook)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def recorded_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    """A notebook of code cells, each recorded as having printed ``recorded`` ("" for nothing)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            source,
            execution_count=count,
            outputs=[nbformat.v4.new_output("stream", name="stdout", text=recorded)]
            if recorded
            else [],
        )
        for count, (source, recorded) in enumerate(cells, 1)
    ]
    nbformat.write(nb, path)
    return path


def test_the_nbval_phase_passes_what_was_recorded_and_masks_only_the_port(tmp_path):
    notebook = recorded_notebook(
        tmp_path / "same.ipynb",
        [
            ("import os", ""),
            ('print("Hello, misi!")', "Hello, misi!\n"),
            # the replay's cloud has a port of its own; the recording shows 4566
            (
                "print(f\"http://127.0.0.1:{os.environ['LOCALCLOUD_PORT']}/x\")",
                "http://127.0.0.1:4566/x\n",
            ),
        ],
    )
    done = nbval(notebook)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "3 passed" in done.stdout


def test_the_nbval_phase_fails_a_changed_output_with_a_line_diff(tmp_path):
    notebook = recorded_notebook(
        tmp_path / "changed.ipynb",
        [('print("| exp | 60 minutes after issue |")', "| exp | 60 min after issue |\n")],
    )
    done = nbval(notebook)
    assert done.returncode == 1
    assert "-| exp | 60 min after issue |" in done.stdout
    assert "+| exp | 60 minutes after issue |" in done.stdout
    assert "\x1b[" not in done.stdout  # no colour codes in a log
