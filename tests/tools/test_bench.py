"""``make bench``'s pure parts: quantiles, ratios, the side-by-side table and its verdicts, the
series rows, the detection of AWS timing mode, and MiniStack's install (reused, or "not run" in
one sentence)."""

from __future__ import annotations

import subprocess

import pytest

from tools.bench import peer, series_bench, side_by_side
from tools.bench.side_by_side import Figures


def figures(hello_p50: float = 1.0, auth_p50: float = 5.0, rps4: float = 1000.0) -> Figures:
    return Figures(
        hello_p50=hello_p50,
        hello_p95=hello_p50 * 1.2,
        auth_p50=auth_p50,
        quiet_p50=hello_p50,
        rps={1: rps4 * 0.8, 4: rps4, 8: rps4 * 1.1},
    )


def test_percentile_is_nearest_rank():
    samples = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert side_by_side.percentile(samples, 0.5) == 3.0
    assert side_by_side.percentile(samples, 0.0) == 1.0
    assert side_by_side.percentile(samples, 0.95) == 5.0
    assert side_by_side.percentile([7.0], 0.5) == 7.0


def test_ratio_says_how_many_times_better_the_kit_is():
    assert side_by_side.ratio(1000, 250, higher_is_better=True) == 4.0
    assert side_by_side.ratio(2.0, 8.0, higher_is_better=False) == 4.0
    assert side_by_side.ratio(100, 0, higher_is_better=True) == float("inf")


def line_of(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.strip().startswith(start))


def test_table_meets_the_goals_with_twice_the_peers_throughput():
    lines, ok = side_by_side.table(figures(rps4=1000), figures(hello_p50=9, rps4=400))
    assert ok
    row = line_of(lines, "GET /hello req/s, 4 clients")
    assert "2.5x" in row and row.endswith("ok")
    assert "9.0x" in line_of(lines, "GET /hello p50")


def test_table_misses_below_twice_the_peers_throughput():
    lines, ok = side_by_side.table(figures(rps4=700), figures(rps4=400))
    assert not ok
    assert line_of(lines, "GET /hello req/s, 4 clients").endswith("MISSED")


@pytest.mark.parametrize(
    ("kit", "row"),
    [(figures(hello_p50=2.5), "GET /hello p50"), (figures(auth_p50=11), "GET /auth p50")],
)
def test_table_misses_a_latency_goal(kit, row):
    lines, ok = side_by_side.table(kit, figures(rps4=100))
    assert not ok
    assert line_of(lines, row).endswith("MISSED")


def test_table_without_the_peer_says_why_and_checks_the_kits_own_goals():
    lines, ok = side_by_side.table(figures(), None, "pip could not install ministack==1.5.33")
    assert ok
    assert "not run" in line_of(lines, "GET /hello req/s, 4 clients")
    assert lines[-1] == "  MiniStack not run: pip could not install ministack==1.5.33"


def test_ratio_row_checks_the_goal():
    assert series_bench.ratio_row("r", 8.0, 4.0, 2.0) == series_bench.Row("r", "2.00", "<= 2", True)
    assert series_bench.ratio_row("r", 9.0, 4.0, 2.0).ok is False
    assert series_bench.ratio_row("r", 9.0, 4.0, None).ok is None


def test_median_of_runs():
    values = iter([3.0, 1.0, 2.0])
    assert series_bench.median_of(3, lambda: next(values)) == 2.0


@pytest.mark.parametrize(
    ("health", "on"),
    [
        ({"aws_timing": {"enabled": True, "scale": 0.1}}, True),
        ({"aws_timing": {"enabled": False}}, False),
        ({"status": "running"}, False),  # a local cloud that has no such mode
        ({"aws_timing": "on"}, False),
    ],
)
def test_timing_mode_is_read_from_the_health_document(health, on):
    assert series_bench.timing_mode(health) is on


def test_install_reuses_a_finished_environment(tmp_path, monkeypatch):
    venv = peer.venv_dir(tmp_path)
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    (venv / "installed.txt").write_text("\n".join(peer.REQUIREMENTS) + "\n")
    monkeypatch.setattr(subprocess, "run", pytest.fail)  # nothing is installed again
    assert peer.install(tmp_path) == (venv / "bin" / "python", "")


def test_install_failure_is_one_sentence_naming_the_package(tmp_path, monkeypatch):
    def refuse(args, **kwargs):
        if "pip" in args:
            raise subprocess.CalledProcessError(
                1, args, stderr="ERROR: No matching distribution found for ministack==1.5.33\n"
            )
        (peer.venv_dir(tmp_path) / "bin").mkdir(parents=True)
        (peer.venv_dir(tmp_path) / "bin" / "python").write_text("")
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(subprocess, "run", refuse)
    python, why = peer.install(tmp_path)
    assert python is None
    assert why == (
        "pip could not install ministack==1.5.33 "
        "(ERROR: No matching distribution found for ministack==1.5.33)"
    )
    assert not (peer.venv_dir(tmp_path) / "installed.txt").exists()
