"""Cached lanes, conditional requests, compression, fingerprinted static files and the cheap poll
(issue 13): never stale, never shown to anyone they were not rendered for, a small constant of queries."""
from __future__ import annotations

import re

import pytest

from board.services import share_links
from board.services.accounts import set_active
from board.services.moves import move_action
from models import ActionEvent, EventKind, Plan, db
from tests.conftest import action_by_ref, count_queries, csrf_token, user_for
from tests.pages import page_of

HTMX = {"HX-Request": "true"}


def _engine(app):
    with app.app_context():
        return db.engine


def _since(page) -> str:
    return page_of(page).poll_url().split("since=")[1].split("&")[0]


def _share_token(app, plan_slug=None) -> str:
    with app.app_context():
        plan = (db.session.scalars(db.select(Plan).where(Plan.slug == plan_slug)).one() if plan_slug
                else db.session.scalars(db.select(Plan).where(Plan.live)).one())
        _, token = share_links.create_link(plan, "Committee", None)
        db.session.commit()
    return token


def _move(client, ref, status, version, area):
    answer = client.post(f"/actions/{ref}/move", headers={**HTMX, "X-CSRFToken": csrf_token(client)},
                         data={"status": status, "position": 0, "version": version, "area": area})
    assert answer.status_code == 200, answer.status_code
    return answer


def test_a_cached_board_costs_a_small_constant_number_of_queries(seeded_app, client_for):
    editor, viewer = client_for("editor"), client_for("viewer")
    editor.get("/")
    viewer.get("/")  # a warm cache for both
    for client in (editor, viewer):
        with count_queries(_engine(seeded_app)) as statements:
            assert client.get("/").status_code == 200
        assert len(statements) <= 7, statements  # session, plan, clinics, areas, owner roles, plan list
        assert not any("FROM action " in statement for statement in statements)  # no card read at all


def test_a_change_by_one_client_is_seen_by_the_next_get_of_another(seeded_app, client_for):
    editor, viewer = client_for("editor"), client_for("viewer")
    assert page_of(viewer.get("/")).cards_in(3, "red") == []
    _move(editor, "3.1", "red", 1, 3)
    assert page_of(viewer.get("/")).cards_in(3, "red") == ["3.1"]
    token = csrf_token(editor)
    editor.post("/actions/3.1/notes", headers={**HTMX, "X-CSRFToken": token}, data={"text": "Audit done"})
    assert "1 note" in page_of(viewer.get("/")).card_text("3.1")
    changed = editor.post("/actions/3.1/due", headers={**HTMX, "X-CSRFToken": token},
                          data={"new_due": "Dec 2030", "reason": "Waiting for the audit", "current_due": "Oct 2023"})
    assert changed.status_code == 200
    assert "Dec 2030" in page_of(viewer.get("/")).card_text("3.1")


def test_a_kept_card_follows_its_row_and_never_reaches_a_viewer(seeded_app, client_for):
    """A lane drawn after a change is drawn from kept cards: a note or a due change on a card is seen in
    the next lane drawn, and cards kept with Move links for an editor never reach a viewer's refresh."""
    editor, viewer = client_for("editor"), client_for("viewer")
    since = _since(viewer.get("/"))
    _move(editor, "3.2", "red", 1, 3)  # area 3's cards kept for the editor
    answer = page_of(_move(editor, "3.2", "amber", 2, 3))
    assert "Update status of 3.1" in answer.link_names() and "0 notes" not in answer.card_text("3.1")
    polled = page_of(viewer.get(f"/board/changes?since={since}", headers=HTMX))
    assert polled.card("3.1") is not None and "Update status of 3.1" not in polled.link_names()
    token = csrf_token(editor)
    editor.post("/actions/3.1/notes", headers={**HTMX, "X-CSRFToken": token}, data={"text": "Audit done"})
    assert "1 note" in page_of(_move(editor, "3.2", "red", 3, 3)).card_text("3.1")
    changed = editor.post("/actions/3.1/due", headers={**HTMX, "X-CSRFToken": token},
                          data={"new_due": "Dec 2030", "reason": "Waiting for the audit", "current_due": "Oct 2023"})
    assert changed.status_code == 200
    assert "Dec 2030" in page_of(_move(editor, "3.2", "amber", 4, 3)).card_text("3.1")
    assert "Dec 2030" in page_of(viewer.get(f"/board/changes?since={since}", headers=HTMX)).card_text("3.1")


def test_a_lane_cached_with_move_links_never_reaches_a_viewer_or_a_share_link(seeded_app, client_for):
    editor, viewer = client_for("editor"), client_for("viewer")
    editor_page = page_of(editor.get("/"))
    assert "Update status of 2.7" in editor_page.link_names() and editor_page.drop_targets()
    viewer_page = page_of(viewer.get("/"))
    assert "Update status of 2.7" not in viewer_page.link_names() and not viewer_page.drop_targets()
    first, second = _share_token(seeded_app), _share_token(seeded_app)
    for token, other in ((first, second), (second, first)):
        shared = seeded_app.test_client().get(f"/share/{token}/")
        links = page_of(shared).links()
        assert f"/share/{token}/actions/2.7" in links
        assert not any(other in link for link in links) and "Update status of 2.7" not in page_of(shared).link_names()


def test_a_lane_is_never_served_to_another_plans_prefix(two_years, client_for):
    editor = client_for("editor")
    old = page_of(editor.get("/plans/2023-24/")).links()
    live = page_of(editor.get("/")).links()
    assert "/plans/2023-24/actions/1.3" in old
    assert "/actions/1.1" in live and not any(link.startswith("/plans/2023-24/actions") for link in live)


def test_the_nothing_changed_poll_asks_the_counter_of_the_plan_in_its_url(two_years, client_for):
    editor = client_for("editor")
    old, live = _since(editor.get("/plans/2023-24/")), _since(editor.get("/"))
    assert old != live
    assert editor.get(f"/plans/2023-24/board/changes?since={old}", headers=HTMX).status_code == 204
    assert editor.get(f"/board/changes?since={live}", headers=HTMX).status_code == 204
    assert editor.get(f"/plans/2023-24/board/changes?since={live}", headers=HTMX).status_code == 200
    assert editor.get(f"/board/changes?since={old}", headers=HTMX).status_code == 200


def test_the_mine_filter_is_each_persons_own(seeded_app, client_for):
    admin, editor = client_for("admin"), client_for("editor")
    mine = [page_of(client.get("/?mine=1&view=detailed")).card_refs() for client in (admin, editor)]
    with seeded_app.app_context():
        roles = [[role.id for role in user_for(name).owner_roles] for name in ("admin", "editor")]
    if roles[0] != roles[1]:
        assert mine[0] != mine[1]


def test_a_304_only_for_the_same_content(seeded_app, client_for):
    editor, other = client_for("editor"), client_for("admin")
    editor.get("/")
    first = editor.get("/")
    tag = first.headers["ETag"]
    assert editor.get("/", headers={"If-None-Match": tag}).status_code == 304
    _move(other, "2.7", "red", 1, 2)
    changed = editor.get("/", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert page_of(changed).cards_in(2, "red")[0] == "2.7"
    detail = editor.get("/actions/2.7", headers=HTMX)
    assert editor.get("/actions/2.7", headers={**HTMX, "If-None-Match": detail.headers["ETag"]}).status_code == 304
    _move(other, "2.7", "amber", 2, 2)
    assert editor.get("/actions/2.7", headers={**HTMX, "If-None-Match": detail.headers["ETag"]}).status_code == 200
    assert "Cookie" in changed.headers["Vary"]


def test_pages_and_static_files_are_compressed_and_fingerprinted(seeded_app, client_for):
    editor = client_for("editor")
    page = editor.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert page.headers["Content-Encoding"] == "br" and "Accept-Encoding" in page.headers["Vary"]
    css = re.search(r'href="(/static/css/board\.css\?v=\w+)"', editor.get("/").get_data(as_text=True)).group(1)
    answer = editor.get(css, headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["Content-Encoding"] == "gzip"
    wrong = editor.get("/static/css/board.css?v=0000")
    assert "immutable" not in wrong.headers.get("Cache-Control", "")
    answer.close()
    wrong.close()


def test_the_nothing_changed_poll_is_one_query_and_no_data_without_a_live_session(seeded_app, client_for):
    editor = client_for("editor")
    since = _since(editor.get("/"))
    with count_queries(_engine(seeded_app)) as statements:
        assert editor.get(f"/board/changes?since={since}", headers=HTMX).status_code == 204
    assert len(statements) == 1 and "user" not in statements[0]
    with seeded_app.app_context():
        set_active(user_for("editor"), False)
        move_action(action_by_ref("2.7"), "red", 0, 1, user_for("admin"))
        db.session.commit()
    refused = editor.get(f"/board/changes?since={since}", headers=HTMX)
    assert refused.status_code in (302, 401) and b"swimlane" not in refused.data


@pytest.mark.parametrize("path", ["/board/changes?since=abc", "/board/changes"])
def test_a_poll_it_cannot_read_signs_in_fully(seeded_app, anon_client, path):
    assert anon_client.get(path).status_code == 302


def test_closing_an_inline_form_puts_back_the_card_the_board_shows(client_for):
    editor = client_for("editor")
    board = page_of(editor.get("/?view=detailed"))
    for ref in ("2.7", "9.1"):
        card = page_of(editor.get(f"/actions/{ref}/card?view=detailed", headers=HTMX)).card(ref)
        assert card is not None and str(card) == str(board.card(ref))
    assert editor.get("/actions/2.7/card?area=3", headers=HTMX).status_code == 404
    assert editor.get("/actions/99.9/card", headers=HTMX).status_code == 404


def test_a_kept_board_page_shows_each_person_their_own_page_and_its_own_clock(seeded_app, client_for, monkeypatch):
    from datetime import timedelta
    from types import SimpleNamespace

    from board import clock
    from board.views import board as board_views

    viewer, admin = client_for("viewer"), client_for("admin")
    viewer.get("/?view=detailed")
    seen = page_of(viewer.get("/?view=detailed"))  # kept, then served from what was kept
    assert "Ask owners for an update" not in seen.link_names() and seen.text("#plan-title")
    owner = page_of(admin.get("/?view=detailed"))
    assert "Ask owners for an update" in owner.link_names()
    assert "Update status of 2.7" in owner.link_names() and "Update status of 2.7" not in seen.link_names()
    start = clock.now()
    for moment in (start + timedelta(seconds=1), start + timedelta(seconds=2)):
        # The board's own clock only (the sessions keep theirs).
        monkeypatch.setattr(board_views, "clock", SimpleNamespace(today=clock.today, local_time=clock.local_time,
                                                                  now=lambda moment=moment: moment))
        answer = viewer.get("/?view=detailed")
        assert page_of(answer).text("#live-status time") == clock.local_time(moment, "%H:%M:%S")


def test_a_change_to_the_plan_itself_is_seen_on_the_next_get(seeded_app, client_for):
    viewer = client_for("viewer")
    viewer.get("/")
    with seeded_app.app_context():  # an edit that counts no change to any card
        plan = db.session.scalars(db.select(Plan).where(Plan.live)).one()
        plan.title = "A plan renamed"
        db.session.commit()
    assert page_of(viewer.get("/")).text("#plan-title").startswith("A plan renamed")


def test_a_kept_page_body_is_sent_as_rendered_and_its_etag_follows_every_part(seeded_app, client_for, anon_client):
    """The kept body is spliced in as bytes: the page reads the same as one rendered whole, a 304 needs the
    same shell (menu, flashes) and the same body, and the share board's tag follows a move too."""
    editor, other = client_for("editor"), client_for("admin")
    rendered = page_of(editor.get("/"))
    kept = editor.get("/")
    assert page_of(kept).link_names() == rendered.link_names() and "Update status of 2.7" in rendered.link_names()
    assert page_of(kept).cards_in(2, "amber") == rendered.cards_in(2, "amber")
    assert kept.get_data(as_text=True).count("</html>") == 1 and kept.mimetype == "text/html"
    assert editor.get("/", headers={"If-None-Match": kept.headers["ETag"]}).status_code == 304
    assert other.get("/", headers={"If-None-Match": kept.headers["ETag"]}).status_code == 200  # another person's page
    token = _share_token(seeded_app)
    shared = anon_client.get(f"/share/{token}/")
    tag = shared.headers["ETag"]
    assert anon_client.get(f"/share/{token}/", headers={"If-None-Match": tag}).status_code == 304
    _move(other, "2.7", "red", 1, 2)
    changed = anon_client.get(f"/share/{token}/", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "2.7" in page_of(changed).cards_in(2, "red")


def test_a_move_refreshes_the_lane_of_a_row_pointing_at_the_card(seeded_app, client_for):
    """2.1 only points at 1.5-1.8 (its status follows theirs): moving 1.5 changes area 2's lane too, found
    by the ref in quotes in the row's list (so 1.50 would not count), whatever the plan's size."""
    editor, viewer = client_for("editor"), client_for("viewer")
    board = viewer.get("/")
    since = _since(board)
    assert "2.1" not in page_of(board).cards_in(2, "red")
    _move(editor, "1.5", "red", 1, 1)
    polled = page_of(viewer.get(f"/board/changes?since={since}", headers=HTMX))
    assert polled.lane(1) is not None and "2.1" in polled.cards_in(2, "red")
    since = _since(viewer.get("/"))
    _move(editor, "1.4", "red", 1, 1)  # named by no list
    polled = page_of(viewer.get(f"/board/changes?since={since}", headers=HTMX))
    assert polled.lane(1) is not None and polled.lane(2) is None


def test_a_moved_card_answers_with_what_was_committed(seeded_app, client_for):
    """The move's answer reads the card, its history entry and the person as the move wrote them (the
    commit keeps them loaded): the lane, the reason form for that move, the card's new version."""
    editor = client_for("editor")
    answer = page_of(_move(editor, "3.1", "red", 1, 3))
    assert answer.cards_in(3, "red")[0] == "3.1"
    assert answer.card("3.1")["data-version"] == "2"
    assert answer.root.select_one("form.reason-form") is not None
    with seeded_app.app_context():
        event = db.session.scalars(db.select(ActionEvent).where(ActionEvent.kind == EventKind.STATUS)
                                   .order_by(ActionEvent.id.desc())).first()
        assert answer.root.select_one("form.reason-form")["action"] == f"/moves/{event.id}/reason"
        assert action_by_ref("3.1").version == 2 and action_by_ref("3.1").status == "red"


def _served_as_kept(monkeypatch):
    """From here on the board page can only be sent as it was kept: drawing it raises."""
    from board.views import board as board_views

    def drawn(*args, **kwargs):
        raise AssertionError("the board page was drawn, not sent as kept")
    monkeypatch.setattr(board_views, "board_page", drawn)


def test_a_kept_whole_page_carries_each_sessions_own_token_and_clock(seeded_app, client_for, monkeypatch):
    """A page nobody changed is sent whole as it was kept, for the same person and URL: its forms work
    with this session's CSRF token (another browser of the same person has its own), its clock is now."""
    from datetime import timedelta
    from types import SimpleNamespace

    from board import clock
    from board.views import board as board_views

    first = client_for("editor")
    drawn = first.get("/")
    second = client_for("editor")  # the same person signed in a second time: a session of its own
    assert page_of(second.get("/")).flash_text()  # "Signed in": a message shown once, on a page drawn for it
    _served_as_kept(monkeypatch)
    start = clock.now()
    for client, moment in ((first, start + timedelta(seconds=5)), (second, start + timedelta(seconds=9))):
        monkeypatch.setattr(board_views, "clock", SimpleNamespace(today=clock.today, local_time=clock.local_time,
                                                                  now=lambda moment=moment: moment))
        kept = client.get("/")
        assert kept.status_code == 200
        assert page_of(kept).cards_in(2, "amber") == page_of(drawn).cards_in(2, "amber")
        assert page_of(kept).text("#live-status time") == clock.local_time(moment, "%H:%M:%S")
        token = re.search(r'"X-CSRFToken": "([^"]+)"', kept.get_data(as_text=True)).group(1)
        sign_out_token = page_of(kept).root.select_one("form.sign-out input[name=csrf_token]").get("value")
        assert sign_out_token == token
        noted = client.post("/actions/3.1/notes", headers={**HTMX, "X-CSRFToken": token},
                            data={"text": f"Checked at {moment:%H:%M:%S}"})
        assert noted.status_code == 200, noted.status_code
        monkeypatch.undo()  # the note changed the plan: its page is drawn again, then kept again
        client.get("/")
        _served_as_kept(monkeypatch)
    with seeded_app.app_context():
        from models import EvidenceNote
        notes = db.session.scalars(db.select(EvidenceNote.text).where(EvidenceNote.action_id == action_by_ref("3.1").id))
        assert sorted(notes) == [f"Checked at {start + timedelta(seconds=5):%H:%M:%S}",
                                 f"Checked at {start + timedelta(seconds=9):%H:%M:%S}"]


def test_a_kept_whole_page_follows_the_person_the_view_flashes_and_static_files(seeded_app, client_for, monkeypatch):
    from board.services.accounts import set_role
    from board.views import board as board_views
    from board.views import viewer as viewer_views
    from models import Role

    editor = client_for("editor")
    editor.get("/")
    assert "Update status of 2.7" in page_of(editor.get("/")).link_names()
    with seeded_app.app_context():  # renamed, then made a viewer: no change to the plan
        person = user_for("editor")
        person.name = "Renamed Editor"
        db.session.commit()
    assert "Renamed Editor" in page_of(editor.get("/")).text(".signed-in-as")
    with seeded_app.app_context():
        set_role(user_for("editor"), Role.VIEWER)
        db.session.commit()
    editor.get("/")
    assert "Update status of 2.7" not in page_of(editor.get("/")).link_names()

    admin = client_for("admin")
    admin.get("/")
    assert page_of(admin.get("/")).text("h1, title").startswith("Whole plan")
    admin.set_cookie(board_views.VIEW_COOKIE, "detailed")  # the view remembered from another visit
    assert page_of(admin.get("/")).text("title").startswith("Board")

    # A move without JavaScript: the board it returns to shows its message once.
    moved = admin.post("/actions/3.1/move", data={"status": "red", "position": 0, "version": 1, "area": 3,
                                                  "csrf_token": csrf_token(admin)})
    assert moved.status_code in (302, 303)
    assert "3.1" in page_of(admin.get(moved.headers["Location"])).flash_text()
    admin.get("/")
    assert page_of(admin.get("/")).flash_text() == ""

    # A static file edited under a running worker: the kept page links its old digest, so it is drawn again.
    linked = re.search(r'board\.css\?v=(\w+)', admin.get("/").get_data(as_text=True)).group(1)
    for module in (board_views, viewer_views):
        monkeypatch.setattr(module, "static_digest", lambda filename: "0123456789abcdef")
    relinked = admin.get("/").get_data(as_text=True)
    assert linked != "0123456789abcdef" and "board.css?v=0123456789abcdef" in relinked


def test_the_owner_filter_lists_an_owner_an_import_adds_after_moves_kept_the_page(seeded_app, client_for):
    """The filter bar's owner roles are kept until the whole plan changes (not redrawn for every move):
    an import that gives an action a new owner is such a change."""
    from board.services.plan_import import import_plan
    from tests.plans import seed_plan

    editor = client_for("editor")
    _move(editor, "3.1", "red", 1, 3)
    owners = page_of(editor.get("/")).texts("#filter-owner option")
    assert "Head of Brand New Service" not in owners and len(owners) > 5
    _move(editor, "3.1", "amber", 2, 3)
    assert page_of(editor.get("/")).texts("#filter-owner option") == owners
    plan = seed_plan()
    action = next(action for area in plan["areas"] for outcome in area["outcomes"] for action in outcome["actions"]
                  if action["ref"] == "2.7")
    action["owners"] = [*action["owners"], "Head of Brand New Service"]
    with seeded_app.app_context():
        import_plan(plan)
        db.session.commit()
    assert "Head of Brand New Service" in page_of(editor.get("/")).texts("#filter-owner option")


def test_a_kept_page_is_sent_gzipped_with_this_requests_token_and_a_304_for_its_own_tag(seeded_app, client_for,
                                                                                          monkeypatch):
    """A browser (it offers gzip and brotli) gets the kept page gzipped: the kept parts compressed once and
    this request's CSRF token and clock spliced in; it reads as the page itself, its forms work, and its
    tag (marked :gzip) gives a 304 until the board changes."""
    import gzip
    import zlib

    browser = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    editor = client_for("editor")
    plain = editor.get("/")
    _served_as_kept(monkeypatch)
    answer = editor.get("/", headers=browser)
    assert answer.headers["Content-Encoding"] == "gzip" and answer.headers["ETag"].endswith(':gzip"')
    assert {"Cookie", "Accept-Encoding"} <= {value.strip() for value in answer.headers["Vary"].split(",")}
    html = gzip.decompress(answer.get_data())
    reader = zlib.decompressobj(wbits=31)  # as a browser reads it: one stream, piece by piece
    assert b"".join(reader.decompress(answer.get_data()[i:i + 700]) for i in range(0, len(answer.get_data()), 700)) == html
    assert reader.eof and not reader.unused_data
    page = page_of(html.decode())
    assert page.cards_in(2, "amber") == page_of(plain).cards_in(2, "amber")
    assert page.link_names() == page_of(plain).link_names()
    assert page.text("#live-status time")
    noted = editor.post("/actions/3.1/notes", headers={**HTMX, "X-CSRFToken": page.csrf_token()},
                        data={"text": "Sent gzipped"})
    assert noted.status_code == 200
    monkeypatch.undo()
    drawn = editor.get("/", headers=browser)  # drawn again after the note (compressed whole), then kept
    _served_as_kept(monkeypatch)
    tag = editor.get("/", headers=browser).headers["ETag"]
    again = editor.get("/", headers=browser)
    assert again.headers["ETag"] == tag != drawn.headers["ETag"] and again.headers["Content-Encoding"] == "gzip"
    assert editor.get("/", headers={**browser, "If-None-Match": tag}).status_code == 304
    assert editor.get("/", headers={"If-None-Match": tag}).status_code == 200  # not the bytes it holds
    monkeypatch.undo()
    _move(editor, "2.7", "red", 1, 2)
    changed = editor.get("/", headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert changed.status_code == 200 and "2.7" in page_of(gzip.decompress(changed.get_data()).decode()).cards_in(2, "red")
