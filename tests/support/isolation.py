"""Keep a test away from the learner's files: their outputs file and their AWS configuration."""

from __future__ import annotations

from pathlib import Path

import pytest


def keep_learner_files_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the outputs file into ``tmp_path`` and hide the AWS config, credentials and profile."""
    monkeypatch.setenv("TUTORIAL_OUTPUTS_DIR", str(tmp_path / "outputs"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_PROFILE", raising=False)
