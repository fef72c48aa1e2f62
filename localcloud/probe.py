"""Where a local cloud listens and whether one answers there: the host and default port, port
checks, the health document, the busy-port message, and one way to start a server and wait for
it. Imports nothing from the rest of ``localcloud`` (the CLI, the server and ``ephemeral`` use it).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 4566
START_TIMEOUT_S = 30.0


def endpoint(port: int) -> str:
    return f"http://{HOST}:{port}"


def checked_port(port: int, source: str) -> int:
    """``port`` when it is a TCP port number, else one line naming ``source`` (exit)."""
    if not 0 < port < 65536:
        raise SystemExit(
            f"localcloud: {source}={port} is out of range; use a port from 1 to "
            f"65535, such as {DEFAULT_PORT}."
        )
    return port


def default_port() -> int:
    """``LOCALCLOUD_PORT``, else 4566."""
    raw = os.environ.get("LOCALCLOUD_PORT", str(DEFAULT_PORT))
    try:
        port = int(raw)
    except ValueError:
        raise SystemExit(
            f"localcloud: LOCALCLOUD_PORT={raw!r} is not a port number; "
            f"set it to a number such as {DEFAULT_PORT}."
        ) from None
    return checked_port(port, "LOCALCLOUD_PORT")


def health(port: int, timeout: float = 1.0) -> dict | None:
    """The health document of a local cloud on ``port``, or None when none answers there."""
    try:
        with urllib.request.urlopen(
            f"{endpoint(port)}/_localcloud/health", timeout=timeout
        ) as resp:
            doc = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("service") == "localcloud" else None


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def busy_port_message(port: int) -> str:
    return (
        f"localcloud: port {port} is in use by another program; free it or set "
        f"LOCALCLOUD_PORT to another port."
    )


def serve_command(port: int, *, seed: int | None = None, verbose: bool = False) -> list[str]:
    """The command line of ``localcloud serve`` on ``port`` with this interpreter."""
    cmd = [sys.executable, "-m", "localcloud", "serve", "--port", str(port)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    if verbose:
        cmd.append("--verbose")
    return cmd


class StartFailed(RuntimeError):
    """The server exited, or did not answer in time; ``reason`` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def stop_process(proc: subprocess.Popen, grace_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace_s``."""
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def spawn_and_wait(
    cmd: list[str],
    port: int,
    log_path: Path,
    *,
    timeout_s: float = START_TIMEOUT_S,
    env: dict[str, str] | None = None,
    detach: bool = False,
    append_log: bool = False,
) -> tuple[subprocess.Popen, dict]:
    """Start ``cmd`` (a ``localcloud serve``) with its output in ``log_path`` and return it with
    its health document once it answers on ``port``. ``detach``: in a session of its own, so it
    outlives the caller. On failure the process is stopped and :class:`StartFailed` raised."""
    with open(log_path, "ab" if append_log else "wb") as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=detach,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        doc = health(port, timeout=0.5)
        if doc and doc.get("pid") == proc.pid:
            return proc, doc
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:]
            raise StartFailed(tail[0] if tail else f"exit code {proc.returncode}")
        time.sleep(0.02)
    stop_process(proc)
    raise StartFailed(f"it did not answer within {timeout_s:.0f} s")
