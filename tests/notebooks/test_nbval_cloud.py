"""The nbval phase's plugin: its diff of a changed output (the cloud it starts is exercised by the
nbval phase of ``make test`` itself)."""

from __future__ import annotations

from tests.notebooks.nbval_cloud import pytest_assertrepr_compare


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
