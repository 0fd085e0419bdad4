"""What a browser fetches to show the board (issue 13): a first visit with an empty cache stays within 6
requests and 60 KB on the wire with the app alone (no nginx), and a second visit asks for the page only,
its static files kept by their fingerprinted names, even when signing in changed the cookie."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as

FIRST_VISIT_REQUESTS, FIRST_VISIT_BYTES = 6, 60_000


def _served_paths(app) -> list[str]:
    """Every path the server is asked for from now on, in order, but the live poll: tests poll every second,
    so on a busy machine one can come before the page is idle, and it is not part of showing the page."""
    paths: list[str] = []
    inner = app.wsgi_app

    def counting(environ, start_response):
        if environ.get("PATH_INFO", "") != "/board/changes":
            paths.append(environ.get("PATH_INFO", ""))
        return inner(environ, start_response)

    app.wsgi_app = counting
    return paths


def _transferred(page) -> list[int]:
    """Bytes on the wire (headers and encoded body) of every response the page receives from now on."""
    sizes: list[int] = []

    def finished(request):
        if "/board/changes" in request.url:
            return  # the live poll, as above
        size = request.sizes()
        sizes.append(size["responseHeadersSize"] + size["responseBodySize"])

    page.on("requestfinished", finished)
    return sizes


def test_a_first_visit_is_small_and_a_second_asks_for_the_page_only(seeded_app, live_server, page):
    served = _served_paths(seeded_app)
    sign_in_as(page, live_server, "editor")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The files the sign-in page fetched signed out serve the board signed in: none is fetched again.
    signed_in = served.index("/sign-in", 1)
    assert {path for path in served[:signed_in] if path.startswith("/static/")} >= {"/static/css/board.css"}
    assert not set(served[:signed_in]) & set(served[signed_in:]) - {"/sign-in"}, served

    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
    served.clear()
    sizes = _transferred(page)
    page.goto(live_server + "/")
    expect(page.locator("#board .swimlane").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert len(served) <= FIRST_VISIT_REQUESTS, served
    assert sum(sizes) <= FIRST_VISIT_BYTES, (sum(sizes), served)

    served.clear()
    again = page.goto(live_server + "/")
    expect(page.locator("#board .swimlane").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert served == ["/"]
    # A board nobody changed is sent as it was kept: gzipped in parts, this request's CSRF token and clock
    # spliced in. The browser reads it whole, to the page's last line.
    assert again.header_value("content-encoding") == "gzip"
    expect(page.locator("#board li.card")).to_have_count(88)
    expect(page.get_by_role("link", name="Accessibility statement")).to_be_visible()
