"""localcloud.ephemeral: a throwaway local cloud on its own free port, seeded, logged in its home,
and gone when the block ends; a cloud that cannot start says why in one line."""

from __future__ import annotations

import json
import os
import socket

import pytest

import localcloud.ephemeral
from localcloud.ephemeral import ephemeral
from localcloud.probe import HOST, health


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_an_ephemeral_cloud_answers_with_its_seed_and_is_gone_after(tmp_path):
    with ephemeral(tmp_path, seed=3) as cloud:
        doc = health(cloud.port)
        assert doc is not None
        assert doc["service"] == "localcloud"
        assert doc["seed"] == 3
        assert doc["port"] == cloud.port
        assert doc["pid"] == cloud.pid
        assert doc["endpoint"] == cloud.endpoint == f"http://{HOST}:{cloud.port}"
        assert cloud.log_path == tmp_path / f"localcloud-{cloud.port}.log"
        assert cloud.log_path.exists()
        assert running(cloud.pid)
    assert health(cloud.port) is None
    assert not running(cloud.pid)
    assert cloud.log_path.exists()


def test_an_ephemeral_cloud_without_a_seed_reports_none(tmp_path):
    with ephemeral(tmp_path / "made" / "here") as cloud:
        doc = health(cloud.port)
        assert doc is not None
        assert doc["seed"] is None
        assert cloud.log_path.parent == tmp_path / "made" / "here"
    assert health(cloud.port) is None


def test_two_ephemeral_clouds_at_once_get_their_own_ports(tmp_path):
    with ephemeral(tmp_path / "a", seed=1) as first, ephemeral(tmp_path / "b", seed=2) as second:
        assert first.port != second.port
        assert first.pid != second.pid
        assert health(first.port)["seed"] == 1
        assert health(second.port)["seed"] == 2
    assert health(first.port) is None
    assert health(second.port) is None


def test_the_block_raising_still_stops_the_cloud(tmp_path):
    with pytest.raises(ValueError, match="inside"), ephemeral(tmp_path) as cloud:
        assert health(cloud.port) is not None
        raise ValueError("inside")
    assert health(cloud.port) is None
    assert not running(cloud.pid)


def test_a_cloud_that_cannot_start_raises_a_one_line_error(tmp_path, monkeypatch):
    with socket.socket() as holder:
        holder.bind((HOST, 0))
        holder.listen(8)
        port = holder.getsockname()[1]
        monkeypatch.setattr(localcloud.ephemeral, "free_port", lambda: port)
        monkeypatch.setattr(localcloud.ephemeral, "START_TIMEOUT_S", 20.0)
        with pytest.raises(RuntimeError) as raised, ephemeral(tmp_path, seed=3):
            pytest.fail("the block must not run")
    message = str(raised.value)
    assert "\n" not in message
    assert str(port) in message
    assert "in use" in message
    assert str(tmp_path / f"localcloud-{port}.log") in message


def test_an_ephemeral_cloud_keeps_its_pid_file_and_folder_only_while_it_runs(tmp_path):
    """``env`` reaches the server (here ``TMPDIR``); while it runs its home holds its pid file
    and the temporary folder holds its Lambda runtime's folder; stopping it removes both."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    home = tmp_path / "home"
    with ephemeral(home, env={"TMPDIR": str(tmpdir)}) as cloud:
        pid_file = home / f"localcloud-{cloud.port}.pid"
        assert json.loads(pid_file.read_text()) == {"pid": cloud.pid, "port": cloud.port}
        assert len(list(tmpdir.glob("localcloud-lambda-*"))) == 1
    assert not pid_file.exists()
    assert list(tmpdir.glob("localcloud-lambda-*")) == []
