"""The Lambda runtime: warm worker processes per function version and configuration.

A worker is started on the first invocation (cold), reused while it is idle (warm), and replaced
when the function's code or configuration changes, when it timed out, or when its role
credentials near expiry. Each worker runs with its role's temporary credentials (STS AssumeRole,
session name = function name) and the local cloud's endpoint, so boto3 in the handler talks to it.

Workers die with the server, however it ends: each runs in a process group of its own, and
:meth:`LambdaRuntime.close` kills every group, busy or idle (the server calls it on every normal
exit); on Linux each worker also asks for SIGKILL when its parent dies (``kill -9`` of the
server), see ``worker.py``. Linux sends that signal when the *thread* that started the worker
ends, so workers are started from one thread that lives as long as the runtime, not from the
request threads. The runtime's temporary folder holds a lock while the server lives; a server
that starts removes the folders whose lock is free (their server was killed).

The AWS behaviour it reproduces: docs/aws-behavior.md#lambda.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .. import ids
from ..authz.identity import Credentials
from ..moto.awslambda import get_function_code
from ..moto.iam import assume_role
from ..moto.logs import put_log_events
from .spec import FunctionSpec

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
CREDENTIALS_MARGIN_S = 300
LOG_TAIL_BYTES = 4096
#: the prefix of the runtime's temporary folder, and the lock file its server holds in it
WORK_DIR_PREFIX = "localcloud-lambda-"
OWNER_LOCK = ".owner.lock"

try:
    import fcntl
except ImportError:  # not POSIX: no lock, no sweep
    fcntl = None  # type: ignore[assignment]


class UnsupportedRuntime(Exception):
    """The function's runtime is not a python3.x one; the local cloud cannot run it."""


@dataclass
class Invocation:
    """The outcome of one invocation, as Lambda's Invoke API reports it."""

    request_id: str
    payload: bytes
    function_error: str | None = None  # "Unhandled" when the function failed
    log: str = ""
    duration_ms: float = 0.0
    caller_timed_out: bool = False

    @property
    def log_tail_b64(self) -> str:
        """``X-Amz-Log-Result``: the last 4 KB of the invocation's log, base64."""
        return base64.b64encode(self.log.encode("utf-8")[-LOG_TAIL_BYTES:]).decode("ascii")


@dataclass(eq=False)
class _Worker:
    spec: FunctionSpec
    proc: subprocess.Popen
    credentials: Credentials
    log_stream: str
    _kill_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def usable(self) -> bool:
        return (
            self.proc.poll() is None
            and self.credentials.expiration_epoch - time.time() > CREDENTIALS_MARGIN_S
        )

    def stop(self) -> None:
        """SIGKILL the worker's process group (the handler's own children too) and reap it."""
        with self._kill_lock:
            if self.proc.returncode is None:  # not reaped: the group's id is still ours
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                except OSError:
                    self.proc.kill()
            self.proc.wait()

    def kill(self) -> None:
        """:meth:`stop`, then close the pipes (only by the thread that uses them)."""
        self.stop()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()


@dataclass
class _Stats:
    cold_starts: int = 0
    invocations: int = 0
    by_function: dict[str, int] = field(default_factory=dict)


class LambdaRuntime:
    """Runs python3.x functions on the local interpreter, warm between invocations."""

    def __init__(
        self, endpoint_url: str, work_dir: Path | None = None, python: str = sys.executable
    ) -> None:
        self.endpoint_url = endpoint_url
        self.python = python
        self._own_dir = work_dir is None
        self._owner_lock: int | None = None
        if work_dir is None:
            sweep_orphaned_work_dirs()
            work_dir, self._owner_lock = _make_work_dir()
        self.work_dir = Path(work_dir)
        self._idle: dict[str, list[_Worker]] = {}
        #: every worker not yet stopped, idle or busy in an invocation
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        #: the one thread that starts workers (see the module docstring: parent-death signal)
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lambda-spawner")
        self.stats = _Stats()
        #: whether the function's role may write this log stream (the local cloud's IAM check
        #: plugs in here); on AWS, logs a role may not write are silently dropped
        self.may_write_logs: Callable[[FunctionSpec, str, str], bool] = lambda *_: True

    # ------------------------------------------------------------------ public

    def invoke(
        self,
        spec: FunctionSpec,
        payload: bytes,
        *,
        wait_seconds: float | None = None,
        client_context: str | None = None,
    ) -> Invocation:
        """Run the function once. ``wait_seconds``: when the caller gives up (API Gateway's
        integration timeout); the function's own ``Timeout`` is always enforced."""
        if not spec.runtime.startswith("python3"):
            raise UnsupportedRuntime(
                f"the local cloud runs python3.x functions only; {spec.name} uses "
                f"{spec.runtime or 'a container image'}"
            )
        request_id = ids.uuid4()
        worker = self._acquire(spec)
        limit = spec.timeout if wait_seconds is None else min(spec.timeout, wait_seconds)
        deadline_ms = time.time() * 1000 + spec.timeout * 1000
        message = {
            "request_id": request_id,
            "payload_length": len(payload),
            "invoked_function_arn": spec.arn,
            "deadline_ms": deadline_ms,
            "client_context": client_context,
        }
        started = time.perf_counter()
        answer = self._exchange(worker, message, payload, limit)
        duration_ms = (time.perf_counter() - started) * 1000
        with self._lock:
            self.stats.invocations += 1
            self.stats.by_function[spec.name] = self.stats.by_function.get(spec.name, 0) + 1
        if answer is None or answer == "exited":
            self._kill(worker)
            if answer is None and wait_seconds is not None and wait_seconds < spec.timeout:
                return Invocation(request_id, b"", caller_timed_out=True, duration_ms=duration_ms)
            if answer is None:
                message_text = (
                    f"{_utc_stamp()} {request_id} Task timed out after {spec.timeout:.2f} seconds"
                )
                body = {"errorMessage": message_text}
                log_line = message_text + "\n"
            else:
                message_text = (
                    f"RequestId: {request_id} Error: Runtime exited with error: "
                    f"exit status {worker.proc.returncode}"
                )
                body = {"errorType": "Runtime.ExitError", "errorMessage": message_text}
                log_line = message_text + "\n"
            log = self._frame_log(spec, request_id, log_line, duration_ms, 0)
            self._write_log(worker, log)
            return Invocation(request_id, json.dumps(body).encode(), "Unhandled", log, duration_ms)
        self._release(worker)
        log = self._frame_log(
            spec, request_id, answer["log"], answer["duration_ms"], answer["max_memory_mb"]
        )
        self._write_log(worker, log)
        return Invocation(
            request_id,
            answer["payload"],
            "Unhandled" if answer["function_error"] else None,
            log,
            answer["duration_ms"],
        )

    def close(self) -> None:
        """Stop every worker, idle or busy in an invocation, and remove the unpacked code.
        Safe to call more than once."""
        with self._lock:
            self._closed = True  # a worker started from now on is stopped by its _spawn
            idle = [w for pool in self._idle.values() for w in pool]
            self._idle.clear()
            busy = [w for w in self._live if w not in idle]
            self._live.clear()
        self._spawner.shutdown(wait=True)
        for worker in idle:
            worker.kill()
        for worker in busy:  # their invocation's thread closes the pipes it reads
            worker.stop()
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)
            if self._owner_lock is not None:
                os.close(self._owner_lock)
                self._owner_lock = None

    def retire(self, function_name: str) -> None:
        """Stop the idle workers of a function (it was deleted)."""
        with self._lock:
            retired = [
                w for pool in self._idle.values() for w in pool if w.spec.name == function_name
            ]
            for pool in self._idle.values():
                pool[:] = [w for w in pool if w.spec.name != function_name]
        for worker in retired:
            self._kill(worker)

    def worker_count(self, function_name: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for pool in self._idle.values()
                for w in pool
                if function_name in (None, w.spec.name)
            )

    # ------------------------------------------------------------------ workers

    def _acquire(self, spec: FunctionSpec) -> _Worker:
        stale: list[_Worker] = []
        chosen = None
        with self._lock:
            for key in list(self._idle):
                pool = self._idle[key]
                if key == self._pool_key(spec):
                    while pool and chosen is None:
                        candidate = pool.pop()
                        if candidate.usable():
                            chosen = candidate
                        else:
                            stale.append(candidate)
                elif pool and pool[0].spec.arn == spec.arn and pool[0].spec.version == spec.version:
                    stale.extend(pool)  # the code or configuration changed: retire old workers
                    pool.clear()
        for worker in stale:
            self._kill(worker)
        if chosen is not None:
            return chosen
        return self._spawn(spec)

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._idle.setdefault(self._pool_key(worker.spec), []).append(worker)
                return
        self._kill(worker)

    def _kill(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.kill()

    @staticmethod
    def _pool_key(spec: FunctionSpec) -> str:
        return repr(spec.config_key)

    def _spawn(self, spec: FunctionSpec) -> _Worker:
        code_dir = self._unpack(spec)
        credentials = assume_role(spec.account, spec.region, spec.role, spec.name)
        stream = time.strftime("%Y/%m/%d/", time.gmtime()) + f"[{spec.version}]{ids.hex_id(32)}"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            **{k: str(v) for k, v in spec.environment.items()},
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(WORKER_SCRIPT.parent),
            "_HANDLER": spec.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            "AWS_SESSION_TOKEN": credentials.session_token,
            "AWS_ENDPOINT_URL": self.endpoint_url,
        }
        try:
            started = self._spawner.submit(self._start_worker, spec, env, code_dir)
        except RuntimeError:  # the spawner was shut down: the server is stopping
            raise RuntimeError("the local cloud is stopping; no new Lambda workers") from None
        proc = started.result()
        worker = _Worker(spec=spec, proc=proc, credentials=credentials, log_stream=stream)
        with self._lock:
            self.stats.cold_starts += 1
            self._live.add(worker)
            closed = self._closed
        if closed:
            self._kill(worker)
            raise RuntimeError("the local cloud is stopping; no new Lambda workers")
        return worker

    def _start_worker(self, spec: FunctionSpec, env: dict[str, str], code_dir: Path):
        """On the spawner thread. The worker's arguments name the server's pid (the parent it
        checks for) and the function, so ``ps`` shows whose worker it is."""
        return subprocess.Popen(
            [self.python, "-I", str(WORKER_SCRIPT), str(os.getpid()), spec.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            env=env,
            cwd=code_dir,
            start_new_session=True,  # a process group of its own, killed as one
        )

    def _unpack(self, spec: FunctionSpec) -> Path:
        code_dir = self.work_dir / f"{spec.name}-{(spec.code_sha256 or 'empty')[:16]}"
        safe = code_dir.name.replace("/", "_").replace("+", "-")
        code_dir = self.work_dir / safe
        if not code_dir.exists():
            tmp = Path(tempfile.mkdtemp(dir=self.work_dir))
            data = get_function_code(spec)
            if data:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    archive.extractall(tmp)
            try:
                tmp.rename(code_dir)
            except OSError:  # another thread unpacked the same code first
                shutil.rmtree(tmp, ignore_errors=True)
        return code_dir

    @staticmethod
    def _exchange(
        worker: _Worker, message: dict, payload: bytes, limit: float
    ) -> dict | str | None:
        """The worker's answer (its ``payload`` as bytes); None when ``limit`` seconds passed;
        "exited" if it died. Each way: a JSON line of metadata, then ``payload_length`` raw
        bytes (see worker.py)."""
        assert worker.proc.stdin is not None and worker.proc.stdout is not None
        try:
            worker.proc.stdin.write(json.dumps(message).encode() + b"\n" + payload)
            worker.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return "exited"
        try:
            ready, _, _ = select.select([worker.proc.stdout], [], [], max(limit, 0.001))
            if not ready:
                return None
            line = worker.proc.stdout.readline()
            answer = json.loads(line) if line else None
            body = worker.proc.stdout.read(answer["payload_length"]) if answer else b""
        except (OSError, ValueError):  # the pipe was closed under us: the server is stopping
            return "exited"
        if answer is None or len(body) < answer["payload_length"]:
            worker.proc.wait()
            return "exited"
        answer["payload"] = body
        return answer

    # ------------------------------------------------------------------ logs

    @staticmethod
    def _frame_log(
        spec: FunctionSpec, request_id: str, body: str, duration_ms: float, memory_mb: int
    ) -> str:
        if body and not body.endswith("\n"):
            body += "\n"
        return (
            f"START RequestId: {request_id} Version: {spec.version}\n{body}"
            f"END RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, math.ceil(duration_ms))} ms\t"
            f"Memory Size: {spec.memory_size} MB\tMax Memory Used: {memory_mb} MB\t\n"
        )

    def _write_log(self, worker: _Worker, log: str) -> None:
        now_ms = int(time.time() * 1000)
        events = [(now_ms, line) for line in log.splitlines() if line]
        group = f"/aws/lambda/{worker.spec.name}"
        try:
            if not self.may_write_logs(worker.spec, group, worker.log_stream):
                return
            put_log_events(
                worker.spec.account, worker.spec.region, group, worker.log_stream, events
            )
        except Exception as exc:  # logs must never fail an invocation
            print(f"localcloud: could not write Lambda logs: {exc}", file=sys.stderr)


def _utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _make_work_dir() -> tuple[str, int | None]:
    """A new temporary folder and the descriptor of the lock held in it while this runtime
    lives (released by the kernel when the process ends, however it ends)."""
    path = tempfile.mkdtemp(prefix=WORK_DIR_PREFIX)
    if fcntl is None:
        return path, None
    fd, tmp = tempfile.mkstemp(dir=path, prefix=".owner-")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(tmp, os.path.join(path, OWNER_LOCK))  # appears locked: no sweep can win it
    except OSError:  # no locks here: without a lock file the folder is never swept
        os.close(fd)
        return path, None
    return path, fd


def sweep_orphaned_work_dirs(parent: Path | None = None) -> list[Path]:
    """Remove the runtime folders in ``parent`` (the temporary folder) left by a server that was
    killed: those whose lock file no one holds. A folder without a lock file is left alone (it
    may be one being made right now). Returns the folders removed."""
    if fcntl is None:
        return []
    removed = []
    for path in Path(parent or tempfile.gettempdir()).glob(WORK_DIR_PREFIX + "*"):
        try:
            if path.is_symlink() or path.lstat().st_uid != os.getuid():
                continue
            fd = os.open(path / OWNER_LOCK, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: its server is alive
            continue
        else:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        finally:
            os.close(fd)
    return removed
