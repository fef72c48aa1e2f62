"""The server's connection threads: reused from one connection to the next, never a queue (a
slow request holds up no other), and released when the server closes."""

from __future__ import annotations

import http.client
import threading

import pytest

from localcloud.ephemeral import free_port
from localcloud.server import _ThreadReusingServer

HOST = "127.0.0.1"


@pytest.fixture
def server():
    release = threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [threading.current_thread().name.encode()]

    srv = _ThreadReusingServer(HOST, free_port(), app)
    srv.idle_threads = 2
    loop = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    loop.start()
    yield srv, release
    release.set()
    srv.shutdown()
    loop.join(5)
    srv.server_close()


def get(port: int, path: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode()
    finally:
        conn.close()


def test_threads_serve_connection_after_connection(server):
    srv, _release = server
    names = {get(srv.server_port, "/") for _ in range(20)}
    # a thread is idle again a moment after its client has the answer: the next connection
    # may come first and get a new thread, but not every time
    assert len(names) <= 3


def test_slow_requests_beyond_the_idle_threads_hold_up_no_other(server):
    srv, release = server
    slow = [
        threading.Thread(target=get, args=(srv.server_port, "/slow"), daemon=True)
        for _ in range(srv.idle_threads + 3)
    ]
    for t in slow:
        t.start()
    assert get(srv.server_port, "/")  # answered while every slow one waits
    release.set()
    for t in slow:
        t.join(5)
    assert not any(t.is_alive() for t in slow)


def test_closing_the_server_ends_its_idle_threads(server):
    srv, _release = server
    get(srv.server_port, "/")
    waiting = [
        thread
        for thread in threading.enumerate()
        if getattr(thread, "_target", None) == srv._serve_connections
    ]
    assert waiting, "the connection's thread should wait for the next connection"
    srv.shutdown()
    srv.server_close()
    for thread in waiting:
        thread.join(2)
    assert not any(thread.is_alive() for thread in waiting)
