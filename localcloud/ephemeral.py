"""A throwaway local cloud: its own process on a free port, stopped when the block ends.

For tools that must not touch the local cloud ``make up`` runs (recording, regression checks)::

    with ephemeral(Path("/tmp/x"), seed=1) as cloud:
        ...  # cloud.port, cloud.endpoint, cloud.log_path

Its home holds its log and, while it runs, its pid file. Stopping it (SIGTERM) stops its Lambda
workers and removes its temporary folder; ``env`` adds to its environment (``TMPDIR``,
``LOCALCLOUD_READ_TIMEOUT_S``).
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .probe import (
    HOST,
    START_TIMEOUT_S,
    StartFailed,
    endpoint,
    serve_command,
    spawn_and_wait,
    stop_process,
)


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


def start(
    home: Path, *, seed: int | None = None, env: Mapping[str, str] | None = None
) -> tuple[Ephemeral, subprocess.Popen]:
    """Start ``localcloud serve`` on a free port with its logs in ``home`` (and ``env`` added to
    its environment); return once it answers. Stop it with :func:`stop`."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = home / f"localcloud-{port}.log"
    env = {**os.environ, **(env or {}), "LOCALCLOUD_HOME": str(home)}
    try:
        proc, _ = spawn_and_wait(
            serve_command(port, seed=seed), port, log_path, timeout_s=START_TIMEOUT_S, env=env
        )
    except StartFailed as failed:
        raise RuntimeError(
            f"a throwaway local cloud did not start on port {port}: {failed.reason} "
            f"(log: {log_path})"
        ) from None
    return Ephemeral(port, endpoint(port), proc.pid, log_path), proc


def stop(proc: subprocess.Popen) -> None:
    """Stop a local cloud from :func:`start` (SIGTERM, then SIGKILL after 10 s)."""
    stop_process(proc)


@contextmanager
def ephemeral(
    home: Path, *, seed: int | None = None, env: Mapping[str, str] | None = None
) -> Iterator[Ephemeral]:
    """A local cloud from :func:`start` for the block; stopped on exit."""
    cloud, proc = start(home, seed=seed, env=env)
    try:
        yield cloud
    finally:
        stop(proc)
