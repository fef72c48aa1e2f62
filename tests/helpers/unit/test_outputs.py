"""helpers.outputs: the 0600 outputs file, merged in a fixed key order, and its one-line errors."""

from __future__ import annotations

import json
import os
import stat
from types import SimpleNamespace

import pytest

import helpers.outputs
from helpers.errors import KitError
from helpers.outputs import KEYS, Outputs, outputs_dir


@pytest.fixture
def outputs(tmp_path, monkeypatch) -> Outputs:
    monkeypatch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp_path / "tutorial"))
    return Outputs.for_target("local")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_directory_comes_from_the_environment(outputs, tmp_path):
    assert outputs_dir() == tmp_path / "tutorial"
    assert outputs.path == tmp_path / "tutorial" / "local.json"


def test_file_is_0600_and_its_new_folder_0700(outputs):
    outputs.save(target="local", password="Pa55-word!")
    assert mode(outputs.path) == 0o600
    assert mode(outputs.path.parent) == 0o700
    assert not outputs.path.with_suffix(".tmp").exists()


def test_the_password_is_never_written_to_a_file_others_can_read(outputs, monkeypatch):
    """Checked while the document is written, not only once the file is in place."""
    modes: list[int] = []

    def dump(doc, handle, **kwargs):
        modes.append(stat.S_IMODE(os.fstat(handle.fileno()).st_mode))
        json.dump(doc, handle, **kwargs)

    monkeypatch.setattr(helpers.outputs, "json", SimpleNamespace(loads=json.loads, dump=dump))
    outputs.save(target="local")
    outputs.save(password="Pa55-word!")
    assert modes == [0o600, 0o600]


def test_a_stale_temporary_file_does_not_widen_the_mode(outputs):
    outputs.path.parent.mkdir(mode=0o700, parents=True)
    stale = outputs.path.with_suffix(".tmp")
    stale.write_text("left by a crash")
    stale.chmod(0o644)
    outputs.save(password="Pa55-word!")
    assert mode(outputs.path) == 0o600
    assert json.loads(outputs.path.read_text()) == {"password": "Pa55-word!"}


def test_file_made_wider_by_hand_is_0600_again_after_save(outputs):
    outputs.save(target="local")
    outputs.path.chmod(0o644)
    outputs.save(password="Pa55-word!")
    assert mode(outputs.path) == 0o600


def test_save_merges_and_keeps_the_keys_order(outputs):
    outputs.save(password="p", username="misi")
    outputs.save(region="us-east-1", target="local", endpoint_url="http://127.0.0.1:4566")
    doc = outputs.save(api_id="a1b2c3d4e5", username="misi2")
    on_disk = json.loads(outputs.path.read_text())
    assert on_disk == doc
    assert list(on_disk) == ["target", "region", "endpoint_url", "api_id", "username", "password"]
    assert list(on_disk) == [k for k in KEYS if k in on_disk]
    assert on_disk["username"] == "misi2" and on_disk["password"] == "p"
    assert outputs.path.read_text().endswith("}\n")


def test_save_rejects_unknown_keys_and_writes_nothing(outputs):
    outputs.save(target="local")
    before = outputs.path.read_text()
    with pytest.raises(ValueError, match=r"not an outputs key: \['passwd'\]"):
        outputs.save(passwd="x", region="us-east-1")
    assert outputs.path.read_text() == before


def test_save_function_merges_into_functions(outputs):
    outputs.save(target="local")
    outputs.save_function("hello", "simple-api-hello")
    doc = outputs.save_function("auth", "simple-api-auth")
    assert doc["functions"] == {"hello": "simple-api-hello", "auth": "simple-api-auth"}
    assert outputs.load() == {
        "target": "local",
        "functions": {"hello": "simple-api-hello", "auth": "simple-api-auth"},
    }
    outputs.save_function("hello", "simple-api-hello-2")
    assert outputs.load()["functions"]["hello"] == "simple-api-hello-2"


def test_load_of_no_file_is_empty(outputs):
    assert outputs.load() == {}


def test_invalid_json_is_a_kit_error(outputs):
    outputs.path.parent.mkdir(parents=True)
    outputs.path.write_text("{not json")
    with pytest.raises(KitError, match="is not valid JSON; delete it"):
        outputs.load()


@pytest.mark.parametrize(
    ("key", "notebook"),
    [
        ("user_pool_id", "01_user_pool"),
        ("api_id", "03_api_and_key"),
        ("password", "05_confirm_user"),
        ("functions", "03_api_and_key"),
    ],
)
def test_require_names_the_notebook_that_writes_a_missing_key(outputs, key, notebook):
    outputs.save(target="local", functions={})
    with pytest.raises(KitError) as caught:
        outputs.require("target", key)
    message = str(caught.value)
    assert message == (
        f"local.json has no {key} yet; run {notebook}.ipynb first, then this notebook again."
    )


def test_require_treats_an_empty_value_as_missing(outputs):
    outputs.save(user_pool_id="")
    with pytest.raises(KitError, match=r"run 01_user_pool\.ipynb first"):
        outputs.require("user_pool_id")


def test_require_returns_the_document(outputs):
    outputs.save(target="local", user_pool_id="us-east-1_AbC", api_id="a1b2c3d4e5")
    doc = outputs.require("user_pool_id", "api_id", exists={"api_id": lambda api: True})
    assert doc["api_id"] == "a1b2c3d4e5"


def test_require_says_when_a_resource_no_longer_exists(outputs):
    outputs.save(user_pool_id="us-east-1_AbC", api_id="a1b2c3d4e5")
    checked = []

    def gone(api_id):
        checked.append(api_id)
        return False

    with pytest.raises(KitError) as caught:
        outputs.require(
            "user_pool_id", "api_id", exists={"user_pool_id": lambda _: True, "api_id": gone}
        )
    assert checked == ["a1b2c3d4e5"]
    message = str(caught.value)
    assert "names api_id 'a1b2c3d4e5', which no longer exists" in message
    assert "run 03_api_and_key.ipynb again" in message
    assert "\n" not in message


def test_forget_deletes_the_file_and_is_idempotent(outputs):
    outputs.save(target="local")
    outputs.forget()
    assert not outputs.path.exists()
    outputs.forget()


# ------------------------------------------------------------------ a corrupt outputs file


def write_raw(outputs: Outputs, text: str) -> None:
    outputs.path.parent.mkdir(parents=True, exist_ok=True)
    outputs.path.write_text(text)


def one_sentence(caught: pytest.ExceptionInfo, outputs: Outputs, problem: str) -> None:
    message = str(caught.value)
    assert message == (
        f"{outputs.path} is not a valid outputs file ({problem}); delete it (or move it aside), "
        "then run 00_setup and the notebooks after it."
    )
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('["target", "local"]', "it holds a list, not a mapping of keys to values"),
        ('"local"', "it holds a string, not a mapping of keys to values"),
        ('{"functions": ["simple-api-hello"]}', "functions should be a mapping, not a list"),
        ('{"functions": "simple-api-hello"}', "functions should be a mapping, not a string"),
        ('{"functions": {"hello": 7}}', "functions['hello'] should be a string, not a number"),
        ('{"api_id": 12345}', "api_id should be a string, not a number"),
        ('{"password": true}', "password should be a string, not true or false"),
        ('{"user_pool_id": {"Id": "x"}}', "user_pool_id should be a string, not a mapping"),
    ],
)
def test_a_file_of_the_wrong_shape_is_a_kit_error_naming_it(outputs, text, problem):
    write_raw(outputs, text)
    with pytest.raises(KitError) as caught:
        outputs.load()
    one_sentence(caught, outputs, problem)
    with pytest.raises(KitError) as caught:
        outputs.require("target")
    one_sentence(caught, outputs, problem)
    with pytest.raises(KitError) as caught:
        outputs.save_function("hello", "simple-api-hello")
    one_sentence(caught, outputs, problem)
    assert outputs.path.read_text() == text, "the file must be left as it was"


def test_saving_into_a_corrupt_file_changes_nothing(outputs):
    write_raw(outputs, "[1, 2, 3]")
    with pytest.raises(KitError, match=r"is not a valid outputs file \(it holds a list"):
        outputs.save(target="local", region="us-east-1")
    assert outputs.path.read_text() == "[1, 2, 3]"
    assert not outputs.path.with_suffix(".tmp").exists()


@pytest.mark.parametrize("text", ["{not json", "", "\udcff".encode("utf-8", "surrogateescape")])
def test_a_file_that_is_not_json_is_a_kit_error_naming_it(outputs, text):
    outputs.path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        outputs.path.write_bytes(text)
    else:
        outputs.path.write_text(text)
    with pytest.raises(KitError) as caught:
        outputs.load()
    assert str(caught.value) == (
        f"{outputs.path} is not valid JSON; delete it (or move it aside), then run 00_setup and "
        "the notebooks after it."
    )


def test_the_file_is_named_as_the_learner_knows_it(monkeypatch, tmp_path):
    """In the project, relative to its root: ``.tutorial/local.json``."""
    monkeypatch.setattr(helpers.outputs, "PROJECT_ROOT", tmp_path)
    monkeypatch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp_path / ".tutorial"))
    outputs = Outputs.for_target("local")
    write_raw(outputs, '{"functions": []}')
    with pytest.raises(KitError) as caught:
        outputs.load()
    assert str(caught.value).startswith(
        ".tutorial/local.json is not a valid outputs file (functions should be a mapping, not a "
        "list); delete it"
    )


def test_null_values_and_unknown_keys_are_accepted(outputs):
    """``endpoint_url`` is null on AWS; a key from another version of the kit is left alone."""
    write_raw(outputs, '{"target": "aws", "endpoint_url": null, "functions": null, "extra": 1}')
    assert outputs.load()["endpoint_url"] is None
    assert outputs.require("target")["target"] == "aws"
