"""``make bench`` (second part): the notebook series and IAM enforcement, measured.

Each series run gets a fresh local cloud of its own on a free port (never the one ``make up``
runs) and a fresh outputs file, so every run creates the whole stack. Every figure is the median
of :data:`RUNS` runs (AWS timing mode's, of :data:`TIMING_RUNS`):

- the series through the runner (``tools.series``, which boots the next notebook's kernel while
  the current one runs), against the same runner on as many empty notebooks: what the notebooks'
  own work adds (goal <= 2x);
- the same series through plain sequential papermill (a kernel started per notebook when it is
  its turn): what the runner saves;
- the same series on a local cloud started with ``LOCALCLOUD_AWS_TIMING=1``, against the plain
  one (goal <= 3x); "not run" when the local cloud has no such mode (its health document says);
- the cost of IAM enforcement on a call: ``cognito-idp AdminGetUser`` with plain credentials
  (not checked) and with an assumed role's (checked against its policies), p50 of 300 each
  (goal <= 5 ms).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import boto3
import nbformat

from localcloud import ephemeral
from tests.support import LAMBDA_TRUST, REGION
from tools import series
from tools.series import TUTORIAL, run_notebook, run_series

RUNS = 3
#: AWS timing mode's series is the slowest figure; one run keeps ``make bench`` short
TIMING_RUNS = 1
TIMING_ENV = "LOCALCLOUD_AWS_TIMING"
SERIES_GOAL = 2.0
TIMING_GOAL = 3.0
CALL_GOAL_MS = 5.0


@dataclass
class Row:
    name: str
    value: str
    goal: str = ""
    ok: bool | None = None


class SeriesFailed(RuntimeError):
    """A notebook failed; the runner printed which and where."""


def median_of(runs: int, measure: Callable[[], float]) -> float:
    """The median of ``runs`` calls of ``measure``."""
    return statistics.median(measure() for _ in range(runs))


def ratio_row(name: str, value: float, floor: float, goal: float | None) -> Row:
    """``value / floor`` as a row, checked against ``goal`` (at most) when there is one."""
    times = value / floor if floor else float("inf")
    if goal is None:
        return Row(name, f"{times:.2f}")
    return Row(name, f"{times:.2f}", f"<= {goal:g}", times <= goal)


def timing_mode(health: dict) -> bool:
    """Whether a local cloud's health document says AWS timing mode is on."""
    described = health.get("aws_timing")
    return isinstance(described, dict) and bool(described.get("enabled"))


def _health(endpoint: str) -> dict:
    with urllib.request.urlopen(f"{endpoint}/_localcloud/health", timeout=5) as resp:
        return json.loads(resp.read())


@contextmanager
def fresh_cloud(tmp: Path, timing: bool = False):
    """A local cloud of its own (AWS timing mode on when ``timing``), and the environment the
    notebooks find it by; yields its endpoint and its health document."""
    home = Path(tempfile.mkdtemp(dir=tmp))
    env = {TIMING_ENV: "1"} if timing else {}
    cloud, proc = ephemeral.start(home, env=env)
    saved = {k: os.environ.get(k) for k in ("LOCALCLOUD_PORT", "TUTORIAL_OUTPUTS_DIR")}
    os.environ.update(LOCALCLOUD_PORT=str(cloud.port), TUTORIAL_OUTPUTS_DIR=str(home / "outputs"))
    try:
        yield cloud.endpoint, _health(cloud.endpoint)
    finally:
        ephemeral.stop(proc)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def series_seconds(tmp: Path, *, runner: bool = True, timing: bool = False) -> float:
    """Seconds for the series on a fresh local cloud, through the runner or plain papermill."""
    with fresh_cloud(tmp, timing):
        out = Path(tempfile.mkdtemp(dir=tmp))
        began = time.perf_counter()
        if runner:
            results = run_series(TUTORIAL, "local", REGION, out)
        else:
            results = []
            for name in TUTORIAL:
                params = {"target": "local", "region": REGION}
                results.append(run_notebook(name, out, params, progress=False))
                if results[-1].status != "ok":
                    print(f"{name} failed at {results[-1].detail}", file=sys.stderr)
                    break
        seconds = time.perf_counter() - began
    if any(r.status != "ok" for r in results):
        raise SeriesFailed("the series failed; see the output above")
    return seconds


def empty_series_seconds(tmp: Path, count: int) -> float:
    """Seconds the runner needs for ``count`` notebooks holding only a parameters cell."""
    folder = Path(tempfile.mkdtemp(dir=tmp))
    names = [f"empty{index}" for index in range(count)]
    for name in names:
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        notebook.cells = [
            nbformat.v4.new_code_cell(
                'target = "local"\nregion = "us-east-1"', metadata={"tags": ["parameters"]}
            )
        ]
        nbformat.write(notebook, folder / f"{name}.ipynb")
    with mock.patch.object(series, "NOTEBOOKS_DIR", folder):
        began = time.perf_counter()
        results = run_series(names, "local", REGION, folder / "out")
        seconds = time.perf_counter() - began
    if any(r.status != "ok" for r in results):
        raise SeriesFailed("an empty notebook failed; see the output above")
    return seconds


def p50_ms(call, n: int = 300) -> float:
    for _ in range(20):
        call()
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def enforcement_cost(endpoint: str) -> tuple[float, float]:
    plain = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    kwargs = {"endpoint_url": endpoint, "region_name": REGION}
    idp = boto3.client("cognito-idp", **kwargs, **plain)
    iam = boto3.client("iam", **kwargs, **plain)
    pool = idp.create_user_pool(PoolName="bench-pool")["UserPool"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="u", MessageAction="SUPPRESS")
    role = iam.create_role(RoleName="bench-iam", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": pool["Arn"]}],
    }
    iam.put_role_policy(RoleName="bench-iam", PolicyName="p", PolicyDocument=json.dumps(policy))
    creds = boto3.client("sts", **kwargs, **plain).assume_role(
        RoleArn=role["Role"]["Arn"], RoleSessionName="bench"
    )["Credentials"]
    as_role = boto3.client(
        "cognito-idp",
        **kwargs,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    unchecked = p50_ms(lambda: idp.admin_get_user(UserPoolId=pool["Id"], Username="u"))
    checked = p50_ms(lambda: as_role.admin_get_user(UserPoolId=pool["Id"], Username="u"))
    return unchecked, checked


def measure(tmp: Path) -> list[Row]:
    span = f"{TUTORIAL[0][:2]}-{TUTORIAL[-1][:2]}"
    count = len(TUTORIAL)
    rows: list[Row] = []
    plain = median_of(RUNS, lambda: series_seconds(tmp))
    rows.append(Row(f"series {span} through the runner", f"{plain:.1f} s"))
    empty = median_of(RUNS, lambda: empty_series_seconds(tmp, count))
    rows.append(Row(f"{count} empty notebooks through the runner", f"{empty:.1f} s"))
    rows.append(ratio_row("  ratio (the notebooks' own work)", plain, empty, SERIES_GOAL))
    papermill = median_of(RUNS, lambda: series_seconds(tmp, runner=False))
    rows.append(Row(f"series {span} through plain papermill", f"{papermill:.1f} s"))
    rows.append(Row("  the runner saves", f"{papermill - plain:.1f} s"))
    with fresh_cloud(tmp, timing=True) as (_endpoint, health):
        has_timing = timing_mode(health)
    if has_timing:
        timed = median_of(TIMING_RUNS, lambda: series_seconds(tmp, timing=True))
        runs = f" ({TIMING_RUNS} run{'s' * (TIMING_RUNS > 1)})"
        rows.append(Row(f"series {span}, {TIMING_ENV}=1{runs}", f"{timed:.1f} s"))
        rows.append(ratio_row("  ratio to plain mode", timed, plain, TIMING_GOAL))
    else:
        rows.append(
            Row(f"series {span}, {TIMING_ENV}=1", "not run: the local cloud has no AWS timing mode")
        )
    with fresh_cloud(tmp) as (endpoint, _health_doc):
        unchecked, checked = enforcement_cost(endpoint)
    for name, value in (("plain credentials", unchecked), ("role credentials (IAM)", checked)):
        ok = value <= CALL_GOAL_MS
        rows.append(
            Row(f"AdminGetUser p50, {name}", f"{value:.2f} ms", f"<= {CALL_GOAL_MS:g} ms", ok)
        )
    return rows


def main() -> int:
    os.environ.pop(TIMING_ENV, None)  # plain mode unless a row asks for timing
    with tempfile.TemporaryDirectory() as name:
        try:
            rows = measure(Path(name))
        except SeriesFailed as failed:
            print(f"bench: {failed}", file=sys.stderr)
            return 1
    width = max(len(r.name) for r in rows)
    print(f"series bench on {os.cpu_count()} cores (each figure the median of {RUNS} runs)")
    for row in rows:
        verdict = "" if row.ok is None else ("ok" if row.ok else "MISSED")
        print(f"  {row.name:<{width}}  {row.value:>10}  {row.goal:<8} {verdict}".rstrip())
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
