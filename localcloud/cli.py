"""``python -m localcloud up|down|status|serve``: run the local cloud in the background or not.

The port comes from ``--port``, else ``LOCALCLOUD_PORT``, else 4566. A running local cloud is
found by asking the port (``/_localcloud/health``). ``down`` signals only the process that the
pid file ``<home>/localcloud-<port>.pid`` records (``serve`` writes it once it listens and removes
it when it stops), and only once its command line shows it is a ``localcloud serve`` on that port.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from . import timing
from .probe import (
    DEFAULT_PORT,
    HOST,
    StartFailed,
    busy_port_message,
    checked_port,
    command_line,
    default_port,
    endpoint,
    health,
    home,
    is_serve_on,
    pid_path,
    port_in_use,
    read_pid_file,
    remove_pid_file,
    serve_command,
    spawn_and_wait,
)

__all__ = ["down", "home", "main", "status", "up"]
STOP_GRACE_S = 10.0


def up(port: int, seed: int | None = None, verbose: bool = False) -> int:
    running = health(port)
    if running:
        note = ""
        if seed is not None and running.get("seed") != seed:
            note = f" (it was started with seed {running.get('seed')}; `make down` first to reseed)"
        elif _timing_wanted() and not (running.get("aws_timing") or {}).get("enabled"):
            note = " (without AWS timing; `make down` first to start it with AWS_TIMING=1)"
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
        reason = failed.reason.removeprefix("localcloud: ").rstrip(".")
        print(f"localcloud did not start: {reason}; see {log_path}.", file=sys.stderr)
        return 2
    print(
        f"localcloud is up at {endpoint(port)} (pid {proc.pid}, ready in "
        f"{time.perf_counter() - started:.2f} s); logs in {log_path}; "
        f"stop it with `make down`."
    )
    return 0


def _timing_wanted() -> bool:
    try:
        return timing.enabled_in(os.environ)
    except timing.BadTimingSetting:
        return False


def _answering_pid(doc: dict | None) -> int | None:
    pid = doc.get("pid") if doc else None
    return pid if isinstance(pid, int) and not isinstance(pid, bool) else None


def down(port: int) -> int:
    """Stop the server the pid file of ``port`` records, once its command line shows it is a
    ``localcloud serve`` on ``port``; anything else gets one line, no signal, and exit code 2."""
    running = health(port)
    answering = _answering_pid(running)
    path = pid_path(port)
    recorded = read_pid_file(port)
    stale = ""
    if path.exists() and (
        recorded is None
        or not is_serve_on(command_line(recorded), port, answers_there=answering == recorded)
    ):
        path.unlink(missing_ok=True)
        what = f"pid {recorded} is no localcloud serve on port {port}" if recorded else "unreadable"
        stale = f"removed the stale {path} ({what}); "
        recorded = None
    if recorded is None:
        if running is None:
            print(f"localcloud is not running on port {port}; {stale}nothing to stop.")
            return 0
        who = f"pid {answering}" if answering is not None else "no valid pid"
        print(
            f"localcloud: port {port} answers as a local cloud with {who}, but no pid "
            f"file in {home()} records it; {stale}signalled nothing (stop it where it was "
            "started).",
            file=sys.stderr,
        )
        return 2
    if running is not None and answering != recorded:
        print(
            f"localcloud: {path} records pid {recorded}, but port {port} answers with pid "
            f"{answering}; signalled nothing.",
            file=sys.stderr,
        )
        return 2
    _stop(recorded, port)
    remove_pid_file(port, recorded)  # the server removes it when it stops; not after SIGKILL
    print(f"localcloud stopped (pid {recorded}, port {port}).")
    return 0


def _stop(pid: int, port: int) -> None:
    """SIGTERM, then SIGKILL after :data:`STOP_GRACE_S`; each signal only while ``pid`` still is
    a ``localcloud serve`` on ``port``. Returns once it is gone."""

    def ours() -> bool:
        return is_serve_on(command_line(pid), port, answers_there=True)

    for sig, grace_s in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5.0)):
        if not ours():
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and ours():
            time.sleep(0.05)


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
        ("down", "stop the local cloud its pid file records"),
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
            cmd.add_argument(
                "--aws-timing",
                action="store_true",
                help=f"behave as AWS does in time: IAM propagation, Lambda states, API Gateway "
                f"throttling, scaled by ${timing.SCALE_ENV} (default {timing.DEFAULT_SCALE:g}); "
                f"the same as {timing.ENV}=1",
            )
    args = parser.parse_args(argv)
    if getattr(args, "aws_timing", False):
        os.environ[timing.ENV] = "1"  # read by the server (serve, or the one up starts)
    if args.command in ("up", "serve"):
        try:
            timing.Timing.from_env()
        except timing.BadTimingSetting as bad:
            print(f"localcloud: {bad}", file=sys.stderr)
            return 2
    port = checked_port(args.port, "--port") if args.port is not None else default_port()
    if args.command == "up":
        return up(port, args.seed, args.verbose)
    if args.command == "down":
        return down(port)
    if args.command == "status":
        return status(port)
    from .server import serve

    return serve(port, seed=args.seed, verbose=args.verbose)
