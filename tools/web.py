"""Serve the sign-in page for the stack's API: ``python -m tools.web --target local``.

The page (``web/``) is served on ``127.0.0.1:$WEB_PORT`` (default 8000), another origin than the
API's, with the API URL from the outputs file (``.tutorial/<target>.json``, written by the
notebooks) filled in; it runs in the foreground until Ctrl-C. A missing stack, a local cloud
that does not answer, or a busy port is one sentence and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from helpers.errors import KitError
from helpers.outputs import PROJECT_ROOT, Outputs
from helpers.web import bind_page_server, page_url

DEFAULT_PORT = 8000


def web_port(raw: str | None) -> int:
    """The port from ``WEB_PORT`` (or ``--port``); 8000 when unset, 0 for any free port; a
    :class:`KitError` when it is not a port number."""
    if raw in (None, ""):
        return DEFAULT_PORT
    if not raw.isdigit() or int(raw) > 65535:
        raise KitError(f"WEB_PORT={raw!r} is not a port number; set it to one such as 8000.")
    return int(raw)


def stack_api_url(target: str, region: str | None) -> tuple[str, str]:
    """The stack's API URL and user name, checked against the cloud (the API still exists); a
    :class:`KitError` saying ``make tutorial`` when there is no stack yet."""
    outputs = Outputs.for_target(target)
    doc = outputs.load()
    if not doc.get("api_url"):
        raise KitError(
            f"There is no API to call yet ({outputs.path.name} has no api_url); run "
            f"`make tutorial TARGET={target}` first, then `make web` again."
        )
    from helpers.cloud import connect
    from helpers.stack import load_stack

    cloud = connect(target, region or doc.get("region") or "us-east-1")
    stack = load_stack(cloud, "api_id", "api_url")
    return stack["api_url"], str(stack.get("username") or "")


def outputs_file(target: str) -> str:
    """The outputs file as the learner knows it: ``.tutorial/local.json`` within the project."""
    path = Outputs.for_target(target).path
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.web", description=__doc__)
    parser.add_argument("--target", default="local", choices=["local", "aws"])
    parser.add_argument("--region", default=None, help="default: the outputs file's region")
    parser.add_argument("--port", default=None, help="default: WEB_PORT, else 8000")
    args = parser.parse_args(argv)
    try:
        port = web_port(args.port if args.port is not None else os.environ.get("WEB_PORT"))
        api_url, username = stack_api_url(args.target, args.region)
        server = bind_page_server(api_url, port, log=lambda line: print(line, flush=True))
    except KitError as err:
        print(err, file=sys.stderr)
        return 2
    print(f"The sign-in page is at {page_url(server)} (press Ctrl-C to stop it)", flush=True)
    print(f"It calls the API at {api_url}", flush=True)
    print(
        "Until 09_browser_and_logs has configured CORS, the browser blocks the page's calls.",
        flush=True,
    )
    if username:
        print(f"Sign in as {username}; the password is in {outputs_file(args.target)}.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
