"""The local cloud process: one threaded HTTP server on loopback serving :class:`LocalCloudApp`."""

from __future__ import annotations

import errno
import signal
import sys
import threading
from typing import Any

from werkzeug.serving import make_server

from . import ids
from .app import RAW_HEADERS, LocalCloudApp
from .lambda_runtime.runtime import LambdaRuntime
from .moto import server as moto_server
from .probe import HOST, busy_port_message, endpoint, port_in_use


class _RequestHandler(moto_server.RequestHandler):
    """Keeps the header names as the client spelled them (API Gateway passes them on so) and
    logs requests only when asked to."""

    verbose = False

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ[RAW_HEADERS] = [(k, v) for k, v in self.headers.items()]
        return environ

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if self.verbose:
            super().log_request(code, size)


def _warm_up() -> None:
    """Load what the first requests would otherwise wait for, before the server listens (so that
    ready means ready, and a seeded run draws its random IDs in the same order every time)."""
    import jsonschema  # noqa: F401  (body-model validation; moto's API Gateway imports it too)

    moto_server.warm_up()


def serve(port: int, *, seed: int | None = None, verbose: bool = False) -> int:
    """Run in the foreground until SIGTERM or SIGINT. Returns the process exit code."""
    url = endpoint(port)
    if port_in_use(port):  # else werkzeug prints its own message and exits with 1
        print(busy_port_message(port), file=sys.stderr)
        return 2
    _warm_up()
    if seed is not None:
        moto_server.seed(seed)
        ids.seed(seed)
    runtime = LambdaRuntime(url)
    app = LocalCloudApp(url, runtime, port=port, seed=seed)
    _RequestHandler.verbose = verbose
    try:
        server = make_server(HOST, port, app, threaded=True, request_handler=_RequestHandler)
    except OSError as exc:
        runtime.close()
        if exc.errno == errno.EADDRINUSE:
            print(busy_port_message(port), file=sys.stderr)
            return 2
        raise

    def stop(_signum: int, _frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"localcloud: serving {url}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        runtime.close()
    return 0
