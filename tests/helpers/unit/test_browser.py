"""helpers/browser.py without a browser: which Chromium is found, why none can run, and that
show_page then answers "not run: <reason>", never a success (the real browser is in tests/web)."""

from __future__ import annotations

import stat

import pytest

from helpers import browser
from helpers.browser import PageShot, browser_missing_reason, find_chromium, show_page


@pytest.fixture
def empty_path(monkeypatch, tmp_path):
    """A PATH with nothing on it, and no CHROMIUM_PATH."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    return tmp_path


def executable(path):
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_no_chromium_on_path_is_none_and_a_reason(empty_path):
    assert find_chromium() is None
    assert browser_missing_reason() == (
        "no Chromium found on PATH; install Chromium (as root on Debian or Ubuntu `make setup` "
        "does it: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome "
        "executable"
    )


def test_the_names_are_tried_in_order(empty_path, monkeypatch):
    bin_dir = empty_path / "bin"
    bin_dir.mkdir()
    executable(bin_dir / "google-chrome")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert find_chromium() == str(bin_dir / "google-chrome")
    executable(bin_dir / "chromium-browser")
    assert find_chromium() == str(bin_dir / "chromium-browser")
    executable(bin_dir / "chromium")
    assert find_chromium() == str(bin_dir / "chromium")
    assert browser_missing_reason() is None


def test_chromium_path_wins_and_must_be_executable(empty_path, monkeypatch):
    chrome = executable(empty_path / "my-chrome")
    monkeypatch.setenv("CHROMIUM_PATH", str(chrome))
    assert find_chromium() == str(chrome)
    monkeypatch.setenv("CHROMIUM_PATH", str(empty_path / "missing"))
    assert find_chromium() is None
    assert browser_missing_reason() == (
        f"CHROMIUM_PATH={empty_path / 'missing'} is not an executable file; fix or unset it"
    )


def test_without_a_browser_show_page_says_not_run(empty_path, capsys):
    shot = show_page(object(), "misi", "a-password")  # the cloud is not even consulted
    assert isinstance(shot, PageShot) and shot.png is None
    assert shot.lines == [f"not run: {browser_missing_reason()}"]
    shot._ipython_display_()
    shown = capsys.readouterr().out
    assert shown.startswith("not run: no Chromium found") and "passed" not in shown


def test_a_shot_displays_its_picture_then_its_lines(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 16
    PageShot(
        lines=["POST /auth: 200 signed in as misi", "GET /hello (ID token): 200"], png=png
    )._ipython_display_()
    [image] = shown
    assert image.data == png and image.format == "png"
    assert (
        capsys.readouterr().out == "POST /auth: 200 signed in as misi\nGET /hello (ID token): 200\n"
    )


def test_the_launch_flags_keep_the_browser_headless_and_quiet():
    for flag in ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        assert flag in browser.LAUNCH_ARGS
    assert "--disable-background-networking" in browser.LAUNCH_ARGS
