"""Where a local cloud listens and whether one answers there: the host and default port, port
checks, the health document, the messages for a port it cannot have, its home folder and pid file,
whether a process is a ``localcloud serve`` on a port, and one way to start a server and wait for
it. Imports nothing from the rest of ``localcloud`` (the CLI, the server and ``ephemeral`` use it).
"""

from __future__ import annotations

import errno
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


def cannot_listen_message(port: int, error: OSError) -> str:
    """One line for a port the server could not bind or listen on."""
    if error.errno == errno.EADDRINUSE:
        return busy_port_message(port)
    reason = (error.strerror or str(error)).lower()
    if error.errno in (errno.EACCES, errno.EPERM) and port < 1024:
        reason += " (ports below 1024 need root)"
    return (
        f"localcloud: cannot listen on {HOST}:{port}: {reason}; choose another port with "
        "LOCALCLOUD_PORT."
    )


# ---------------------------------------------------------------------- home and pid file


def home() -> Path:
    """Where logs and pid files go: ``LOCALCLOUD_HOME``, else ``.localcloud`` at the project
    root (``~/.cache/localcloud`` for an installed package)."""
    if os.environ.get("LOCALCLOUD_HOME"):
        return Path(os.environ["LOCALCLOUD_HOME"])
    package_parent = Path(__file__).resolve().parents[1]
    if (package_parent / "pyproject.toml").exists():
        return package_parent / ".localcloud"
    return Path.home() / ".cache" / "localcloud"


def pid_path(port: int) -> Path:
    """``<home>/localcloud-<port>.pid``: the server on ``port`` that this home started."""
    return home() / f"localcloud-{port}.pid"


def write_pid_file(port: int) -> Path:
    """Record this process as the server on ``port`` (``{"pid": …, "port": …}``, mode 0600,
    replaced in one step)."""
    path = pid_path(port)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        os.chmod(tmp, 0o600)
        json.dump({"pid": os.getpid(), "port": port}, handle)
        handle.write("\n")
    os.replace(tmp, path)
    return path


def read_pid_file(port: int) -> int | None:
    """The pid the pid file of ``port`` records; None when there is none or it is not one of
    ours (unreadable, or written for another port)."""
    try:
        doc = json.loads(pid_path(port).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("port") != port:
        return None
    pid = doc.get("pid")
    return pid if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 else None


def remove_pid_file(port: int, pid: int) -> None:
    """Remove the pid file of ``port`` if it still records ``pid``."""
    if read_pid_file(port) == pid:
        pid_path(port).unlink(missing_ok=True)


def command_line(pid: int) -> list[str] | None:
    """The arguments process ``pid`` was started with (``/proc``, else ``ps``); None when there
    is no such process (or it is a zombie)."""
    proc = Path("/proc")
    if (proc / "self" / "cmdline").exists():
        try:
            raw = (proc / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        args = [a.decode(errors="surrogateescape") for a in raw.split(b"\0")]
        return args[:-1] if args and args[-1] == "" else (args or None)
    try:
        out = subprocess.run(
            ["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.split() or None


def is_serve_on(args: list[str] | None, port: int, *, answers_there: bool = False) -> bool:
    """Whether ``args`` is ``… -m localcloud serve`` on ``port``: ``--port <port>`` on its
    command line, or no ``--port`` (the port came from ``LOCALCLOUD_PORT``) and the process is
    the one whose health document answers on ``port`` (``answers_there``)."""
    if not args:
        return False
    for i in range(len(args) - 2):
        if args[i : i + 3] == ["-m", "localcloud", "serve"]:
            rest = args[i + 3 :]
            break
    else:
        return False
    for j, arg in enumerate(rest):
        if arg == "--port" and j + 1 < len(rest):
            return rest[j + 1] == str(port)
        if arg.startswith("--port="):
            return arg.removeprefix("--port=") == str(port)
    return answers_there


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
