"""The sign-in page (``web/``) in a real, headless Chromium: what a learner would see in theirs.

:func:`show_page` is what a notebook calls: it serves the page for the stack's API, signs in
through the form, calls ``/hello``, and shows a screenshot with the status lines the page
showed. Chromium is the system's (``make setup`` finds or installs it), driven by Playwright
for Python with that browser as its executable: nothing is downloaded. Without a browser the
answer is one line, ``not run: <reason>``, never a success.

The browser always runs headless with its own throwaway profile, and is closed on every path
(also when a step fails), so no browser process outlives the call.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from helpers.errors import KitError

#: the executables tried, in this order, on PATH (``CHROMIUM_PATH`` names one explicitly)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_PATH_VARIABLE = "CHROMIUM_PATH"
#: headless, no GPU, no sandbox (the kit runs as root in CI), nothing fetched in the background
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--password-store=basic",
    "--mute-audio",
)
#: how long one step (load, click, an answer from the API) may take, in milliseconds
STEP_TIMEOUT_MS = 10_000
#: the page's answer boxes (their ``data-testid``), in the order they are summarized
RESULTS = ("sign-in-result", "hello-result")
#: the buttons that call ``/hello``, by what they send
HELLO_BUTTONS = {
    "ID token": "call-hello",
    "no token": "call-hello-no-token",
    "bad token": "call-hello-bad-token",
}
INSTALL_HINT = (
    "install Chromium (as root on Debian or Ubuntu `make setup` does it: apt-get install chromium) "
    f"or set {CHROMIUM_PATH_VARIABLE} to a Chromium or Chrome executable"
)


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable to drive: ``CHROMIUM_PATH`` when set, else the first of
    :data:`CHROMIUM_NAMES` on PATH; None when there is none."""
    explicit = os.environ.get(CHROMIUM_PATH_VARIABLE)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_missing_reason() -> str | None:
    """Why no browser can run here, in one sentence; None when Chromium and Playwright are there."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed; run `make setup`"
    explicit = os.environ.get(CHROMIUM_PATH_VARIABLE)
    if explicit and find_chromium() is None:
        return f"{CHROMIUM_PATH_VARIABLE}={explicit} is not an executable file; fix or unset it"
    if find_chromium() is None:
        return f"no Chromium found on PATH; {INSTALL_HINT}"
    return None


@contextmanager
def headless_chromium(executable: str | None = None) -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``) from the system's executable, closed (and
    Playwright's driver stopped) on the way out, whatever happened inside."""
    from playwright.sync_api import sync_playwright

    executable = executable or find_chromium()
    if executable is None:
        raise KitError(f"No Chromium to run the page in; {INSTALL_HINT}.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=list(LAUNCH_ARGS),
            timeout=STEP_TIMEOUT_MS,
        )
        try:
            yield browser
        finally:
            browser.close()


class SignInPage:
    """The page open in a browser tab: fill and submit the form, press the buttons, read what
    the page shows. ``console`` collects the browser console's messages (CORS errors land there).
    """

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 820, "height": 720})
        self.page = self.context.new_page()
        self.page.set_default_timeout(STEP_TIMEOUT_MS)
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.goto(url, wait_until="load")

    def _press(self, button: str, result: str) -> str:
        """Click ``button`` and wait until the box ``result`` shows the answer; its text."""
        box = self.page.get_by_test_id(result)
        box.evaluate("element => { element.dataset.status = ''; }")
        self.page.get_by_test_id(button).click()
        self.page.wait_for_function(
            'id => document.querySelector(`[data-testid="${id}"]`).dataset.status', arg=result
        )
        return box.inner_text()

    def sign_in(self, username: str, password: str) -> str:
        """Sign in through the form (``POST /auth``); the line the page shows."""
        self.page.get_by_test_id("username").fill(username)
        self.page.get_by_test_id("password").fill(password)
        return self._press("sign-in", "sign-in-result")

    def call_hello(self, sending: str = "ID token") -> str:
        """Press the ``/hello`` button for ``sending`` (:data:`HELLO_BUTTONS`); the line shown."""
        return self._press(HELLO_BUTTONS[sending], "hello-result")

    def status(self, result: str) -> str:
        """The answer box's status: ``"200"``, ``"401"``, ``"blocked"``, ``"not-signed-in"``."""
        return self.page.get_by_test_id(result).get_attribute("data-status") or ""

    def text(self, testid: str) -> str:
        return self.page.get_by_test_id(testid).inner_text()

    def screenshot(self) -> bytes:
        return self.page.screenshot(full_page=True, type="png")

    def close(self) -> None:
        self.context.close()


@dataclass
class PageShot:
    """A screenshot of the page and the status lines it showed. In a notebook it displays as the
    picture followed by the lines; ``summary`` is the lines as text."""

    lines: list[str]
    png: bytes | None = field(default=None, repr=False)

    @property
    def summary(self) -> str:
        return "\n".join(self.lines)

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        if self.png is not None:
            display(Image(data=self.png, format="png", width=640))
        print(self.summary)

    def __str__(self) -> str:
        return self.summary

    @property
    def png_base64(self) -> str:
        return base64.b64encode(self.png or b"").decode()


def shoot_page(url: str, username: str, password: str, executable: str | None = None) -> PageShot:
    """Open ``url`` in headless Chromium, sign in as ``username``, call ``/hello`` (with the ID
    token when signed in, else without a token), and take a screenshot of the page."""
    with headless_chromium(executable) as browser:
        page = SignInPage(browser, url)
        try:
            page.sign_in(username, password)
            page.call_hello("ID token" if page.status("sign-in-result") == "200" else "no token")
            lines = [page.text(result) for result in RESULTS]
            return PageShot(lines=lines, png=page.screenshot())
        finally:
            page.close()


def off_the_event_loop(function: Any, *args: Any) -> Any:
    """Run ``function(*args)`` in a thread of its own and return its result: Playwright's sync API
    refuses to run where an asyncio loop runs (a Jupyter kernel's cell does)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kit-browser") as pool:
        return pool.submit(function, *args).result()


def show_page(cloud: Any, username: str, password: str) -> PageShot:
    """Serve the page for this stack's API (``api_url`` from the outputs file) on a free port of
    ``127.0.0.1``, open it in headless Chromium, sign in through its form as ``username``, press
    "call /hello" (with the ID token; without a token when the sign-in did not work), and return
    a :class:`PageShot`: displayed, it shows the screenshot and the page's two status lines, e.g.

    - before CORS is configured: ``POST /auth: blocked (network/CORS error): the browser did not
      let the page read the answer`` and ``GET /hello (no token): blocked (…)``;
    - after: ``POST /auth: 200 signed in as misi`` and ``GET /hello (ID token): 200 Hello, misi!``.

    Call it once per state (a cell before ``enable_cors``, one after its deployment); each call
    starts and closes its own browser and page server (about a second). The password goes into
    the form's password field (shown as dots) and is never printed; tokens are shown as their
    first 12 characters. Without Chromium or Playwright it returns a one-line ``not run:
    <reason>`` (no screenshot), never a success.
    """
    from helpers.stack import load_stack
    from helpers.web import serve_page

    reason = browser_missing_reason()
    if reason:
        return PageShot(lines=[f"not run: {reason}"])
    api_url = load_stack(cloud, "api_url")["api_url"]
    with serve_page(api_url) as url:
        return off_the_event_loop(shoot_page, url, username, password)
