"""``make record``: refresh the outputs committed in ``notebooks/`` from a real offline run.

All notebooks (``00``–``08``, then ``99``) run with their own defaults on a throwaway local cloud
started with :data:`SEED`, so generated IDs come out the same every time; ``make test`` replays
them with nbval on another such cloud and compares. The learner's ``make up``, outputs file and
``runs/`` are never touched. What papermill adds (timings, its metadata) is dropped, the
throwaway cloud's port is shown as the default 4566, and nothing is written if an output holds
a token, the password, an access key or a path of this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat

from helpers.cloud import REPO_ROOT
from helpers.outputs import Outputs
from tools.leaks import find_leaks, fingerprint
from tools.series import NOTEBOOKS_DIR, TEARDOWN, TUTORIAL, run_series

#: the local cloud's ``--seed`` for recording and for the nbval replay
SEED = 4566
#: the port the committed outputs show (``make up``'s default)
SHOWN_PORT = 4566
#: what the nbval check needs to know of the recording (no secret in it)
RECORDING_FILE = REPO_ROOT / "tests" / "notebooks" / "recording.json"


@contextmanager
def private_environment(tmp: Path, port: int) -> Iterator[None]:
    """Point the kernels (they inherit ``os.environ``) at a throwaway cloud, outputs file and
    ``runs/``; restore the environment after."""
    values = {
        "LOCALCLOUD_PORT": str(port),
        "LOCALCLOUD_HOME": str(tmp / "cloud"),
        "TUTORIAL_OUTPUTS_DIR": str(tmp / "outputs"),
        "TUTORIAL_RUNS_DIR": str(tmp / "runs"),
    }
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def clean(nb: Any, port: int) -> Any:
    """``nb`` as committed: no papermill or timing metadata, the default port shown."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
        for output in cell.get("outputs", []):
            output.get("metadata", {}).pop("papermill", None)
    text = nbformat.writes(nb)
    text = re.sub(rf"127\.0\.0\.1:{port}\b", f"127.0.0.1:{SHOWN_PORT}", text)
    return nbformat.reads(text, as_version=4)


def record() -> int:
    """Run every notebook and write their outputs into ``notebooks/``; 0 when all went well."""
    from localcloud.ephemeral import ephemeral

    names = TUTORIAL + TEARDOWN
    with tempfile.TemporaryDirectory(prefix="record-") as tmp_name:
        tmp = Path(tmp_name)
        with ephemeral(tmp / "cloud", seed=SEED) as cloud, private_environment(tmp, cloud.port):
            print(f"Recording on a throwaway local cloud (seed {SEED}, port {cloud.port}).")
            executed = tmp / "executed"
            results = run_series(TUTORIAL, "local", "us-east-1", executed, inject=False)
            password = Outputs.for_target("local").load().get("password", "")
            if all(r.status == "ok" for r in results):
                results += run_series(TEARDOWN, "local", "us-east-1", executed, inject=False)
        if any(r.status != "ok" for r in results):
            print("Nothing was written: fix the failing notebook and run `make record` again.")
            return 1
        recorded = {
            name: clean(nbformat.read(executed / f"{name}.ipynb", 4), cloud.port) for name in names
        }
        leaks = {
            name: find_leaks(
                nbformat.writes(nb), passwords=[password], paths=[REPO_ROOT, tmp, Path.home()]
            )
            for name, nb in recorded.items()
        }
        leaks = {name: found for name, found in leaks.items() if found}
        if leaks:
            for name, found in leaks.items():
                print(f"{name}: {'; '.join(found)}")
            print("Nothing was written: an output above must be hidden (see helpers/display.py).")
            return 1
    for name, nb in recorded.items():
        nbformat.write(nb, NOTEBOOKS_DIR / f"{name}.ipynb")
    RECORDING_FILE.write_text(
        json.dumps({"seed": SEED, "password": fingerprint(password)}, indent=2) + "\n"
    )
    print(f"Recorded {len(names)} notebooks into notebooks/; review with `git diff`, then commit.")
    return 0


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m tools.record", description=__doc__).parse_args(argv)
    return record()


if __name__ == "__main__":
    sys.exit(main())
