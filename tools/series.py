"""Run the notebook series headless: ``python -m tools.series tutorial|teardown``.

Each notebook runs with papermill (its own kernel, as a learner's would) into
``runs/<target>/``, with the ``target`` and ``region`` parameters injected. A failing notebook
stops the run; the executed copy is kept and the failing cell is named. ``make tutorial`` and
``make teardown`` call this.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.cloud import REPO_ROOT
from helpers.display import Table
from helpers.outputs import Outputs, runs_dir

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
TUTORIAL = [
    "00_setup",
    "01_user_pool",
    "02_iam_policy",
    "03_api_and_key",
    "04_authorizer",
    "05_confirm_user",
    "06_auth_lambda",
    "07_postman_tests",
    "08_tokens",
    "09_browser_and_logs",
]
TEARDOWN = ["99_teardown"]


@dataclass
class Result:
    notebook: str
    seconds: float
    status: str
    detail: str = ""


def start_kernel() -> Any:
    """A fresh ``python3`` kernel, booting in the background (it is ready when first used)."""
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    # the kernel's own start-up warnings (its transport) are not the learner's business
    manager.start_kernel(cwd=str(NOTEBOOKS_DIR), extra_arguments=["--log-level=ERROR"])
    return manager


def run_notebook(
    name: str, out_dir: Path, parameters: dict, progress: bool, kernel: Any = None
) -> Result:
    """Execute one notebook into ``out_dir``; its result (``ok`` or ``failed`` with the cell).

    ``kernel``: a kernel started beforehand (the runner boots the next notebook's kernel while
    this one runs); it is shut down here. Each notebook still gets a kernel of its own.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    kernel = kernel or start_kernel()
    try:
        papermill.execute_notebook(
            str(NOTEBOOKS_DIR / f"{name}.ipynb"),
            str(out_dir / f"{name}.ipynb"),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=progress,
            request_save_on_cell_execute=False,
            km=kernel,
        )
    except PapermillExecutionError as err:
        first_line = str(err.evalue).splitlines()[0] if err.evalue else ""
        detail = f"cell {err.cell_index} (In [{err.exec_count}]): {err.ename}: {first_line}"
        return Result(name, time.perf_counter() - started, "failed", detail)
    finally:
        kernel.shutdown_kernel(now=True)
    return Result(name, time.perf_counter() - started, "ok")


def run_series(
    names: list[str], target: str, region: str, out_dir: Path, *, inject: bool = True
) -> list[Result]:
    """Run ``names`` in order, stopping at the first failure; one line of progress each.

    ``inject=False`` runs the notebooks with their own defaults (``target="local"``,
    ``region="us-east-1"``) and no injected parameters cell, as ``make record`` commits them.
    """
    results: list[Result] = []
    progress = sys.stderr.isatty()
    upcoming = start_kernel()
    try:
        for index, name in enumerate(names, 1):
            print(f"[{index}/{len(names)}] {name} …", flush=True)
            kernel, upcoming = upcoming, (start_kernel() if index < len(names) else None)
            parameters = {"target": target, "region": region} if inject else {}
            result = run_notebook(name, out_dir, parameters, progress, kernel)
            results.append(result)
            print(f"      {result.status} in {result.seconds:.1f} s", flush=True)
            if result.status != "ok":
                copy = _shown_path(out_dir / f"{name}.ipynb")
                print(f"\n{name} failed at {result.detail}\nThe executed copy is kept: {copy}")
                break
    finally:
        if upcoming is not None:
            upcoming.shutdown_kernel(now=True)
    return results


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def curl_lines(target: str) -> list[str]:
    """Two ready ``curl`` commands for the deployed API: the sign-in as ``POST /auth`` with a JSON
    body (never the password in the URL), then ``GET /hello`` with its ID token; secrets come from
    the outputs file by shell substitution, so nothing secret is printed."""
    outputs = Outputs.for_target(target)
    doc = outputs.load()
    if not doc.get("api_url"):
        return []
    path = shlex.quote(str(outputs.path))
    body_from_outputs = (
        "python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); "
        'print(json.dumps({"username": d["username"], "password": d["password"]}))\' ' + path
    )
    login = (
        f"curl -s -X POST {shlex.quote(doc['api_url'] + '/auth')} "
        f"-H 'Content-Type: application/json' --data-binary \"$({body_from_outputs})\""
    )
    read_token = (
        "python3 -c 'import json, sys; "
        'print(json.load(sys.stdin)["AuthenticationResult"]["IdToken"])\''
    )
    hello = (
        f"curl -s {shlex.quote(doc['api_url'] + '/hello')} "
        f'-H "Authorization: $({login} | {read_token})"'
    )
    return [login, hello]


def postman_lines(target: str) -> list[str]:
    """Where the Postman collection that 06 wrote is, and how to run it; nothing when it is not
    there."""
    from helpers.postman import postman_files

    collection, environment = postman_files(target)
    if not collection.exists():
        return []
    return [
        f"Or in Postman: import both files in {_shown_path(collection.parent)}/ and run them;",
        f"with newman: npx newman run {_shown_path(collection)} -e {_shown_path(environment)}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.series", description=__doc__)
    parser.add_argument("series", choices=["tutorial", "teardown"])
    parser.add_argument("--target", default="local", choices=["local", "aws"])
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--out", type=Path, help="where executed notebooks go (runs/<target>)")
    args = parser.parse_args(argv)
    out_dir = args.out or runs_dir() / args.target
    names = TUTORIAL if args.series == "tutorial" else TEARDOWN
    if args.series == "teardown" and args.target == "local":
        from helpers.cloud import local_cloud_health, local_endpoint

        if not local_cloud_health():
            Outputs.for_target("local").forget()
            print(f"No local cloud runs at {local_endpoint()}, so nothing of the series is left.")
            return 0
    started = time.perf_counter()
    results = run_series(names, args.target, args.region, out_dir)
    print()
    print(
        Table(
            ["notebook", "seconds", "status"],
            [(r.notebook, f"{r.seconds:.1f}", r.status) for r in results]
            + [("total", f"{time.perf_counter() - started:.1f}", "")],
        )
    )
    failed = any(r.status != "ok" for r in results)
    if not failed and args.series == "tutorial":
        doc = Outputs.for_target(args.target).load()
        print(f"\nThe API is live at {doc.get('api_url')}")
        print("Try it with curl (password and token come from the outputs file, unprinted):\n")
        for line in curl_lines(args.target):
            print(f"  {line}\n")
        for line in postman_lines(args.target):
            print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
