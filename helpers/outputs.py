"""The stack's outputs file, ``.tutorial/<target>.json``: what each notebook leaves for the next.

It holds the user's password, so it is written with mode 0600 (its folder 0700) and git-ignored.
``TUTORIAL_OUTPUTS_DIR`` moves it (the tests do, so they never touch the learner's file);
``TUTORIAL_RUNS_DIR`` moves ``runs/`` likewise.

It is checked when read: a file that is not JSON, not a JSON object, or holds a value of the
wrong type is a :class:`KitError` naming the file; the file is left as it is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.errors import KitError

PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: every key, and the notebook that writes it
KEYS: dict[str, str] = {
    "target": "00_setup",
    "region": "00_setup",
    "endpoint_url": "00_setup",
    "user_pool_id": "01_user_pool",
    "user_pool_arn": "01_user_pool",
    "app_client_id": "01_user_pool",
    "api_id": "03_api_and_key",
    "stage": "03_api_and_key",
    "api_url": "03_api_and_key",
    "functions": "03_api_and_key",
    "username": "05_confirm_user",
    "password": "05_confirm_user",
    "cognito_domain": "08_tokens",
    "token_url": "08_tokens",
    "machine_client_id": "08_tokens",
    "short_lived_client_id": "08_tokens",
}


#: what to do with a file that is not an outputs file (00_setup saves into the file, so running
#: it again does not help while the file is there)
REMEDY = "delete it (or move it aside), then run 00_setup and the notebooks after it."

#: the keys whose value is a mapping of names to names; every other key holds a string
MAPPINGS = frozenset({"functions"})


def outputs_dir() -> Path:
    override = os.environ.get("TUTORIAL_OUTPUTS_DIR")
    return Path(override) if override else PROJECT_ROOT / ".tutorial"


def runs_dir() -> Path:
    """Where runs leave files (executed notebooks, the Postman export): ``runs/`` at the project
    root, or ``TUTORIAL_RUNS_DIR`` (the tests and ``make record`` use their own)."""
    override = os.environ.get("TUTORIAL_RUNS_DIR")
    return Path(override) if override else PROJECT_ROOT / "runs"


def write_private_json(path: Path, doc: Mapping[str, Any]) -> None:
    """Write ``doc`` to ``path`` as indented JSON that only its owner can read (mode 0600).

    It goes to ``<path>.tmp`` first, made 0600 before anything is written (also when a crash
    left that file behind with a wider mode), then replaces ``path`` in one step: no reader sees
    half a document, and a file made wider by hand is 0600 again. The folder must exist.
    """
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        os.chmod(tmp, 0o600)
        json.dump(doc, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


@dataclass
class Outputs:
    """Read and merge-write one target's outputs file."""

    path: Path

    @classmethod
    def for_target(cls, target: str) -> Outputs:
        return cls(outputs_dir() / f"{target}.json")

    def load(self) -> dict[str, Any]:
        """The document; {} when there is no file yet. A :class:`KitError` naming the file when
        it is not an outputs file (not JSON, not an object, a value of the wrong type)."""
        if not self.path.exists():
            return {}
        try:
            doc = json.loads(self.path.read_text())
        except ValueError:  # UnicodeDecodeError too
            raise KitError(f"{self._shown} is not valid JSON; {REMEDY}") from None
        problem = shape_problem(doc)
        if problem:
            raise KitError(f"{self._shown} is not a valid outputs file ({problem}); {REMEDY}")
        return doc

    @property
    def _shown(self) -> str:
        """The file as the learner knows it: ``.tutorial/local.json`` in the project."""
        try:
            return str(self.path.relative_to(PROJECT_ROOT))
        except ValueError:
            return str(self.path)

    def save(self, **values: Any) -> dict[str, Any]:
        """Merge ``values`` into the file (created 0600) and return the whole document."""
        unknown = set(values) - set(KEYS)
        if unknown:
            raise ValueError(f"not an outputs key: {sorted(unknown)}")
        doc = self.load()
        doc.update(values)
        if isinstance(doc.get("functions"), Mapping):
            doc["functions"] = dict(doc["functions"])
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private_json(self.path, {k: doc[k] for k in KEYS if k in doc})
        return doc

    def save_function(self, key: str, name: str) -> dict[str, Any]:
        """Record one of the series' functions under ``functions[key]``."""
        functions = dict(self.load().get("functions") or {})
        functions[key] = name
        return self.save(functions=functions)

    def require(
        self, *keys: str, exists: Mapping[str, Callable[[Any], bool]] | None = None
    ) -> dict[str, Any]:
        """The values of ``keys``; a :class:`KitError` naming the notebook to run when one is
        missing, or when ``exists[key](value)`` says the resource is gone (a restarted local cloud).
        """
        doc = self.load()
        for key in keys:
            if doc.get(key) in (None, "", {}):
                raise KitError(
                    f"{self.path.name} has no {key} yet; run {KEYS[key]}.ipynb first, "
                    "then this notebook again."
                )
        for key, check in (exists or {}).items():
            if key in doc and not check(doc[key]):
                raise KitError(
                    f"{self.path.name} names {key} {doc[key]!r}, which no longer exists (was the "
                    f"local cloud restarted?); run {KEYS[key]}.ipynb again, then this notebook."
                )
        return doc

    def forget(self) -> None:
        """Delete the file (teardown)."""
        self.path.unlink(missing_ok=True)


def _json_type(value: Any) -> str:
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def shape_problem(doc: Any) -> str | None:
    """What is wrong with an outputs document, in a few words; None when nothing is. A key may
    be null (not written yet); keys this version does not know are left alone."""
    if not isinstance(doc, dict):
        return f"it holds {_json_type(doc)}, not a mapping of keys to values"
    for key in KEYS:
        value = doc.get(key)
        if value is None:
            continue
        if key in MAPPINGS:
            if not isinstance(value, dict):
                return f"{key} should be a mapping, not {_json_type(value)}"
            for name, item in value.items():
                if not isinstance(item, str):
                    return f"{key}[{name!r}] should be a string, not {_json_type(item)}"
        elif not isinstance(value, str):
            return f"{key} should be a string, not {_json_type(value)}"
    return None
