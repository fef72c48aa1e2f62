"""``python -m localcloud up|status|down`` as a user runs it, and reproducible IDs (``--seed``)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support import free_port, start_localcloud, stop_localcloud

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def cli(
    *args: str, port: int | str, home: Path, timeout: float = 60
) -> subprocess.CompletedProcess:
    env = dict(os.environ, LOCALCLOUD_PORT=str(port), LOCALCLOUD_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/_localcloud/health", timeout=2
        ) as resp:
            return json.loads(resp.read())
    except OSError:
        return None


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def port() -> int:
    return free_port()


def test_up_status_down(tmp_path, port):
    endpoint = f"http://127.0.0.1:{port}"
    pid = None
    try:
        started = time.perf_counter()
        first = cli("up", port=port, home=tmp_path)
        print(f"`up` took {time.perf_counter() - started:.2f} s: {first.stdout.strip()}")
        assert first.returncode == 0, first.stderr
        assert endpoint in first.stdout
        doc = health(port)
        assert doc is not None and doc["service"] == "localcloud"
        assert doc["endpoint"] == endpoint and doc["port"] == port
        pid = doc["pid"]
        assert f"pid {pid}" in first.stdout
        assert (tmp_path / f"localcloud-{port}.log").exists()

        second = cli("up", port=port, home=tmp_path)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        assert endpoint in second.stdout and f"pid {pid}" in second.stdout
        assert health(port)["pid"] == pid

        status = cli("status", port=port, home=tmp_path)
        assert status.returncode == 0
        assert "is running" in status.stdout and endpoint in status.stdout

        down = cli("down", port=port, home=tmp_path)
        assert down.returncode == 0, down.stderr
        assert "stopped" in down.stdout
        assert health(port) is None
        assert port_free(port), f"port {port} still held after `down`"

        status = cli("status", port=port, home=tmp_path)
        assert status.returncode == 3
        assert "not running" in status.stdout

        again = cli("down", port=port, home=tmp_path)
        assert again.returncode == 0, again.stderr
        assert "not running" in again.stdout
    finally:
        cli("down", port=port, home=tmp_path)
        if pid is not None and health(port):  # `down` failed: do not leave it behind
            os.kill(pid, signal.SIGTERM)


@pytest.fixture
def held_port(port):
    """A port held by another program: a plain socket that accepts connections and says nothing."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen(16)
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join()
    sock.close()


def test_up_on_a_port_held_by_another_program(tmp_path, held_port):
    try:
        result = cli("up", port=held_port, home=tmp_path)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert str(held_port) in lines[0] and "LOCALCLOUD_PORT" in lines[0]
        assert result.stdout == ""

        status = cli("status", port=held_port, home=tmp_path)
        assert status.returncode == 3
        assert "held by another program" in status.stdout
    finally:
        cli("down", port=held_port, home=tmp_path)


def test_serve_on_a_port_held_by_another_program(tmp_path, held_port):
    """In the foreground too: one line of its own and exit code 2 (not werkzeug's exit 1)."""
    result = cli("serve", port=held_port, home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"localcloud: port {held_port} is in use by another program; free it or set "
        "LOCALCLOUD_PORT to another port."
    )


@pytest.mark.parametrize("command", ["up", "status", "down"])
def test_non_numeric_port(tmp_path, command):
    result = cli(command, port="forty-five", home=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "LOCALCLOUD_PORT" in lines[0] and "forty-five" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("port", "extra", "named"),
    [
        ("0", (), "LOCALCLOUD_PORT=0"),
        ("4566", ("--port", "70000"), "--port=70000"),
    ],
)
def test_out_of_range_port(tmp_path, port, extra, named):
    result = cli("status", *extra, port=port, home=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"localcloud: {named} is out of range; use a port from 1 to 65535, such as 4566."
    ]


# ------------------------------------------------------------------ reproducible IDs


def make_resources(cloud) -> dict[str, str]:
    """A user pool, an app client and a REST API, made with the same calls every time."""
    cognito = cloud.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="seeded-pool")["UserPool"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="seeded-client",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]
    api = cloud.client("apigateway").create_rest_api(name="seeded-api")
    return {"pool": pool["Id"], "client": client["ClientId"], "api": api["id"]}


def resources_of_a_fresh_cloud(tmp: Path, seed: int | None = None) -> dict[str, str]:
    tmp.mkdir()
    cloud = start_localcloud(tmp, seed)
    try:
        return make_resources(cloud)
    finally:
        stop_localcloud(cloud)


def test_seed_makes_ids_reproducible(tmp_path):
    first = resources_of_a_fresh_cloud(tmp_path / "a", seed=42)
    second = resources_of_a_fresh_cloud(tmp_path / "b", seed=42)
    assert first == second
    assert re.fullmatch(r"us-east-1_\w+", first["pool"])


def test_ids_differ_without_seed(tmp_path):
    first = resources_of_a_fresh_cloud(tmp_path / "a")
    second = resources_of_a_fresh_cloud(tmp_path / "b")
    for kind in ("pool", "client", "api"):
        assert first[kind] != second[kind], kind


# ------------------------------------------------------------------ `down` stops only its own


@pytest.fixture
def bystander() -> subprocess.Popen:
    """A harmless process that no `down` may signal."""
    proc = subprocess.Popen(["sleep", "60"])
    yield proc
    proc.kill()
    proc.wait()


@contextmanager
def fake_localcloud(port: int, pid: int):
    """Another program on ``port`` whose health document claims to be a local cloud with ``pid``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(
                {
                    "service": "localcloud",
                    "pid": pid,
                    "port": port,
                    "endpoint": f"http://127.0.0.1:{port}",
                    "uptime_s": 1.0,
                    "seed": None,
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def write_pid_file(home: Path, port: int, pid: int) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / f"localcloud-{port}.pid"
    path.write_text(json.dumps({"pid": pid, "port": port}))
    return path


def test_down_signals_nothing_when_the_port_names_a_pid_it_did_not_start(tmp_path, port, bystander):
    with fake_localcloud(port, bystander.pid):
        result = cli("down", port=port, home=tmp_path)
    time.sleep(0.2)
    assert bystander.poll() is None, "`down` signalled a process it did not start"
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"pid {bystander.pid}" in lines[0] and "signalled nothing" in lines[0]
    assert str(port) in lines[0]


@pytest.mark.parametrize("answering", [True, False], ids=["port-answers", "nothing-answers"])
def test_down_signals_nothing_when_the_pid_file_names_another_program(
    tmp_path, port, bystander, answering
):
    """A pid file whose process is not a ``localcloud serve`` on the port is stale: removed,
    and nothing signalled."""
    pid_file = write_pid_file(tmp_path, port, bystander.pid)
    if answering:
        with fake_localcloud(port, bystander.pid):
            result = cli("down", port=port, home=tmp_path)
    else:
        result = cli("down", port=port, home=tmp_path)
    time.sleep(0.2)
    assert bystander.poll() is None, "`down` signalled a process it did not start"
    assert not pid_file.exists(), "the stale pid file should be removed"
    output = (result.stdout + result.stderr).strip().splitlines()
    assert len(output) == 1, output
    assert f"pid {bystander.pid} is no localcloud serve on port {port}" in output[0]
    if answering:
        assert result.returncode == 2 and "signalled nothing" in result.stderr
    else:
        assert result.returncode == 0 and "nothing to stop" in result.stdout


def test_up_records_a_pid_file_that_down_uses_and_removes(tmp_path, port):
    pid_file = tmp_path / f"localcloud-{port}.pid"
    pid = None
    try:
        assert cli("up", port=port, home=tmp_path).returncode == 0
        pid = health(port)["pid"]
        assert json.loads(pid_file.read_text()) == {"pid": pid, "port": port}
        assert stat.S_IMODE(pid_file.stat().st_mode) == 0o600

        down = cli("down", port=port, home=tmp_path)
        assert down.returncode == 0, down.stderr
        assert down.stdout.strip() == f"localcloud stopped (pid {pid}, port {port})."
        assert not pid_file.exists()
        assert health(port) is None
    finally:
        if pid is not None and health(port):
            os.kill(pid, signal.SIGKILL)


def test_down_after_the_server_was_killed_removes_its_stale_pid_file(tmp_path, port):
    pid_file = tmp_path / f"localcloud-{port}.pid"
    pid = None
    try:
        assert cli("up", port=port, home=tmp_path).returncode == 0
        pid = health(port)["pid"]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while health(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid_file.exists()

        down = cli("down", port=port, home=tmp_path)
        assert down.returncode == 0, down.stderr
        assert "not running" in down.stdout and "removed the stale" in down.stdout
        assert not pid_file.exists()
    finally:
        if pid is not None and health(port):
            os.kill(pid, signal.SIGKILL)
