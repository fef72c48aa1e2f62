"""``python -m localcloud up|down|status|serve``: run the local cloud in the background or not.

The port comes from ``--port``, else ``LOCALCLOUD_PORT``, else 4566. A running local cloud is
found by asking the port (``/_localcloud/health``), so no pid file can go stale.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from .probe import (
    DEFAULT_PORT,
    HOST,
    StartFailed,
    busy_port_message,
    checked_port,
    default_port,
    endpoint,
    health,
    port_in_use,
    serve_command,
    spawn_and_wait,
)


def home() -> Path:
    """Where logs go: ``LOCALCLOUD_HOME``, else ``.localcloud`` at the project root."""
    if os.environ.get("LOCALCLOUD_HOME"):
        return Path(os.environ["LOCALCLOUD_HOME"])
    package_parent = Path(__file__).resolve().parents[1]
    if (package_parent / "pyproject.toml").exists():
        return package_parent / ".localcloud"
    return Path.home() / ".cache" / "localcloud"


def up(port: int, seed: int | None = None, verbose: bool = False) -> int:
    running = health(port)
    if running:
        note = ""
        if seed is not None and running.get("seed") != seed:
            note = f" (it was started with seed {running.get('seed')}; `make down` first to reseed)"
        print(
            f"localcloud is already running at {running['endpoint']} (pid {running['pid']}){note}."
        )
        return 0
    if port_in_use(port):
        print(busy_port_message(port), file=sys.stderr)
        return 2
    log_dir = home()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"localcloud-{port}.log"
    started = time.perf_counter()
    try:
        proc, _ = spawn_and_wait(
            serve_command(port, seed=seed, verbose=verbose),
            port,
            log_path,
            detach=True,
            append_log=True,
        )
    except StartFailed as failed:
        print(f"localcloud did not start: {failed.reason}; see {log_path}.", file=sys.stderr)
        return 2
    print(
        f"localcloud is up at {endpoint(port)} (pid {proc.pid}, ready in "
        f"{time.perf_counter() - started:.2f} s); logs in {log_path}; "
        f"stop it with `make down`."
    )
    return 0


def down(port: int) -> int:
    running = health(port)
    if not running:
        print(f"localcloud is not running on port {port}; nothing to stop.")
        return 0
    pid = int(running["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and health(port, timeout=0.2):
        time.sleep(0.05)
    if health(port, timeout=0.2):
        os.kill(pid, signal.SIGKILL)
    print(f"localcloud stopped (pid {pid}, port {port}).")
    return 0


def status(port: int) -> int:
    running = health(port)
    if running:
        seed = f", seed {running['seed']}" if running.get("seed") is not None else ""
        print(
            f"localcloud is running at {running['endpoint']} (pid {running['pid']}, "
            f"up {running['uptime_s']:.0f} s{seed})."
        )
        return 0
    if port_in_use(port):
        print(f"localcloud is not running; port {port} is held by another program.")
    else:
        print(f"localcloud is not running on port {port}; start it with `make up`.")
    return 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localcloud", description="A local AWS cloud, strict like AWS."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("up", "start in the background (reuses a running one)"),
        ("down", "stop the background local cloud"),
        ("status", "say whether it runs, and where"),
        ("serve", "run in the foreground"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument(
            "--port",
            type=int,
            default=None,
            help=f"port on {HOST} (default: $LOCALCLOUD_PORT or {DEFAULT_PORT})",
        )
        if name in ("up", "serve"):
            cmd.add_argument(
                "--seed",
                type=int,
                default=None,
                help="make generated IDs reproducible (off by default)",
            )
            cmd.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    port = checked_port(args.port, "--port") if args.port is not None else default_port()
    if args.command == "up":
        return up(port, args.seed, args.verbose)
    if args.command == "down":
        return down(port)
    if args.command == "status":
        return status(port)
    from .server import serve

    return serve(port, seed=args.seed, verbose=args.verbose)
