"""The local cloud under faults: Lambda workers die with the server however it ends (SIGKILL
too), its temporary folder goes with it, a failed start says why in one line and leaves nothing
behind, and a request body shorter than its Content-Length times out instead of holding a thread.

Each test starts local clouds of its own (in their own ``TMPDIR``), and stops them and any worker
left behind, even when it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localcloud import ephemeral
from localcloud.lambda_runtime.runtime import WORKER_SCRIPT
from localcloud.probe import health
from tests.support import LAMBDA_TRUST, LocalCloud, create_function, free_port, stop_localcloud

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SPIN = "def handler(event, context):\n    while True:\n        pass\n"
#: spins too, after starting a child of its own (in the worker's process group)
SPAWN_AND_SPIN = (
    "import subprocess\n\n"
    "def handler(event, context):\n"
    "    subprocess.Popen(['sleep', '600'])\n"
    "    while True:\n"
    "        pass\n"
)

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/cmdline").exists(), reason="finds worker processes in /proc"
)


def workers_of(server_pid: int) -> dict[int, str]:
    """The Lambda worker processes a server started, found by their command line
    (``python -I worker.py <server pid> <function>``): pid -> function name."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in args]
        if str(WORKER_SCRIPT) in args:
            rest = args[args.index(str(WORKER_SCRIPT)) + 1 :]
            if len(rest) >= 2 and rest[0] == str(server_pid):
                found[int(entry.name)] = rest[1]
    return found


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} within {timeout_s} s")


def lambda_dirs(tmpdir: Path) -> list[Path]:
    return sorted(tmpdir.glob("localcloud-lambda-*"))


class Clouds:
    """Start local clouds in a ``TMPDIR`` of their own; :meth:`cleanup` stops them all and
    SIGKILLs any worker they left."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmpdir = root / "tmp"
        self.tmpdir.mkdir()
        self.started: list[LocalCloud] = []
        self.strays: list[int] = []  # processes a test saw that must not outlive it

    def start(self, **env: str) -> LocalCloud:
        home = self.root / f"home{len(self.started)}"
        started, proc = ephemeral.start(home, env={"TMPDIR": str(self.tmpdir), **env})
        cloud = LocalCloud(started.endpoint, started.port, proc, started.log_path)
        self.started.append(cloud)
        return cloud

    def cleanup(self) -> None:
        for cloud in self.started:
            leftovers = workers_of(cloud.proc.pid)
            stop_localcloud(cloud)
            for pid in {*leftovers, *workers_of(cloud.proc.pid)}:
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
        for pid in self.strays:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def clouds(tmp_path) -> Iterator[Clouds]:
    made = Clouds(tmp_path)
    try:
        yield made
    finally:
        made.cleanup()


def lambda_role(cloud: LocalCloud) -> str:
    return cloud.client("iam").create_role(
        RoleName="faults-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]


def start_a_spinning_invocation(cloud: LocalCloud, source: str = SPIN) -> int:
    """Invoke a handler that never returns (asynchronously); the pid of its busy worker."""
    fn = create_function(cloud, lambda_role(cloud), source, Timeout=600)
    answer = cloud.client("lambda").invoke(FunctionName=fn["FunctionName"], InvocationType="Event")
    assert answer["StatusCode"] == 202
    # the server's own child: a process the handler forks has its worker's command line too
    found = wait_for(
        lambda: [
            p
            for p, name in workers_of(cloud.proc.pid).items()
            if name == fn["FunctionName"] and p in children_of(cloud.proc.pid)
        ],
        15,
        "no worker started for the spinning function",
    )
    assert len(found) == 1
    return found[0]


# ------------------------------------------------------------------ workers die with the server


def test_a_busy_worker_dies_when_the_server_is_killed(clouds):
    cloud = clouds.start()
    worker = start_a_spinning_invocation(cloud)
    time.sleep(0.3)  # busy in the handler, not reading its stdin
    assert alive(worker)

    os.kill(cloud.proc.pid, signal.SIGKILL)
    cloud.proc.wait(timeout=10)
    wait_for(
        lambda: not workers_of(cloud.proc.pid) and not alive(worker),
        5,
        f"worker {worker} still runs after the server was killed",
    )


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_busy_worker_its_children_and_the_folder_go_when_the_server_stops(clouds, how):
    """A normal stop kills each worker's process group: the handler's own child goes too."""
    cloud = clouds.start()
    worker = start_a_spinning_invocation(cloud, SPAWN_AND_SPIN)
    (child,) = wait_for(lambda: children_of(worker), 10, "the handler's child did not start")
    clouds.strays.append(child)
    assert len(lambda_dirs(clouds.tmpdir)) == 1

    os.kill(cloud.proc.pid, getattr(signal, how))
    assert cloud.proc.wait(timeout=10) == 0
    wait_for(
        lambda: not workers_of(cloud.proc.pid) and not alive(worker) and not alive(child),
        5,
        f"worker {worker} or its child {child} still runs after {how}",
    )
    assert lambda_dirs(clouds.tmpdir) == []


def test_the_folder_of_a_killed_server_is_removed_by_the_next_start(clouds):
    """SIGKILL leaves the temporary folder; the next local cloud removes it (its lock is free),
    and leaves the folder of a local cloud still running."""
    running = clouds.start()
    (running_dir,) = lambda_dirs(clouds.tmpdir)
    killed = clouds.start()
    (killed_dir,) = set(lambda_dirs(clouds.tmpdir)) - {running_dir}
    fn = create_function(killed, lambda_role(killed), "def handler(e, c):\n    return 1\n")
    killed.client("lambda").invoke(FunctionName=fn["FunctionName"])  # unpacks its code
    os.kill(killed.proc.pid, signal.SIGKILL)
    killed.proc.wait(timeout=10)
    assert killed_dir.exists()

    clouds.start()
    left = set(lambda_dirs(clouds.tmpdir))
    assert killed_dir not in left
    assert running_dir in left and len(left) == 2  # the running one's and the new one's
    assert health(running.port) is not None


def test_a_worker_stays_warm_after_the_request_that_started_it_ends(clouds):
    """Workers are started from a thread that outlives requests: Linux's parent-death signal
    follows the thread that started a process, so one started by a request thread would die
    with that request."""
    cloud = clouds.start()
    fn = create_function(
        cloud, lambda_role(cloud), "import os\n\ndef handler(e, c):\n    return os.getpid()\n"
    )
    lam = cloud.client("lambda")
    first = json.loads(lam.invoke(FunctionName=fn["FunctionName"])["Payload"].read())
    cold_starts = cloud.stats()["lambda"]["cold_starts"]
    time.sleep(1.0)  # the first request's thread has long ended
    second = json.loads(lam.invoke(FunctionName=fn["FunctionName"])["Payload"].read())
    assert second == first
    assert cloud.stats()["lambda"]["cold_starts"] == cold_starts
    assert list(workers_of(cloud.proc.pid)) == [first]


# ------------------------------------------------------------------ a failed start


SITECUSTOMIZE = """
import errno, os, socket

_port = int(os.environ["FAULT_PORT"])
_where = os.environ["FAULT_AT"]
_real = getattr(socket.socket, _where)


def _refuse(self, *args):
    if self.family == socket.AF_INET and (_where == "listen" or args[0][1] == _port):
        raise PermissionError(errno.EACCES, "Permission denied")
    return _real(self, *args)


setattr(socket.socket, _where, _refuse)
"""


def run_with_a_refused_port(
    tmp_path: Path, command: str, port: int, at: str
) -> subprocess.CompletedProcess:
    """``python -m localcloud <command>`` in which the server's ``bind`` or ``listen`` on
    ``port`` fails as an unprivileged port < 1024 does (a ``sitecustomize`` patches it)."""
    patch = tmp_path / "patch"
    patch.mkdir(exist_ok=True)
    (patch / "sitecustomize.py").write_text(SITECUSTOMIZE)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(patch), str(PROJECT_ROOT)]),
        TMPDIR=str(tmp_path / "tmp"),
        LOCALCLOUD_HOME=str(tmp_path / "home"),
        LOCALCLOUD_PORT=str(port),
        FAULT_PORT=str(port),
        FAULT_AT=at,
    )
    return subprocess.run(
        [sys.executable, "-m", "localcloud", command],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("at", ["bind", "listen"])
def test_serve_on_a_port_it_may_not_have_says_why_and_leaves_no_folder(tmp_path, at):
    """``bind`` fails before anything is made; ``listen`` fails after the Lambda runtime made
    its folder, which must go too."""
    port = 81 if at == "bind" else free_port()
    result = run_with_a_refused_port(tmp_path, "serve", port, at)
    hint = " (ports below 1024 need root)" if port < 1024 else ""
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"localcloud: cannot listen on 127.0.0.1:{port}: permission denied{hint}; choose "
        "another port with LOCALCLOUD_PORT."
    ]
    assert lambda_dirs(tmp_path / "tmp") == []
    assert not (tmp_path / "home" / f"localcloud-{port}.pid").exists()


def test_up_on_a_port_it_may_not_have_says_why_in_one_line(tmp_path):
    port = 81
    result = run_with_a_refused_port(tmp_path, "up", port, "bind")
    log = tmp_path / "home" / f"localcloud-{port}.log"
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"localcloud did not start: cannot listen on 127.0.0.1:{port}: permission denied (ports "
        f"below 1024 need root); choose another port with LOCALCLOUD_PORT; see {log}."
    ]
    assert lambda_dirs(tmp_path / "tmp") == []


# ------------------------------------------------------------------ a body that stops short


@pytest.mark.parametrize(
    "path", ["/", "/restapis/a1b2c3d4e5/dev/_user_request_/hello"], ids=["aws-api", "stage-url"]
)
def test_a_body_shorter_than_its_content_length_times_out(clouds, path):
    cloud = clouds.start(LOCALCLOUD_READ_TIMEOUT_S="1")
    with socket.create_connection(("127.0.0.1", cloud.port), timeout=10) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{cloud.port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n".encode()
            + b'{"short":1'
        )
        started = time.monotonic()
        try:
            answer = conn.recv(65536)
        except ConnectionResetError:
            answer = b""
        waited = time.monotonic() - started
    assert answer == b"", f"expected the connection closed, got {answer[:200]!r}"
    assert 0.8 <= waited < 5, waited
    assert health(cloud.port) is not None, "it must still answer after closing that connection"
    log = cloud.log()
    assert "its request body stopped arriving (10 of 100 bytes in 1 s;" in log
    assert "Traceback" not in log


def test_a_complete_body_is_served_under_the_timeout(clouds):
    """The body is read up front: a request that sends it in pieces, each in time, is served."""
    cloud = clouds.start(LOCALCLOUD_READ_TIMEOUT_S="1")
    body = b'{"PoolName": "slow-pool"}'
    request = AWSRequest(
        method="POST",
        url=f"{cloud.endpoint}/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.CreateUserPool",
        },
    )
    SigV4Auth(Credentials("testing", "testing"), "cognito-idp", "us-east-1").add_auth(request)
    headers = "".join(f"{k}: {v}\r\n" for k, v in request.headers.items())
    with socket.create_connection(("127.0.0.1", cloud.port), timeout=10) as conn:
        conn.sendall(
            f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{cloud.port}\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        for piece in (body[:10], body[10:]):
            time.sleep(0.5)
            conn.sendall(piece)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    assert b"slow-pool" in answer


def test_a_read_timeout_that_is_not_a_number_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "localcloud", "serve", "--port", str(free_port())],
        cwd=PROJECT_ROOT,
        env=dict(
            os.environ,
            LOCALCLOUD_READ_TIMEOUT_S="soon",
            LOCALCLOUD_HOME=str(tmp_path),
            TMPDIR=str(tmp_path),
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "localcloud: LOCALCLOUD_READ_TIMEOUT_S='soon' is not a number of seconds above 0; set "
        "it to a number such as 30, or unset it."
    ]
    assert lambda_dirs(tmp_path) == []
