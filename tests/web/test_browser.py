"""The sign-in page in a real browser (headless Chromium through Playwright), on its own origin,
against the tutorial's stack on a local cloud of the test's own.

It proves what the page and notebook 09 teach
(docs/aws-behavior.md#what-a-browser-asks-before-a-cross-origin-call):
before CORS is configured the browser blocks the page's calls although the API answered them;
after ``enable_cors`` the sign-in works, ``/hello`` answers 200, and a bad token's 401 is
readable, only because the ``DEFAULT_4XX`` gateway response carries
``Access-Control-Allow-Origin``. The API's access log shows what reached it. No browser process
outlives a test. Without Chromium the tests are reported as not run (a failure under CI).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from helpers.apigateway import deploy
from helpers.browser import (
    PageShot,
    SignInPage,
    browser_missing_reason,
    headless_chromium,
    show_page,
)
from helpers.cloud import Cloud, connect
from helpers.cors import disable_cors, enable_cors
from helpers.web import serve_page
from tests.support import REGION, start_localcloud, stop_localcloud
from tests.support.required import tool_missing
from tests.support.series import series_environment
from tools.series import TUTORIAL, run_series

BROWSER_NOTEBOOK = "09_browser_and_logs"
#: the notebooks that build the stack: the whole series once notebook 09 is in it (it configures
#: CORS itself), else 00-06 (POST /auth is then added here)
NOTEBOOKS = (
    TUTORIAL if BROWSER_NOTEBOOK in TUTORIAL else TUTORIAL[: TUTORIAL.index("06_auth_lambda") + 1]
)
BLOCKED = "blocked (network/CORS error): the browser did not let the page read the answer"
#: set in this process's environment before any browser starts: every browser process the tests
#: start inherits it, so a leftover is found even after its parent died
MARKER = f"KIT_BROWSER_TEST={uuid.uuid4().hex}"
ACCESS_LOG_GROUP = "browser-test-access"
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "httpMethod": "$context.httpMethod",
        "path": "$context.path",
        "status": "$context.status",
    }
)


def browser_processes(marker: str = MARKER) -> list[str]:
    """Every running Chromium or Playwright driver process started by these tests (it carries
    ``marker`` in its environment), as ``"<pid> <command line>"``; read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            if marker.encode() not in environ:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if state != "Z" and ("chrom" in command.lower() or "playwright" in command):
            found.append(f"{entry.name} {command[:120]}")
    return found


@pytest.fixture(scope="module")
def chromium() -> None:
    reason = browser_missing_reason()
    if reason:
        tool_missing(f"the browser test needs Chromium: {reason}")


@pytest.fixture(scope="module")
def stack(chromium, tmp_path_factory) -> Iterator[dict]:
    """A fresh local cloud with the tutorial's stack (built by the notebooks) and ``POST /auth``;
    the outputs file's values and a :class:`Cloud` on it."""
    tmp = tmp_path_factory.mktemp("browser")
    local = start_localcloud(tmp)
    marker = pytest.MonkeyPatch()
    try:
        with series_environment(local.port, tmp):
            results = run_series(NOTEBOOKS, "local", REGION, tmp / "run")
            failed = [f"{r.notebook}: {r.detail}" for r in results if r.status != "ok"]
            assert not failed, failed
            cloud = connect("local", REGION)
            if BROWSER_NOTEBOOK not in NOTEBOOKS:
                from helpers.signin import ensure_post_auth

                ensure_post_auth(cloud)
            doc = cloud.outputs.load()
            allow_access_logs(cloud)
            name, _, value = MARKER.partition("=")
            marker.setenv(name, value)  # after the local cloud and the kernels: browsers only
            yield {**doc, "cloud": cloud}
    finally:
        marker.undo()
        stop_localcloud(local)


@pytest.fixture(autouse=True)
def no_browser_left() -> Iterator[None]:
    yield
    left = browser_processes()
    assert not left, f"browser processes left behind: {left}"


def allow_access_logs(cloud: Cloud) -> None:
    """What API Gateway needs before a stage may write access logs: a CloudWatch role for the
    account; and the log group they go to."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = cloud.client("iam").create_role(
        RoleName="browser-test-apigw-logs", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]
    cloud.client("apigateway").update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
    )
    cloud.client("logs").create_log_group(logGroupName=ACCESS_LOG_GROUP)


def access_log_on(stack: dict) -> None:
    """The stage's access log in JSON (method, path, status), so a test sees what reached the API
    even when the browser hid it from the page. Set again after each deployment: the local cloud
    drops a stage's settings when a deployment is made to it (AWS keeps them)."""
    cloud = stack["cloud"]
    arn = f"arn:aws:logs:{REGION}:{cloud.account}:log-group:{ACCESS_LOG_GROUP}"
    cloud.client("apigateway").update_stage(
        restApiId=stack["api_id"],
        stageName=stack["stage"],
        patchOperations=[
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": arn},
            {"op": "replace", "path": "/accessLogSettings/format", "value": ACCESS_LOG_FORMAT},
        ],
    )


def cors(stack: dict, on: bool) -> None:
    """CORS on (``enable_cors``, for any origin) or off (``disable_cors``), deployed; then the
    access log on."""
    (enable_cors if on else disable_cors)(stack["cloud"])
    access_log_on(stack)


def access_log(cloud: Cloud) -> list[tuple[str, str, str]]:
    """(method, path, status) of every request the stage logged so far, oldest first."""
    logs = cloud.client("logs")
    events = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=ACCESS_LOG_GROUP):
        events.extend(page["events"])
    lines = [json.loads(e["message"]) for e in sorted(events, key=lambda e: e["timestamp"])]
    return [(line["httpMethod"], line["path"], line["status"]) for line in lines]


def logged_since(cloud: Cloud, before: list) -> list[tuple[str, str, str]]:
    """The access log's lines after the ``before`` ones (they appear as the requests end)."""
    deadline = time.monotonic() + 5
    while True:
        lines = access_log(cloud)[len(before) :]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


@contextmanager
def page_for(stack: dict) -> Iterator[SignInPage]:
    """The page served for the stack's API, open in a fresh headless Chromium."""
    with serve_page(stack["api_url"]) as url, headless_chromium() as browser:
        page = SignInPage(browser, url)
        try:
            yield page
        finally:
            page.close()


def cors_errors(page: SignInPage, path: str) -> list[str]:
    return [
        m for m in page.console if "blocked by CORS policy" in m and f"{path}' from origin" in m
    ]


def test_without_cors_the_browser_blocks_what_the_api_answered(stack):
    cloud = stack["cloud"]
    cors(stack, on=False)
    before = access_log(cloud)
    with page_for(stack) as page:
        assert page.sign_in(stack["username"], stack["password"]) == f"POST /auth: {BLOCKED}"
        assert page.status("sign-in-result") == "blocked"
        assert page.text("token-summary") == ""
        assert page.call_hello("no token") == f"GET /hello (no token): {BLOCKED}"
        sign_in_errors, hello_errors = cors_errors(page, "/auth"), cors_errors(page, "/hello")
    # the browser said why: the preflight had no Access-Control-Allow-Origin, nor had the 401
    assert len(sign_in_errors) == 1 and "Response to preflight request" in sign_in_errors[0]
    assert len(hello_errors) == 1
    assert "No 'Access-Control-Allow-Origin' header is present" in hello_errors[0]
    # the API answered both: the preflight (no OPTIONS method: 403), the GET (no token: 401);
    # the POST itself was never sent
    stage = stack["stage"]
    assert logged_since(cloud, before) == [
        ("OPTIONS", f"/{stage}/auth", "403"),
        ("GET", f"/{stage}/hello", "401"),
    ]
    # outside a browser (no CORS) the same sign-in works
    answer = requests.post(
        stack["api_url"] + "/auth",
        json={"username": stack["username"], "password": stack["password"]},
        timeout=30,
    )
    assert answer.status_code == 200 and "IdToken" in answer.json()["AuthenticationResult"]
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_with_cors_the_page_signs_in_and_reads_every_answer(stack):
    cors(stack, on=True)
    username = stack["username"]
    with page_for(stack) as page:
        id_tokens: list[str] = []
        page.page.on(
            "response",
            lambda r: (
                id_tokens.append(r.json()["AuthenticationResult"]["IdToken"])
                if r.request.method == "POST" and r.url.endswith("/auth") and r.status == 200
                else None
            ),
        )
        assert (
            page.sign_in(username, stack["password"]) == f"POST /auth: 200 signed in as {username}"
        )
        assert page.call_hello("ID token") == f"GET /hello (ID token): 200 Hello, {username}!"
        assert page.call_hello("bad token") == "GET /hello (bad token): 401 Unauthorized"
        assert page.call_hello("no token") == "GET /hello (no token): 401 Unauthorized"
        summary = page.text("token-summary")
        html = page.page.content()
        errors = [m for m in page.console if "CORS" in m]
    assert not errors, errors
    # the token is shown as its first 12 characters and its claims, never whole; the password
    # stays in the password field
    [token] = id_tokens
    assert f"ID token\t{token[:12]}…" in summary and f"cognito:username\t{username}" in summary
    assert token not in html and token[:13] not in html
    assert stack["password"] not in html


def test_the_401_is_readable_only_through_the_default_4xx_gateway_response(stack):
    cloud, api_id, stage = stack["cloud"], stack["api_id"], stack["stage"]
    cors(stack, on=True)
    apigw = cloud.client("apigateway")
    apigw.delete_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    deploy(apigw, api_id, stage, "DEFAULT_4XX without CORS (browser test)")
    access_log_on(stack)
    try:
        before = access_log(cloud)
        with page_for(stack) as page:
            assert page.call_hello("bad token") == f"GET /hello (bad token): {BLOCKED}"
            signed_in = page.sign_in(stack["username"], stack["password"])
            assert signed_in == f"POST /auth: 200 signed in as {stack['username']}"
            assert page.call_hello("ID token").startswith("GET /hello (ID token): 200 Hello, ")
        # the preflight passed; the API answered the bad token 401, unreadable without the header
        assert logged_since(cloud, before)[:2] == [
            ("OPTIONS", f"/{stage}/hello", "200"),
            ("GET", f"/{stage}/hello", "401"),
        ]
        assert len(cors_errors(page, "/hello")) == 1
    finally:
        cors(stack, on=True)


def test_show_page_shows_the_blocked_page_then_the_working_one(stack):
    cloud, username = stack["cloud"], stack["username"]
    cors(stack, on=False)
    started = time.monotonic()
    before = show_page(cloud, username, stack["password"])
    seconds = time.monotonic() - started
    cors(stack, on=True)
    after = show_page(cloud, username, stack["password"])
    assert isinstance(before, PageShot) and isinstance(after, PageShot)
    assert before.lines == [f"POST /auth: {BLOCKED}", f"GET /hello (no token): {BLOCKED}"]
    assert after.lines == [
        f"POST /auth: 200 signed in as {username}",
        f"GET /hello (ID token): 200 Hello, {username}!",
    ]
    for shot in (before, after):
        assert shot.png is not None and shot.png.startswith(b"\x89PNG\r\n\x1a\n")
        assert stack["password"] not in shot.summary
    assert seconds < 15, f"one screenshot took {seconds:.1f} s"


def test_show_page_works_where_an_event_loop_runs(stack):
    """In a Jupyter kernel a cell runs inside an asyncio loop, where Playwright's sync API refuses
    to start; show_page runs the browser in a thread of its own."""
    cloud = stack["cloud"]
    cors(stack, on=True)

    async def in_a_cell() -> PageShot:
        asyncio.get_running_loop()
        return show_page(cloud, stack["username"], stack["password"])

    shot = asyncio.run(in_a_cell())
    assert shot.lines[0].startswith("POST /auth: 200 signed in as ")


def test_the_leftover_check_sees_a_running_browser(chromium):
    """no_browser_left can fail: while a browser runs, its processes are found."""
    name, _, value = MARKER.partition("=")
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        with headless_chromium():
            running = browser_processes()
    finally:
        if saved is None:
            del os.environ[name]
        else:
            os.environ[name] = saved
    assert any("chrom" in line.lower() for line in running), running
    assert browser_processes() == []
