"""Fixtures for the tools' unit tests: no network, and the learner's files are never touched."""

from __future__ import annotations

import pytest

from tests.support.isolation import keep_learner_files_out


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch, tmp_path):
    """Keep the learner's outputs file and AWS configuration out of every test."""
    keep_learner_files_out(monkeypatch, tmp_path)
