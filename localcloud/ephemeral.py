"""A throwaway local cloud: its own process on a free port, stopped when the block ends.

For tools that must not touch the local cloud ``make up`` runs (recording, regression checks)::

    with ephemeral(Path("/tmp/x"), seed=1) as cloud:
        ...  # cloud.port, cloud.endpoint, cloud.log_path
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .cli import HOST, START_TIMEOUT_S, endpoint, health


@dataclass(frozen=True)
class Ephemeral:
    """Where a throwaway local cloud answers, and its log."""

    port: int
    endpoint: str
    pid: int
    log_path: Path


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start(home: Path, *, seed: int | None = None) -> tuple[Ephemeral, subprocess.Popen]:
    """Start ``localcloud serve`` on a free port with its logs in ``home``; return once it
    answers. Stop it with :func:`stop`."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = home / f"localcloud-{port}.log"
    cmd = [sys.executable, "-m", "localcloud", "serve", "--port", str(port)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=dict(os.environ, LOCALCLOUD_HOME=str(home)),
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not health(port, timeout=0.5):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(
                f"a throwaway local cloud did not start on port {port}: "
                f"{tail[0] if tail else 'no output'} (log: {log_path})"
            )
        time.sleep(0.05)
    return Ephemeral(port, endpoint(port), proc.pid, log_path), proc


def stop(proc: subprocess.Popen) -> None:
    """Stop a local cloud from :func:`start` (SIGTERM, then SIGKILL after 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def ephemeral(home: Path, *, seed: int | None = None) -> Iterator[Ephemeral]:
    """A local cloud from :func:`start` for the block; stopped on exit."""
    cloud, proc = start(home, seed=seed)
    try:
        yield cloud
    finally:
        stop(proc)
