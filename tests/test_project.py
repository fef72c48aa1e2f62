"""The project's own promises: one set of dependencies, pinned, ignored secrets, CI = make test."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {str(Requirement(r)) for r in listed}


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert conda_python == ["python=3.11"]
    named = {str(Requirement(r)) for r in pip_section if not r.startswith("-")}
    assert named == _pyproject_requirements()
    assert "--editable ." in pip_section  # the pip section installs the project itself


def test_lock_pins_every_dependency_exactly():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            pins[canonicalize_name(req.name)] = req.specifier
    for text in _pyproject_requirements():
        req = Requirement(text)
        spec = pins.get(canonicalize_name(req.name))
        assert spec is not None, f"{req.name} is not in requirements.lock; run `make lock`"
        (pinned,) = list(spec)
        assert pinned.operator == "==", f"{req.name} is not pinned exactly"
        assert req.specifier.contains(pinned.version), f"{req.name}=={pinned.version} out of range"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme


def test_local_state_is_git_ignored():
    for path in (
        ".tutorial/local.json",
        ".localcloud/x.log",
        "runs/local/x.ipynb",
        "runs/local/postman/simple-api-local.postman_environment.json",
        ".venv/x",
        "node_modules/x",
        ".bench/ministack/x",
    ):
        result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert result.returncode == 0, f"{path} is not git-ignored"


def test_newman_is_pinned_exactly_and_locked():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert package["devDependencies"] == {"newman": package["devDependencies"]["newman"]}
    pinned = package["devDependencies"]["newman"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"newman {pinned!r} is not an exact version"
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]
    assert lock["packages"]["node_modules/newman"]["version"] == pinned
    assert all("integrity" in p for name, p in lock["packages"].items() if name), "npm ci checks"
