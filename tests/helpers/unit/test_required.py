"""A missing tool is a skip that says "not run" on a developer's machine, and a failure under CI."""

from __future__ import annotations

import pytest

from tests.support.required import tool_missing


def test_a_missing_tool_is_not_run_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as raised:
        tool_missing("npm is missing")
    assert str(raised.value) == "not run: npm is missing"


@pytest.mark.parametrize("value", ["false", "1", ""])
def test_only_ci_true_counts_as_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception):
        tool_missing("Chromium is missing")


def test_a_missing_tool_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as raised:
        tool_missing("Chromium is missing")
    assert str(raised.value) == "Chromium is missing"
