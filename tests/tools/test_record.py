"""tools.record: a recorded notebook loses papermill's metadata and shows the default port; the
private environment points the kernels elsewhere and is restored after."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbformat import v4

from tools.record import SHOWN_PORT, clean, private_environment

PORT = 41234
OTHER = 50001
KEYS = ("LOCALCLOUD_PORT", "LOCALCLOUD_HOME", "TUTORIAL_OUTPUTS_DIR", "TUTORIAL_RUNS_DIR")


def papermill_cell(cell, *, tags=None):
    cell.metadata["papermill"] = {"duration": 0.1, "status": "completed"}
    cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00.000Z"}
    cell.metadata["tags"] = [] if tags is None else tags
    return cell


def notebook(port: int = PORT):
    nb = v4.new_notebook()
    nb.metadata["papermill"] = {"duration": 3.2, "parameters": {"target": "local"}}
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        papermill_cell(v4.new_code_cell('target = "local"'), tags=["parameters"]),
        papermill_cell(
            v4.new_code_cell(
                "print(api_url)",
                outputs=[
                    v4.new_output(
                        "stream", name="stdout", text=f"http://127.0.0.1:{port}/restapis/x\n"
                    ),
                    v4.new_output(
                        "execute_result",
                        data={"text/plain": f"'http://127.0.0.1:{OTHER}/restapis/y'"},
                        execution_count=2,
                    ),
                ],
                execution_count=2,
            )
        ),
        papermill_cell(v4.new_markdown_cell(f"The cloud answers on `127.0.0.1:{port}`.")),
    ]
    nb.cells[1].outputs[1].metadata["papermill"] = {"x": 1}
    return nb


def text_of(nb) -> str:
    return nbformat.writes(nb)


def test_clean_drops_papermill_and_execution_metadata():
    cleaned = clean(notebook(), PORT)
    assert "papermill" not in cleaned.metadata
    assert cleaned.metadata["kernelspec"]["name"] == "python3"
    for cell in cleaned.cells:
        assert "papermill" not in cell.metadata
        assert "execution" not in cell.metadata
        for output in cell.get("outputs", []):
            assert "papermill" not in output.get("metadata", {})
    assert "papermill" not in text_of(cleaned)
    assert "iopub" not in text_of(cleaned)


def test_clean_drops_empty_tags_but_keeps_others():
    cleaned = clean(notebook(), PORT)
    assert cleaned.cells[0].metadata["tags"] == ["parameters"]
    assert "tags" not in cleaned.cells[1].metadata
    assert "tags" not in cleaned.cells[2].metadata


def test_clean_shows_the_default_port_for_the_throwaway_one_only():
    cleaned = clean(notebook(), PORT)
    text = text_of(cleaned)
    assert f":{PORT}" not in text
    assert cleaned.cells[1].outputs[0].text == f"http://127.0.0.1:{SHOWN_PORT}/restapis/x\n"
    assert cleaned.cells[1].outputs[1].data["text/plain"] == (
        f"'http://127.0.0.1:{OTHER}/restapis/y'"
    )
    assert cleaned.cells[2].source == f"The cloud answers on `127.0.0.1:{SHOWN_PORT}`."
    assert SHOWN_PORT == 4566


def test_clean_leaves_a_port_that_only_starts_with_the_same_digits():
    nb = notebook(port=41234)
    cleaned = clean(nb, 4123)
    assert cleaned.cells[1].outputs[0].text == "http://127.0.0.1:41234/restapis/x\n"
    assert "4566" not in text_of(cleaned)


def test_clean_leaves_the_same_port_on_another_host():
    nb = notebook()
    nb.cells[1].outputs[0].text = f"http://example.com:{PORT}/x\n"
    cleaned = clean(nb, PORT)
    assert f"example.com:{PORT}" in cleaned.cells[1].outputs[0].text


def test_clean_gives_a_valid_notebook():
    cleaned = clean(notebook(), PORT)
    nbformat.validate(cleaned)
    assert cleaned.nbformat == 4
    assert [c.cell_type for c in cleaned.cells] == ["code", "code", "markdown"]
    assert cleaned.cells[1].execution_count == 2


def test_clean_is_idempotent():
    once = clean(notebook(), PORT)
    assert text_of(clean(once, PORT)) == text_of(once)


# --- the private environment ----------------------------------------------------------------


@pytest.fixture
def starting(monkeypatch):
    """LOCALCLOUD_PORT and TUTORIAL_RUNS_DIR set, the two others unset."""
    monkeypatch.setenv("LOCALCLOUD_PORT", "4566")
    monkeypatch.setenv("TUTORIAL_RUNS_DIR", "/somewhere/runs")
    monkeypatch.delenv("LOCALCLOUD_HOME", raising=False)
    monkeypatch.delenv("TUTORIAL_OUTPUTS_DIR", raising=False)
    return {key: os.environ.get(key) for key in KEYS}


def test_private_environment_points_everything_at_tmp(tmp_path, starting):
    with private_environment(tmp_path, 1234):
        assert os.environ["LOCALCLOUD_PORT"] == "1234"
        assert os.environ["LOCALCLOUD_HOME"] == str(tmp_path / "cloud")
        assert os.environ["TUTORIAL_OUTPUTS_DIR"] == str(tmp_path / "outputs")
        assert os.environ["TUTORIAL_RUNS_DIR"] == str(tmp_path / "runs")


def test_private_environment_restores_set_and_unset_values(tmp_path, starting):
    with private_environment(tmp_path, 1234):
        pass
    assert {key: os.environ.get(key) for key in KEYS} == starting
    assert "LOCALCLOUD_HOME" not in os.environ
    assert "TUTORIAL_OUTPUTS_DIR" not in os.environ
    assert os.environ["LOCALCLOUD_PORT"] == "4566"
    assert os.environ["TUTORIAL_RUNS_DIR"] == "/somewhere/runs"


def test_private_environment_restores_when_the_block_raises(tmp_path, starting):
    with pytest.raises(RuntimeError, match="boom"), private_environment(tmp_path, 1234):
        assert os.environ["LOCALCLOUD_PORT"] == "1234"
        raise RuntimeError("boom")
    assert {key: os.environ.get(key) for key in KEYS} == starting


def test_private_environment_leaves_other_variables(tmp_path, starting, monkeypatch):
    monkeypatch.setenv("SOMETHING_ELSE", "kept")
    with private_environment(tmp_path, 1234):
        assert os.environ["SOMETHING_ELSE"] == "kept"
    assert os.environ["SOMETHING_ELSE"] == "kept"


def test_private_environment_nested_restores_the_outer_one(tmp_path, starting):
    with private_environment(tmp_path / "outer", 1111):
        with private_environment(tmp_path / "inner", 2222):
            assert os.environ["LOCALCLOUD_PORT"] == "2222"
        assert os.environ["LOCALCLOUD_PORT"] == "1111"
        assert os.environ["LOCALCLOUD_HOME"] == str(tmp_path / "outer" / "cloud")
    assert {key: os.environ.get(key) for key in KEYS} == starting
