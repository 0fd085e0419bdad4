"""Committee read-only links."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from board.config import record_server_url
from board.services import share_links
from board.services.board_view import current_plan
from models import Action, ShareLink, db
from tests.conftest import HTMX, csrf_token
from tests.pages import page_of


def _make_link(app, expires_on=None, label="Children and Families Committee"):
    with app.app_context():
        link, token = share_links.create_link(current_plan(), label, expires_on)
        return link.id, token


def test_admin_creates_a_link_and_sees_its_url_once(seeded_app, client_for):
    admin = client_for("admin")
    response = admin.post("/admin/links", data={
        "label": "Committee, November", "expires_on": "", "csrf_token": csrf_token(admin)})
    assert response.status_code == 201
    url = page_of(response).value_labelled("Read-only link")
    assert re.fullmatch(r"http://localhost/share/[^/]+/", url or ""), "the full link is shown to copy"
    token = url.rsplit("/", 2)[-2]
    assert len(token) >= 43  # 32 random bytes, base64url
    listing = admin.get("/admin/links")
    assert token not in listing.get_data(as_text=True)  # anywhere in the markup
    assert page_of(listing).table_rows()[1][0] == "Committee, November"
    with seeded_app.app_context():
        stored = db.session.scalars(select(ShareLink)).one()
        assert stored.token_hash == share_links.hash_token(token) and token not in stored.token_hash
        assert stored.created_by.email == "admin@example.org"


def test_link_shows_board_and_detail_without_any_way_to_change(seeded_app):
    link_id, token = _make_link(seeded_app)
    visitor = seeded_app.test_client()
    board = visitor.get(f"/share/{token}/")
    html = board.get_data(as_text=True)
    assert board.status_code == 200
    assert len(page_of(board).card_refs()) == 88
    for forbidden in ("<form", "csrf", "X-CSRFToken", "@example.org", "Sign out"):
        assert forbidden not in html
    assert f"/share/{token}/actions/2.7" in page_of(board).links()
    assert board.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert board.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in board.headers
    detail = visitor.get(f"/share/{token}/actions/2.7", headers=HTMX)
    body = detail.get_data(as_text=True)
    assert detail.status_code == 200 and "Scrutinise the length" in body
    assert "<form" not in body and "csrf" not in body
    assert f"/share/{token}/actions/2.6" in page_of(detail).links()
    with seeded_app.app_context():
        link = db.session.get(ShareLink, link_id)
        assert link.times_opened == 1 and link.last_opened_at is not None


@pytest.fixture
def share_answers(seeded_app) -> dict[str, tuple[str, int, dict]]:
    """Every share page, and its refusals: name -> (path, expected status, request headers)."""
    from board.services.moves import move_action
    from models import Outcome, Plan, User

    _, token = _make_link(seeded_app)
    revoked_id, revoked = _make_link(seeded_app, label="Last year's committee")
    with seeded_app.app_context():
        share_links.revoke(db.session.get(ShareLink, revoked_id))
        editor = db.session.scalars(select(User).where(User.email == "editor@example.org")).one()
        move_action(db.session.scalars(select(Action).where(Action.ref == "3.3")).one(), "red", 0, 1, editor)
        counter = db.session.scalars(select(Plan.change_counter)).one()
        outcome_id = db.session.scalars(select(Outcome.id).order_by(Outcome.id)).first()
    unknown = token[:-4] + "AAAA"
    return {
        "board": (f"/share/{token}/", 200, {}),
        "detail": (f"/share/{token}/actions/2.7", 200, {}),
        "detail panel": (f"/share/{token}/actions/2.7", 200, HTMX),
        "outcomes": (f"/share/{token}/outcomes", 200, {}),
        "outcome": (f"/share/{token}/outcomes/{outcome_id}", 200, {}),
        "report": (f"/share/{token}/report", 200, {}),
        "changes": (f"/share/{token}/changes?since={counter - 1}", 200, HTMX),
        "no changes": (f"/share/{token}/changes?since={counter}", 204, HTMX),
        "no such action": (f"/share/{token}/actions/99.9", 404, {}),
        "no such outcome": (f"/share/{token}/outcomes/999999", 404, {}),
        "unknown link": (f"/share/{unknown}/", 404, {}),
        "unknown link, detail": (f"/share/{unknown}/actions/2.7", 404, {}),
        "revoked link": (f"/share/{revoked}/", 410, {}),
        "revoked link, outcomes": (f"/share/{revoked}/outcomes", 410, {}),
        "revoked link, report": (f"/share/{revoked}/report", 410, {}),
        "revoked link, changes": (f"/share/{revoked}/changes?since=0", 410, HTMX),
    }


@pytest.mark.parametrize("answer", [
    "board", "detail", "detail panel", "outcomes", "outcome", "report", "changes", "no changes",
    "no such action", "no such outcome", "unknown link", "unknown link, detail", "revoked link",
    "revoked link, outcomes", "revoked link, report", "revoked link, changes"])
def test_share_pages_set_no_cookie_and_are_never_stored(seeded_app, share_answers, answer):
    path, status, headers = share_answers[answer]
    response = seeded_app.test_client().get(path, headers=headers)  # a first visit: no cookie yet
    assert response.status_code == status
    assert response.headers.getlist("Set-Cookie") == []
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_link_never_becomes_a_session(seeded_app):
    _, token = _make_link(seeded_app)
    visitor = seeded_app.test_client()
    visitor.get(f"/share/{token}/")
    assert visitor.get("/").status_code == 302
    assert visitor.get("/actions/2.7").status_code == 302
    assert visitor.get("/admin/users").status_code == 302


@pytest.mark.parametrize("case, status", [("revoked", 410), ("expired", 410), ("unknown", 404)])
def test_revoked_expired_and_unknown_links_stop_working(seeded_app, case, status):
    expires = date(2023, 12, 14) if case == "expired" else None  # the tests' today is 2023-12-15
    link_id, token = _make_link(seeded_app, expires_on=expires)
    if case == "revoked":
        with seeded_app.app_context():
            share_links.revoke(db.session.get(ShareLink, link_id))
    if case == "unknown":
        token = token[:-4] + "AAAA"
    visitor = seeded_app.test_client()
    for path in (f"/share/{token}/", f"/share/{token}/actions/2.7"):
        response = visitor.get(path)
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert "not valid" in html or "no longer valid" in html
        assert "Scrutinise" not in html and "<form" not in html


def test_link_works_through_its_expiry_day(seeded_app):
    _, token = _make_link(seeded_app, expires_on=date(2023, 12, 15))
    assert seeded_app.test_client().get(f"/share/{token}/").status_code == 200


def test_admin_revokes_a_link_and_it_stops_on_the_next_request(seeded_app, client_for):
    link_id, token = _make_link(seeded_app)
    visitor = seeded_app.test_client()
    assert visitor.get(f"/share/{token}/").status_code == 200
    admin = client_for("admin")
    response = admin.post(f"/admin/links/{link_id}/revoke",
                          data={"csrf_token": csrf_token(admin)})
    assert response.status_code == 303
    assert visitor.get(f"/share/{token}/").status_code == 410
    with seeded_app.app_context():
        assert db.session.get(ShareLink, link_id).revoked_by.email == "admin@example.org"


def test_link_form_refuses_a_past_expiry_and_keeps_the_label(seeded_app, client_for):
    admin = client_for("admin")
    yesterday = "2023-12-14"  # the day before the tests' today (BOARD_TODAY), not the real one
    response = admin.post("/admin/links", data={
        "label": "Scrutiny panel", "expires_on": yesterday,
        "csrf_token": csrf_token(admin)})
    page = page_of(response)
    assert response.status_code == 422
    assert "The expiry date must be today or later." in page.form_errors()
    assert page.field_value("label") == "Scrutiny panel"
    with seeded_app.app_context():
        assert db.session.scalars(select(ShareLink)).all() == []


def test_share_link_cli_create_list_revoke(seeded_app):
    runner = seeded_app.test_cli_runner()
    created = runner.invoke(args=["share-link", "create", "--label", "Scrutiny", "--expires", "2999-01-31",
                                  "--base-url", "https://board.council.example"])
    assert created.exit_code == 0, created.output
    url = created.output.strip()
    assert re.fullmatch(r"https://board\.council\.example/share/[\w-]{43,}/", url)
    token = url.rsplit("/", 2)[-2]
    assert seeded_app.test_client().get(f"/share/{token}/").status_code == 200
    listing = runner.invoke(args=["share-link", "list"])
    assert "\tactive\tScrutiny\texpires 2999-01-31\topened 1x" in listing.output
    link_id = listing.output.split("\t")[0]
    assert runner.invoke(args=["share-link", "revoke", link_id]).exit_code == 0
    assert seeded_app.test_client().get(f"/share/{token}/").status_code == 410
    assert runner.invoke(args=["share-link", "revoke", "999"]).exit_code == 1


def test_share_link_cli_default_base_url(seeded_app, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    created = seeded_app.test_cli_runner().invoke(args=["share-link", "create", "--label", "L"])
    assert created.output.startswith("http://127.0.0.1:8123/share/")


def test_share_link_cli_base_url_order(seeded_app, monkeypatch):
    """--base-url, else BOARD_BASE_URL, else the address the server recorded when it started, else $PORT."""
    monkeypatch.setenv("PORT", "8123")
    record_server_url(seeded_app.instance_path, "http://127.0.0.1:9001")

    def printed(*options: str) -> str:
        created = seeded_app.test_cli_runner().invoke(args=["share-link", "create", "--label", "L", *options])
        assert created.exit_code == 0, created.output
        return created.output.split("/share/")[0]

    assert printed() == "http://127.0.0.1:9001"
    seeded_app.config["BOARD_BASE_URL"] = "https://board.council.example/"
    assert printed() == "https://board.council.example"
    assert printed("--base-url", "https://elsewhere.example") == "https://elsewhere.example"


def test_nothing_on_a_share_page_changes_the_board(seeded_app):
    _, token = _make_link(seeded_app)
    visitor = seeded_app.test_client()
    assert visitor.post(f"/share/{token}/").status_code == 405
    assert visitor.post(f"/share/{token}/actions/2.7").status_code == 405
    with seeded_app.app_context():
        assert db.session.scalars(select(Action.status).distinct()).all() == ["not_started"]


def test_the_read_only_board_stays_current(seeded_app):
    from board.services.moves import move_action
    from models import Plan, User

    _, token = _make_link(seeded_app)
    visitor = seeded_app.test_client()
    poll = page_of(visitor.get(f"/share/{token}/")).poll_url()
    assert poll.startswith(f"/share/{token}/changes?since=")
    since = poll.rsplit("=", 1)[1]
    assert visitor.get(f"/share/{token}/changes?since={since}").status_code == 204
    with seeded_app.app_context():
        editor = db.session.scalars(select(User).where(User.email == "editor@example.org")).one()
        move_action(db.session.scalars(select(Action).where(Action.ref == "3.3")).one(), "red", 0, 1, editor)
        assert db.session.scalars(select(Plan)).one().change_counter == int(since) + 1
    changed = visitor.get(f"/share/{token}/changes?since={since}")
    body = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "area-3" in page_of(changed).out_of_band_ids()
    assert "<form" not in body and "data-sortable" not in body and "csrf" not in body
    assert f"/share/{token}/actions/3.3" in page_of(changed).links()
