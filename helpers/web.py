"""Serve the sign-in page in ``web/`` on its own origin, with the stack's API URL filled in.

The page is static (``index.html`` and ``app.js``, no build step); the one generated file is
``config.js``, ``window.KIT_CONFIG = {"apiUrl": ...}``, made from the API URL given to
:func:`serve_page`, so nothing on disk is edited. The server listens on ``127.0.0.1`` only, on a
port of its own: a different origin from the API, so the browser applies CORS to every call the
page makes (docs/aws-behavior.md#what-a-browser-asks-before-a-cross-origin-call).

``make web`` (``python -m tools.web``) runs it in the foreground; notebooks and tests use
:func:`serve_page` as a context manager.
"""

from __future__ import annotations

import errno
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from helpers.errors import KitError

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
HOST = "127.0.0.1"
#: the page's files (nothing else in web/ is served) and their content types
PAGE_FILES = {
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
}
CONFIG_PATH = "/config.js"
JS_TYPE = "text/javascript; charset=utf-8"


def api_origin(api_url: str) -> str:
    """``scheme://host[:port]`` of an http(s) API URL; a :class:`KitError` for anything else."""
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KitError(
            f"{api_url!r} is not an http(s) URL of an API stage; pass the stack's api_url "
            "(the outputs file has it after 03_api_and_key)."
        )
    return f"{parts.scheme}://{parts.netloc}"


def config_script(api_url: str) -> str:
    """The generated ``config.js``: the API URL the page calls, as a frozen global."""
    doc = json.dumps({"apiUrl": api_url.rstrip("/")})
    return f"window.KIT_CONFIG = Object.freeze({doc});\n"


def security_headers(api_url: str) -> dict[str, str]:
    """Headers on every answer: nothing cached, no type sniffing, and a content security policy
    that lets the page load only its own files and connect only to the API's origin."""
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; "
        f"connect-src {api_origin(api_url)}; base-uri 'none'; form-action 'none'"
    )
    return {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
    }


def page_handler(
    api_url: str, log: Callable[[str], None] | None = None
) -> type[BaseHTTPRequestHandler]:
    """A request handler serving the page's files, ``config.js`` for ``api_url``, and a plain
    ``404`` for anything else; ``log`` gets one line per request (None: silent)."""
    headers = security_headers(api_url)
    config = config_script(api_url).encode()

    class PageHandler(BaseHTTPRequestHandler):
        server_version = "kit-web"
        sys_version = ""

        def _answer(self, status: int, content_type: str, body: bytes, send_body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def _serve(self, send_body: bool) -> None:
            path = urlsplit(self.path).path
            if path == "/":
                path = "/index.html"
            if path == CONFIG_PATH:
                self._answer(200, JS_TYPE, config, send_body)
            elif path in PAGE_FILES:
                name, content_type = PAGE_FILES[path]
                self._answer(200, content_type, (WEB_DIR / name).read_bytes(), send_body)
            else:
                body = f"{path} is not part of the page; open / instead.\n".encode()
                self._answer(404, "text/plain; charset=utf-8", body, send_body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._serve(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(send_body=False)

        def send_error(self, code: int, message: str | None = None, explain=None) -> None:
            """Any other method or a malformed request: one plain-text line, never HTML."""
            reason = message or HTTPStatus(code).phrase
            body = f"{code} {reason}: this server only serves the page (GET /).\n".encode()
            self.close_connection = True
            self._answer(code, "text/plain; charset=utf-8", body, self.command != "HEAD")

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base's signature)
            if log is not None:
                log(f"{self.address_string()} {format % args}")

    return PageHandler


def bind_page_server(
    api_url: str, port: int = 0, log: Callable[[str], None] | None = None
) -> ThreadingHTTPServer:
    """A server for the page on ``127.0.0.1:port`` (0: a free port), bound but not yet serving;
    a :class:`KitError` in one sentence when the port is taken or not allowed."""
    handler = page_handler(api_url, log)
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise KitError(
                f"Port {port} on {HOST} is already in use; stop the program using it or choose "
                f"another port (WEB_PORT={port + 1} make web)."
            ) from None
        if err.errno == errno.EACCES:
            raise KitError(
                f"Port {port} on {HOST} is not allowed (ports below 1024 need root); choose "
                "another port with WEB_PORT."
            ) from None
        raise KitError(f"Could not listen on {HOST}:{port} ({err.strerror}).") from None
    server.daemon_threads = True
    return server


def page_url(server: ThreadingHTTPServer) -> str:
    """The page's address on a bound server: ``http://127.0.0.1:<port>/``."""
    return f"http://{HOST}:{server.server_address[1]}/"


@contextmanager
def serve_page(
    api_url: str, port: int = 0, log: Callable[[str], None] | None = None
) -> Iterator[str]:
    """Serve the page for ``api_url`` on ``127.0.0.1:port`` (0: a free port) in a background
    thread; yields the page's URL and stops the server (and its thread) on the way out."""
    server = bind_page_server(api_url, port, log)
    thread = threading.Thread(target=server.serve_forever, name="kit-web", daemon=True)
    thread.start()
    try:
        yield page_url(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
