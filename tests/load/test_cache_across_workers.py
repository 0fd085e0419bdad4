"""Lanes cached in 4 gunicorn workers are never stale: one client's move, note and due change is seen by
another client's very next board, whichever worker answers (each request on a new connection). The board
is asked for as a browser asks (gzip and brotli offered): a kept page comes gzipped in parts, a page
drawn afresh compressed whole."""
from __future__ import annotations

import pytest

from board.services.accounts import create_user
from board.services.plan_import import import_plan
from models import Role, db
from tests.conftest import make_app
from tests.http_client import (
    free_port,
    get_as_browser,
    request,
    sign_in,
    start_gunicorn,
    stop,
    wait_until_ready,
)
from tests.pages import page_of
from tests.plans import seed_plan

pytestmark = pytest.mark.server  # gunicorn with several workers, as production runs it

PASSWORD = "load test password"
WORKERS = 4


@pytest.fixture
def server(tmp_path):
    app = make_app(tmp_path)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        import_plan(seed_plan())
        create_user("editor@example.org", "Editor", Role.EDITOR, PASSWORD)
        create_user("viewer@example.org", "Viewer", Role.VIEWER, PASSWORD)
        db.session.remove()
        db.engine.dispose()
    port, log = free_port(), tmp_path / "gunicorn.log"
    proc = start_gunicorn(url, port, log, workers=WORKERS)
    try:
        wait_until_ready(proc, port, log)
        yield port
    finally:
        stop(proc)


ENCODINGS: set[str] = set()  # how the boards read came: kept pages (gzip) and pages drawn afresh (br)


def _boards(port, headers, times=2 * WORKERS):
    """The board read often enough to be cached in every worker; the last one read."""
    for _ in range(times):
        status, body, encoding = get_as_browser(port, "/", headers)
        assert status == 200 and encoding in ("gzip", "br")
        ENCODINGS.add(encoding)
    return page_of(body)


def test_every_workers_cache_follows_a_change(server):
    port = server
    ENCODINGS.clear()
    editor = sign_in(port, "editor@example.org", PASSWORD)
    viewer = sign_in(port, "viewer@example.org", PASSWORD)
    htmx = {**editor, "HX-Request": "true"}
    before = _boards(port, viewer)
    assert before.cards_in(3, "red") == []
    reds = before.totals()["Red"]
    status, _, _ = request(port, "POST", "/actions/3.1/move", htmx, {"status": "red", "position": 0, "version": 1,
                                                                      "area": 3})
    assert status == 200
    after = _boards(port, viewer, times=1)  # the whole page is kept too: its counts and its poll follow
    assert after.cards_in(3, "red") == ["3.1"] and after.totals()["Red"] == reds + 1
    assert after.poll_url() != before.poll_url()
    _boards(port, viewer)
    status, _, _ = request(port, "POST", "/actions/3.1/notes", htmx, {"text": "Audit done"})
    assert status == 200
    assert "1 note" in _boards(port, viewer, times=1).card_text("3.1")
    _boards(port, viewer)
    status, _, _ = request(port, "POST", "/actions/3.1/due", htmx,
                           {"new_due": "Dec 2030", "reason": "Waiting for the audit", "current_due": "Oct 2023"})
    assert status == 200
    for _ in range(WORKERS):  # whichever worker answers
        assert "Dec 2030" in _boards(port, viewer, times=1).card_text("3.1")
    assert ENCODINGS == {"gzip", "br"}  # kept pages and pages drawn afresh were both read
