"""MiniStack, the peer ``make bench`` measures the local cloud against: installed into a virtual
environment of its own under ``.bench/`` (git-ignored; the project's ``.venv`` is never touched),
started on a free loopback port, stopped with every process it started.

Besides ``ministack`` itself the environment gets two packages its own extras name
(``ministack[full]``), pinned so that every run measures the same thing:

- ``cryptography``: without it MiniStack's Cognito authorizer cannot check a token's signature
  and refuses every token with 401;
- ``boto3``: AWS's Python runtimes ship it
  (docs/aws-behavior.md#lambdas-python-runtimes-include-boto3), and MiniStack runs Python
  functions on its own interpreter, so the kit's sign-in handler (``import boto3``) needs it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

MINISTACK_VERSION = "1.5.33"
#: what the peer's environment holds (see the module's docstring for the two beside ministack)
REQUIREMENTS = (
    f"ministack=={MINISTACK_VERSION}",
    "cryptography==50.0.2",
    "boto3==1.43.106",  # the one matching ministack's own pin, botocore==1.43.106
)
ROOT = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT_S = 600
START_TIMEOUT_S = 30


@dataclass
class Peer:
    """A running MiniStack."""

    proc: subprocess.Popen
    endpoint: str
    port: int


def venv_dir(root: Path = ROOT) -> Path:
    return root / ".bench" / f"ministack-{MINISTACK_VERSION}"


def install(root: Path = ROOT) -> tuple[Path | None, str]:
    """``(its python, "")`` once MiniStack is installed (reused when it already is), or
    ``(None, why not)`` in one sentence."""
    venv = venv_dir(root)
    python = venv / "bin" / "python"
    stamp = venv / "installed.txt"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python, ""
    try:
        if not python.exists():
            subprocess.run(
                [sys.executable, "-m", "venv", str(venv)],
                check=True,
                capture_output=True,
                timeout=120,
            )
        print(f"bench: installing {' '.join(REQUIREMENTS)} into {venv.relative_to(root)}")
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            + list(REQUIREMENTS),
            check=True,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or "").strip().splitlines()
        last = detail[-1] if detail else f"exit code {exc.returncode}"
        return None, f"pip could not install ministack=={MINISTACK_VERSION} ({last})"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"could not set up {venv.relative_to(root)} ({exc})"
    stamp.write_text(wanted)
    return python, ""


def start(python: Path, home: Path, port: int) -> Peer:
    """MiniStack on ``127.0.0.1:port`` in a process group of its own, its files in ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        GATEWAY_PORT=str(port),
        BIND_HOST="127.0.0.1",
        LOG_LEVEL="ERROR",
        TMPDIR=str(home),  # its pid file and temporary files
    )
    log = open(home / "ministack.log", "wb")  # noqa: SIM115 - the child writes to it
    try:
        proc = subprocess.Popen(
            [str(python), "-m", "ministack"],
            env=env,
            cwd=home,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its Lambda workers too: stopped as one group
        )
    finally:
        log.close()
    endpoint = f"http://127.0.0.1:{port}"
    peer = Peer(proc, endpoint, port)
    began = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/_ministack/health", timeout=0.5):
                return peer
        except OSError:
            if proc.poll() is not None or time.perf_counter() - began > START_TIMEOUT_S:
                stop(peer)
                raise RuntimeError(
                    f"MiniStack did not start within {START_TIMEOUT_S} s; "
                    f"see {home / 'ministack.log'}"
                ) from None
            time.sleep(0.05)


def stop(peer: Peer) -> None:
    """Stop MiniStack and everything in its process group (its Lambda workers)."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(peer.proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            peer.proc.wait(timeout=wait)
            os.killpg(peer.proc.pid, signal.SIGKILL)  # workers left behind by the leader
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
        break
    peer.proc.wait(timeout=5)
