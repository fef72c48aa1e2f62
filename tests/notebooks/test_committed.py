"""The committed notebooks: each carries a recorded run (``make record``), holds nothing secret or
bound to the recording machine, and nbval compares at least 80% of the code cells that show
something. The replay itself is the last phase of ``make test`` (nbval on a fresh local cloud).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jwt
import nbformat
import pytest

from helpers.cloud import REPO_ROOT
from helpers.cognito import generate_password
from tools.leaks import find_leaks, fingerprint
from tools.record import RECORDING_FILE, SEED, SHOWN_PORT
from tools.series import NOTEBOOKS_DIR, TEARDOWN, TUTORIAL

SANITIZE_FILE = Path(__file__).with_name("sanitize.cfg")
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
#: nbval's markers that stop it from comparing a cell's output (tags and source comments)
IGNORING_TAGS = {"nbval-ignore-output", "nbval-skip", "raises-exception"}
IGNORING_COMMENTS = re.compile(r"^\s*#\s*(NBVAL_IGNORE_OUTPUT|NBVAL_SKIP)\s*$", re.MULTILINE)
MINIMUM_COMPARED = 0.80


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def is_ignored(cell: nbformat.NotebookNode) -> bool:
    tags = set(cell.metadata.get("tags", []))
    return bool(tags & IGNORING_TAGS) or bool(IGNORING_COMMENTS.search(cell.source))


def output_cells(notebooks: list[nbformat.NotebookNode]) -> tuple[int, int]:
    """(compared, ignored): the code cells that show something, split by whether nbval compares
    their output."""
    cells = [c for nb in notebooks for c in nb.cells if c.cell_type == "code" and c.outputs]
    ignored = sum(1 for c in cells if is_ignored(c))
    return len(cells) - ignored, ignored


def sanitizers() -> list[tuple[str, str]]:
    """The regex/replace pairs of sanitize.cfg, read as nbval reads them."""
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", SANITIZE_FILE.read_text(), re.MULTILINE)


def output_texts(nb: nbformat.NotebookNode) -> list[str]:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append(output.text)
            for value in output.get("data", {}).values():
                texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def test_every_notebook_of_the_series_is_committed_with_a_recorded_run():
    assert [p.stem for p in NOTEBOOKS] == TUTORIAL + TEARDOWN
    for path in NOTEBOOKS:
        nb = read(path)
        code = [c for c in nb.cells if c.cell_type == "code"]
        counts = [c.execution_count for c in code]
        assert counts == list(range(1, len(code) + 1)), f"{path.name}: run `make record`"
        assert "papermill" not in nb.metadata, path.name
        assert not any("injected-parameters" in c.metadata.get("tags", []) for c in code)
        assert not any(o.output_type == "error" for c in code for o in c.outputs), path.name


def test_at_least_80_percent_of_the_code_cells_that_show_something_are_compared():
    compared, ignored = output_cells([read(p) for p in NOTEBOOKS])
    print(f"code cells with output: {compared} compared, {ignored} ignored")
    assert compared > 0
    assert compared / (compared + ignored) >= MINIMUM_COMPARED


def test_the_count_sees_both_kinds_of_ignore_marker():
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_output("stream", text="x\n")
    cells = [nbformat.v4.new_code_cell(src, outputs=[shown]) for src in ("a", "b", "c", "d")]
    cells[1].metadata["tags"] = ["nbval-ignore-output"]
    cells[2].source = "# NBVAL_IGNORE_OUTPUT\nc"
    cells.append(nbformat.v4.new_code_cell("silent"))  # no output: not counted
    nb.cells = cells
    assert output_cells([nb]) == (2, 2)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_committed_notebook_holds_no_secret_and_no_machine_path(path):
    recording = json.loads(RECORDING_FILE.read_text())
    found = find_leaks(
        path.read_text(),
        fingerprints=[recording["password"]],
        paths=[REPO_ROOT, Path.home()],
    )
    assert not found, f"{path.name}: {found}"


def test_the_leak_check_would_catch_each_kind_in_a_notebook(tmp_path):
    """Planted in a copy of a committed notebook, each kind of leak is found."""
    password = generate_password()
    token = jwt.encode({"sub": "x", "token_use": "id"}, "k" * 32, algorithm="HS256")
    nb = read(NOTEBOOKS_DIR / "07_postman_tests.ipynb")
    planted = {
        "password": f"password={password}&next=1",
        "JWT": f"Authorization: {token}",
        "access key ID": "aws_access_key_id = AKIA" + "ABCDEFGHIJKLMNOP",
        "absolute path": "/home/learner/cognito-api-kit/notebooks",
        "this machine's path": str(REPO_ROOT),
    }
    for kind, text in planted.items():
        copy = read(NOTEBOOKS_DIR / "07_postman_tests.ipynb")
        copy.cells[-2].outputs = [nbformat.v4.new_output("stream", text=text)]
        found = find_leaks(
            nbformat.writes(copy), fingerprints=[fingerprint(password)], paths=[REPO_ROOT]
        )
        assert any(kind in finding for finding in found), (kind, found)
    assert not find_leaks(nbformat.writes(nb), fingerprints=[fingerprint(password)])


def test_the_recording_was_made_with_the_seed_the_replay_uses():
    recording = json.loads(RECORDING_FILE.read_text())
    assert recording["seed"] == SEED
    assert set(recording["password"]) == {"salt", "sha256"}


def test_each_sanitizer_is_narrow_and_needed():
    """Every pattern replaces something in the recorded outputs, and only short values (one kind
    of value, never a whole line); the recording shows make up's port."""
    pairs = sanitizers()
    assert pairs, "sanitize.cfg has no regex/replace pair"
    texts = [t for p in NOTEBOOKS for t in output_texts(read(p))]
    for regex, _replace in pairs:
        matches = [m.group() for t in texts for m in re.finditer(regex, t)]
        assert matches, f"{regex} matches nothing in the recorded outputs: drop it"
        assert max(len(m) for m in matches) <= 40, f"{regex} is not narrow: {max(matches)}"
        assert not re.fullmatch(regex, "Hello, misi!"), regex
    shown = [m for t in texts for m in re.findall(r"127\.0\.0\.1:(\d+)", t)]
    assert shown and set(shown) == {str(SHOWN_PORT)}
