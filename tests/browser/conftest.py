"""Browser tests: Playwright drives Debian's Chromium against the app on a real loopback server.

A missing browser fails the run (never a skip): `make test` installs it.
"""
from __future__ import annotations

import os
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the networking flags Chromium tries to reach the internet at start and stalls here.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


# Tests wait for states, never for a time; this cap only stops a test that would wait forever
# (generous, so a machine busy with other work still passes).
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The clinic's projector: 1920 x 1080."""
    return {**browser_context_args, "viewport": {"width": 1920, "height": 1080}}


class _ClosedOnce:
    """A response body that is closed once, whoever closes it first."""

    def __init__(self, body):
        self.body, self.closed = body, False

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if hasattr(self.body, "close"):
                self.body.close()


class _ClosesEveryResponse:
    """The app as gunicorn runs it: every response is closed, which runs the work the app does after answering
    (sending email). Werkzeug's development server skips closing one when the browser resets the connection
    while the server drains it; the handler below closes it then."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ["board.tests.body"] = body = _ClosedOnce(self.app(environ, start_response))
        return body


class _Handler(WSGIRequestHandler):
    def connection_dropped(self, error, environ=None) -> None:
        body = (environ or {}).get("board.tests.body")
        if body is not None:
            body.close()


@pytest.fixture
def live_server(seeded_app):
    """The seeded app served on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, _ClosesEveryResponse(seeded_app), threaded=True, request_handler=_Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def no_js_page(browser):
    """A page with JavaScript disabled: every flow must still work with plain links and forms."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def sign_in_as(page, base_url: str, role: str = "viewer") -> None:
    """Sign in through the form, as a person would."""
    from tests.conftest import PASSWORD, email_for

    page.goto(base_url + "/sign-in")
    page.get_by_label("Email").fill(email_for(role))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/")


@pytest.fixture
def viewer_page(page, live_server):
    """A page signed in as a viewer, on the board."""
    sign_in_as(page, live_server, "viewer")
    return page


def drag(page, source, target, target_offset=(40, 20)):
    """Drag like a person: press on the card's text, nudge, glide to the target, nudge, release.

    Sortable ignores dragover for ~30 ms after each DOM move, so a fast path can drop in the wrong
    column; these pauses were reliable here even under load.
    """
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + 20, start["y"] + 6)
    page.mouse.down()
    page.mouse.move(start["x"] + 24, start["y"] + 10)
    page.wait_for_timeout(50)
    # A tall empty column may start above the viewport: aim level with the card when we can.
    x = end["x"] + target_offset[0]
    y = min(max(start["y"] + 6, end["y"] + target_offset[1]), end["y"] + end["height"] - 4)
    page.mouse.move(x, y, steps=10)
    page.wait_for_timeout(50)
    page.mouse.move(x + 2, y + 1)
    page.wait_for_timeout(50)
    page.mouse.up()


@pytest.fixture
def editor_page(page, live_server):
    sign_in_as(page, live_server, "editor")
    return page
