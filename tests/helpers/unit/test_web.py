"""The page server (helpers/web.py) and ``make web``'s command (tools/web.py): the page's files
with their content types, ``config.js`` carrying the API URL, plain-text refusals, one sentence for
a busy port, and a missing stack that says ``make tutorial``."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from helpers.errors import KitError
from helpers.web import WEB_DIR, api_origin, bind_page_server, config_script, serve_page
from tools import web as web_cli

API = "http://127.0.0.1:4566/restapis/abc123/dev/_user_request_"


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_the_page_and_its_script_are_served_with_their_content_types():
    with serve_page(API) as url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        status, headers, body = fetch(url)
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert body == (WEB_DIR / "index.html").read_bytes()
        status, headers, body = fetch(url + "app.js")
        assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
        assert body == (WEB_DIR / "app.js").read_bytes()
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_config_js_carries_the_api_url_and_the_page_loads_it():
    with serve_page(API + "/") as url:
        status, headers, body = fetch(url + "config.js")
    assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    prefix, _, rest = body.decode().partition("Object.freeze(")
    assert prefix == "window.KIT_CONFIG = "
    assert json.loads(rest.removesuffix(");\n")) == {"apiUrl": API}
    page = (WEB_DIR / "index.html").read_text()
    assert page.index('src="config.js"') < page.index('src="app.js"')


def test_the_page_may_connect_only_to_the_api_origin():
    with serve_page(API) as url:
        _, headers, _ = fetch(url)
    policy = headers["Content-Security-Policy"]
    assert "connect-src http://127.0.0.1:4566;" in policy
    assert "default-src 'none'" in policy and "script-src 'self'" in policy


def test_the_page_loads_nothing_from_elsewhere_and_stores_no_token():
    page = (WEB_DIR / "index.html").read_text()
    script = (WEB_DIR / "app.js").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert not re.search(r"\b(localStorage|sessionStorage|indexedDB)\s*[.\[]", script)
    assert "document.cookie" not in script
    # the password travels in a JSON body, never in the URL
    assert 'call("/auth", {\n      method: "POST"' in script
    assert "JSON.stringify({ username, password })" in script
    assert 'type="password"' in page


def test_anything_else_is_a_plain_text_404_and_other_methods_a_plain_text_501():
    with serve_page(API) as url:
        status, headers, body = fetch(url + "../pyproject.toml")
        assert status == 404 and headers["Content-Type"] == "text/plain; charset=utf-8"
        assert body == b"/../pyproject.toml is not part of the page; open / instead.\n"
        status, headers, body = fetch(url + "index.html", method="POST")
        assert status == 501 and headers["Content-Type"] == "text/plain; charset=utf-8"
        assert b"<" not in body and body.startswith(b"501 ")


def test_head_answers_without_a_body():
    with serve_page(API) as url:
        status, headers, body = fetch(url, method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == (WEB_DIR / "index.html").stat().st_size


def test_the_server_stops_on_leaving_the_block():
    with serve_page(API) as url:
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 1):
        pass


def test_a_busy_port_is_one_sentence_saying_what_to_do():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(KitError) as raised:
            bind_page_server(API, port)
    assert str(raised.value) == (
        f"Port {port} on 127.0.0.1 is already in use; stop the program using it or choose "
        f"another port (WEB_PORT={port + 1} make web)."
    )


@pytest.mark.parametrize("bad", ["", "ftp://host/x", "127.0.0.1:4566/dev", "javascript:alert(1)"])
def test_an_api_url_that_is_not_http_is_refused(bad):
    with pytest.raises(KitError, match="is not an http\\(s\\) URL of an API stage"):
        api_origin(bad)


def test_config_script_quotes_the_url_as_json():
    script = config_script('http://h/"</script>')
    assert script == 'window.KIT_CONFIG = Object.freeze({"apiUrl": "http://h/\\"</script>"});\n'


@pytest.mark.parametrize(("raw", "port"), [(None, 8000), ("", 8000), ("8123", 8123), ("0", 0)])
def test_web_port_defaults_to_8000(raw, port):
    assert web_cli.web_port(raw) == port


@pytest.mark.parametrize("raw", ["http", "65536", "-1", " 80"])
def test_a_web_port_that_is_no_port_is_one_sentence(raw):
    with pytest.raises(KitError, match=r"^WEB_PORT=.* is not a port number; set it to one"):
        web_cli.web_port(raw)


def test_make_web_without_a_stack_says_run_make_tutorial(capsys):
    assert web_cli.main(["--target", "local", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "There is no API to call yet (local.json has no api_url); run `make tutorial "
        "TARGET=local` first, then `make web` again.\n"
    )


def test_make_web_with_a_busy_port_says_so(capsys, monkeypatch):
    monkeypatch.setattr(web_cli, "stack_api_url", lambda target, region: (API, "misi"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert web_cli.main(["--port", str(port)]) == 2
    assert capsys.readouterr().err.startswith(f"Port {port} on 127.0.0.1 is already in use;")
