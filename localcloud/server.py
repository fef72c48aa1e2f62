"""The local cloud process: one threaded HTTP server on loopback serving :class:`LocalCloudApp`.

Start-up order: bind the port (a port it may not have is one line and exit code 2, nothing made
yet), load the backends, make the Lambda runtime (its temporary folder), listen, write the pid
file, serve. Every way out after the bind (SIGTERM, SIGINT, SIGHUP, an error) closes the runtime,
which stops every Lambda worker and removes its folder, and removes the pid file.
"""

from __future__ import annotations

import io
import math
import os
import queue
import signal
import socket
import sys
import threading
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

from . import ids
from .app import RAW_HEADERS, LocalCloudApp
from .lambda_runtime.runtime import LambdaRuntime
from .moto import server as moto_server
from .probe import (
    HOST,
    busy_port_message,
    cannot_listen_message,
    endpoint,
    port_in_use,
    remove_pid_file,
    write_pid_file,
)

#: seconds a connection may stay silent while the server waits for its request (a body shorter
#: than its Content-Length, above all) before the server closes it; ``LOCALCLOUD_READ_TIMEOUT_S``
READ_TIMEOUT_S = 30.0
LISTEN_BACKLOG = 128
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)


class _BodyTimedOut(ConnectionError):
    """The request body stopped arriving; werkzeug drops the connection without an answer."""


class _RequestHandler(moto_server.RequestHandler):
    """Keeps the header names as the client spelled them (API Gateway passes them on so), reads
    a request's body under the read timeout, and logs requests only when asked to."""

    verbose = False
    #: socketserver puts it on the connection: each read and write waits at most this long
    timeout = READ_TIMEOUT_S

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ[RAW_HEADERS] = [(k, v) for k, v in self.headers.items()]
        self._read_body(environ)
        return environ

    def _read_body(self, environ: dict[str, Any]) -> None:
        """Read a ``Content-Length`` body before the app runs, so that one that stops short
        closes the connection after the timeout (logged in one line) instead of holding a
        thread, or reaching the app as a read error."""
        if environ.get("wsgi.input_terminated"):  # chunked: the app reads it as it comes
            return
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return
        if length <= 0:
            return
        body = bytearray()
        try:
            while len(body) < length:
                chunk = self.rfile.read1(length - len(body))
                if not chunk:
                    raise ConnectionResetError("the client closed the connection mid-body")
                body += chunk
        except TimeoutError:
            print(
                f"localcloud: closed a connection from {self.address_string()}: its request "
                f"body stopped arriving ({len(body)} of {length} bytes in {self.timeout:g} s; "
                "LOCALCLOUD_READ_TIMEOUT_S sets the limit).",
                file=sys.stderr,
                flush=True,
            )
            raise _BodyTimedOut from None
        environ["wsgi.input"] = io.BytesIO(bytes(body))

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("Request timed out"):  # an idle connection closed: nothing lost
            return
        super().log_error(format, *args)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if self.verbose:
            super().log_request(code, size)


class _ThreadReusingServer(ThreadedWSGIServer):
    """werkzeug's threaded server, except that a connection's thread, once done, waits for the
    next connection instead of ending (at most :attr:`idle_threads` wait). Starting a thread
    per connection was about a tenth of a stage request's cost under load. It never queues: a
    connection takes an idle thread or a new one, so a slow request (a Lambda may run 29 s)
    holds up no other."""

    idle_threads = 32

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._handoff: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()
        self._idle = 0
        self._idle_lock = threading.Lock()
        super().__init__(*args, **kwargs)  # closes a socket it was given when it fails

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._idle_lock:
            if self._idle:
                self._idle -= 1
                self._handoff.put((request, client_address))
                return
        threading.Thread(
            target=self._serve_connections, args=(request, client_address), daemon=True
        ).start()

    def _serve_connections(self, request: Any, client_address: Any) -> None:
        while True:
            self.process_request_thread(request, client_address)  # answers, then closes
            with self._idle_lock:
                if self._idle >= self.idle_threads:
                    return
                self._idle += 1
            handed = self._handoff.get()
            if handed is None:  # the server is closing
                return
            request, client_address = handed

    def server_close(self) -> None:
        super().server_close()
        with self._idle_lock:
            idle, self._idle = self._idle, 0
        for _ in range(idle):
            self._handoff.put(None)


def read_timeout_s() -> float:
    """``LOCALCLOUD_READ_TIMEOUT_S``, else :data:`READ_TIMEOUT_S`; one line when it is not a
    number of seconds above 0."""
    raw = os.environ.get("LOCALCLOUD_READ_TIMEOUT_S", "").strip()
    if not raw:
        return READ_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise SystemExit(
            f"localcloud: LOCALCLOUD_READ_TIMEOUT_S={raw!r} is not a number of seconds above 0; "
            f"set it to a number such as {READ_TIMEOUT_S:g}, or unset it."
        )
    return value


def _warm_up() -> None:
    """Load what the first requests would otherwise wait for, before the server listens (so that
    ready means ready, and a seeded run draws its random IDs in the same order every time)."""
    import jsonschema  # noqa: F401  (body-model validation; moto's API Gateway imports it too)

    moto_server.warm_up()


def _bind(port: int) -> socket.socket:
    """The server's socket, bound (not yet listening: connections are refused while it starts)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug's own bind
        sock.bind((HOST, port))
    except BaseException:
        sock.close()
        raise
    return sock


def serve(port: int, *, seed: int | None = None, verbose: bool = False) -> int:
    """Run in the foreground until SIGTERM, SIGINT or SIGHUP. Returns the process exit code."""
    url = endpoint(port)
    timeout_s = read_timeout_s()
    if port_in_use(port):  # another program answers there (the bind below may not see it)
        print(busy_port_message(port), file=sys.stderr)
        return 2
    try:
        sock = _bind(port)
    except OSError as exc:
        print(cannot_listen_message(port, exc), file=sys.stderr)
        return 2

    stopping = threading.Event()
    live: list[Any] = []  # the server, once it exists

    def stop(_signum: int, _frame: Any) -> None:
        stopping.set()
        for server in live:
            threading.Thread(target=server.shutdown, daemon=True).start()

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)

    runtime: LambdaRuntime | None = None
    try:
        _warm_up()
        if seed is not None:
            moto_server.seed(seed)
            ids.seed(seed)
            ids.seed_resource_ids(seed)
        runtime = LambdaRuntime(url)
        app = LocalCloudApp(url, runtime, port=port, seed=seed)
        _RequestHandler.verbose = verbose
        _RequestHandler.timeout = timeout_s
        try:
            sock.listen(LISTEN_BACKLOG)
        except OSError as exc:
            print(cannot_listen_message(port, exc), file=sys.stderr)
            return 2
        server = _ThreadReusingServer(HOST, port, app, handler=_RequestHandler, fd=sock.fileno())
        try:
            _write_pid_file(port)
            live.append(server)
            if not stopping.is_set():  # a signal while it started: stop now
                print(f"localcloud: serving {url}", file=sys.stderr, flush=True)
                server.serve_forever(poll_interval=0.1)
        finally:
            server.server_close()
            remove_pid_file(port, os.getpid())
    finally:
        if runtime is not None:
            runtime.close()
        sock.close()
    return 0


def _write_pid_file(port: int) -> None:
    try:
        write_pid_file(port)
    except OSError as exc:  # serving matters more; `down` will say it has no pid file
        print(f"localcloud: could not write the pid file: {exc}", file=sys.stderr, flush=True)
