"""Moves, reasons, the live-refresh poll and filters, through the Flask test client."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from board.clock import now as utcnow
from board.services.moves import move_action
from models import Action, ActionEvent, EvidenceNote, Plan, User, db
from tests.conftest import HTMX, csrf_token
from tests.pages import page_of


def _action(app, ref):
    with app.app_context():
        action = db.session.scalars(select(Action).where(Action.ref == ref)).one()
        db.session.expunge(action)
        return action


def _post_move(client, ref, htmx=True, **data):
    token = csrf_token(client)
    headers = {**HTMX, "HX-Current-URL": "http://localhost/?area=1&area=2"} if htmx else {}
    return client.post(f"/actions/{ref}/move", data={"csrf_token": token, **data}, headers=headers)


def test_htmx_drag_moves_the_card_and_answers_with_its_lane(seeded_app, client_for):
    editor = client_for("editor")
    response = _post_move(editor, "1.4", status="amber", position=0, version=1, area=1)
    page = page_of(response)
    assert response.status_code == 200 and not page.is_full_page()
    assert page.lanes() == [1]
    assert page.cards_in(1, "amber") == ["1.4"]
    assert "Why Amber?" in page.card_text("1.4")  # the reason is asked on the moved card
    assert "board-totals" in page.out_of_band_ids() and "1 Amber" in page.totals_text()
    trigger = json.loads(response.headers["HX-Trigger-After-Settle"])["board-announce"]
    assert trigger["message"] == "1.4 moved to Amber." and trigger["focus"] == "card-1-4"
    action = _action(seeded_app, "1.4")
    assert (action.status, action.position, action.version) == ("amber", 0, 2)


def test_keyboard_form_without_js_redirects_back_and_asks_why(seeded_app, client_for):
    editor = client_for("editor")
    response = _post_move(editor, "2.7", htmx=False, status="red", version=1, from_form="1",
                          next="/?area=2&q=plans")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/\?area=2&q=plans&explain=\d+#card-2-7", location)
    board = page_of(editor.get(location.split("#")[0]))
    assert "2.7 moved to Red." in board.flash_text() and "Why Red?" in board.card_text("2.7")
    event_id = re.search(r"explain=(\d+)", location).group(1)
    saved = editor.post(f"/moves/{event_id}/reason", data={
        "reason": "QA schedule slipped", "next": "/?area=2", "csrf_token": csrf_token(editor)})
    assert saved.status_code == 303 and saved.headers["Location"] == "/?area=2#card-2-7"
    detail = editor.get("/actions/2.7").get_data(as_text=True)
    assert "Moved from Not started to Red" in detail and "QA schedule slipped" in detail


def test_up_and_down_reorder_with_the_keyboard_form(seeded_app, client_for):
    editor = client_for("editor")
    _post_move(editor, "1.1", htmx=False, status="not_started", version=1, direction="down", from_form="1")
    assert _action(seeded_app, "1.1").position == 1
    _post_move(editor, "1.1", htmx=False, status="not_started", version=2, direction="up", from_form="1")
    assert _action(seeded_app, "1.1").position == 0


def test_a_stale_move_is_a_409_with_who_and_when(seeded_app, client_for):
    with seeded_app.app_context():
        admin = db.session.scalars(select(User).where(User.email == "admin@example.org")).one()
        move_action(db.session.scalars(select(Action).where(Action.ref == "2.7")).one(), "green", 0, 1, admin)
    editor = client_for("editor")
    response = _post_move(editor, "2.7", status="red", position=0, version=1, area=2)
    page = page_of(response)
    assert response.status_code == 409
    conflict = r"2\.7 was moved to Green by Admin Person at \d\d:\d\d; your move was not applied\."
    assert any(re.fullmatch(conflict, alert) for alert in page.alerts()), page.alerts()
    assert "2.7" in page.cards_in(2, "green")
    assert _action(seeded_app, "2.7").status == "green"
    plain = _post_move(editor, "2.7", htmx=False, status="red", version=1, from_form="1")
    assert plain.status_code == 409 and "your move was not applied" in plain.get_data(as_text=True)


def test_a_move_into_another_area_is_refused(seeded_app, client_for):
    editor = client_for("editor")
    response = _post_move(editor, "1.1", status="red", position=0, version=1, area=2)
    assert response.status_code == 422
    assert "a card cannot move to another area" in response.get_data(as_text=True)
    assert _action(seeded_app, "1.1").status == "not_started"


@pytest.mark.parametrize("data, status", [
    ({"status": "red", "version": "x"}, 400),
    ({"status": "purple", "version": "1"}, 400),
    ({"status": "red"}, 400),
])
def test_tampered_drag_requests_are_400(seeded_app, client_for, data, status):
    response = _post_move(client_for("editor"), "1.1", **data)
    assert response.status_code == status
    assert _action(seeded_app, "1.1").status == "not_started"


def test_unknown_action_is_404(client_for):
    assert _post_move(client_for("editor"), "99.9", status="red", version=1).status_code == 404


def test_move_form_page_and_partial(client_for):
    editor = client_for("editor")
    page = editor.get("/actions/2.7/move?next=/%3Farea%3D2")
    partial = editor.get("/actions/2.7/move", headers=HTMX)
    assert page.status_code == partial.status_code == 200
    assert page_of(page).is_full_page() and not page_of(partial).is_full_page()
    assert page_of(page).field_value("next", within="form.move-form") == "/?area=2"


def test_only_the_mover_or_an_admin_gives_the_reason(seeded_app, client_for):
    with seeded_app.app_context():
        admin = db.session.scalars(select(User).where(User.email == "admin@example.org")).one()
        event = move_action(db.session.scalars(select(Action).where(Action.ref == "2.7")).one(),
                            "green", 0, 1, admin).event
        event_id = event.id
    editor = client_for("editor")
    refused = editor.post(f"/moves/{event_id}/reason",
                          data={"reason": "x", "csrf_token": csrf_token(editor)})
    assert refused.status_code == 403
    admin_client = client_for("admin")
    blank = admin_client.post(f"/moves/{event_id}/reason", headers=HTMX,
                              data={"reason": " ", "csrf_token": csrf_token(admin_client)})
    assert blank.status_code == 422 and "Write a reason, or choose Skip." in blank.get_data(as_text=True)
    with seeded_app.app_context():
        assert db.session.scalars(select(ActionEvent).where(ActionEvent.kind == "reason")).all() == []


def test_unexplained_moves_page_for_the_plan_owner(seeded_app, client_for):
    _post_move(client_for("editor"), "6.3", status="red", position=0, version=1, area=6)
    listing = page_of(client_for("admin").get("/moves/unexplained"))
    assert listing.link("6.3") == "/actions/6.3"
    assert [row[:3] for row in listing.table_rows()[1:]] == [["6.3", "Not started → Red", "Editor Person"]]
    detail = client_for("viewer").get("/actions/6.3").get_data(as_text=True)
    assert "no reason given" in detail


def test_poll_answers_204_until_something_changes(seeded_app, client_for):
    viewer = client_for("viewer")
    with seeded_app.app_context():
        counter = db.session.scalars(select(Plan)).one().change_counter
    assert viewer.get(f"/board/changes?since={counter}").status_code == 204
    _post_move(client_for("editor"), "5.2", status="green", position=0, version=1, area=5)
    changed = viewer.get(f"/board/changes?since={counter}")
    page = page_of(changed)
    assert changed.status_code == 200
    assert page.lanes() == [5] and "area-5" in page.out_of_band_ids()  # only the lane that changed
    assert page.poll_url().endswith(f"since={counter + 1}")
    assert viewer.get(f"/board/changes?since={counter + 1}").status_code == 204


def _card_refs(response) -> list[str]:
    return page_of(response).card_refs()


def test_filters_combine_and_counts_follow(seeded_app, client):
    assert len(_card_refs(client.get("/?area=2"))) == 21
    page = page_of(client.get("/?area=2&area=3&overdue=1&q=plans"))
    refs = page.card_refs()
    assert refs and all(ref.split(".")[0] in {"2", "3"} for ref in refs)
    assert f"{len(refs)} of 87 actions shown" in page.totals_text()
    assert _card_refs(client.get("/?q=2.7")) == ["2.7"]
    unknown_owner = page_of(client.get("/?owner=999999"))  # the board, showing none: not an error page
    assert unknown_owner.card_refs() == [] and "0 of 87 actions shown" in unknown_owner.totals_text()
    due_refs = _card_refs(client.get("/?due=30"))  # today is 15 Dec 2023
    assert set(due_refs) == {"1.9", "2.15", "2.19", "4.1", "5.9", "6.1", "6.2", "8.3"}
    assert "No actions match these filters" in client.get("/?q=zebra").get_data(as_text=True)
    assert len(_card_refs(client.get("/?area=x&due=-3&status=purple"))) == 88


def test_outcome_words_find_their_actions(client):
    refs = _card_refs(client.get("/?q=pre-proceedings"))
    assert refs == ["2.21"]


def test_my_actions_uses_the_owner_roles_linked_to_the_user(seeded_app, client_for):
    viewer = client_for("viewer")
    assert "You hold no owner roles yet" in viewer.get("/?mine=1").get_data(as_text=True)
    admin = client_for("admin")
    with seeded_app.app_context():
        from models import OwnerRole
        role_id = db.session.scalars(select(OwnerRole.id).where(OwnerRole.name == "Audit Officer")).one()
        user = db.session.scalars(select(User).where(User.email == "viewer@example.org")).one()
        user_id, version = user.id, user.version
    saved = admin.post(f"/admin/users/{user_id}/owner-roles",
                       data={"owner_roles": [role_id], "version": version, "csrf_token": csrf_token(admin)})
    assert saved.status_code == 303
    assert _card_refs(viewer.get("/?mine=1")) == ["9.1", "9.2"]


def test_stale_filter(seeded_app, client):
    with seeded_app.app_context():
        weekly = db.session.scalars(select(Action).where(Action.ref == "1.7")).one()
        weekly.last_activity_at = utcnow().replace(year=2023, month=11, day=1)
        for action in db.session.scalars(select(Action).where(Action.cadence.is_not(None), Action.ref != "1.7")):
            action.last_activity_at = utcnow().replace(year=2023, month=12, day=14) - timedelta(hours=1)
        db.session.commit()
    page = page_of(client.get("/?stale=1"))
    assert page.card_refs() == ["1.7"]
    assert "1 stale" in page.totals_text() and page.card_badges("1.7") == ["Stale"]


def test_viewers_get_no_move_controls(client, client_for):
    board = page_of(client.get("/"))
    assert board.drop_targets() == []
    assert not any(name.startswith("Move") for name in board.link_names())
    assert not any("sortable-1.15.7" in src for src in board.scripts())
    editor_board = page_of(client_for("editor").get("/"))
    statuses = ["not_started", "red", "amber", "green", "complete"]
    assert sorted(editor_board.drop_targets()) == sorted(
        (f"area-{area}", status) for area in range(1, 10) for status in statuses)
    assert "Update status of 1.1" in editor_board.link_names()
    assert any("sortable-1.15.7" in src for src in editor_board.scripts())


def test_filter_values_the_board_cannot_use_are_named_and_the_rest_still_filter(client):
    response = client.get("/?area=x&status=purple&due=-3&q=plans&owner=99999999999999999999999")
    page = page_of(response)
    assert response.status_code == 422
    assert len(page.error_summary()) == 4
    assert any(line.startswith("Area:") for line in page.error_summary())
    assert any(line.startswith("Due within:") for line in page.error_summary())
    refs = page.card_refs()
    assert refs and len(refs) < 88  # "plans" still narrows the board
    assert client.get("/?q=plans").status_code == 200 and page_of(client.get("/?q=plans")).card_refs() == refs


@pytest.mark.parametrize("query", ["explain=99999999999999999999999", "explain=abc", "explain=-1"])
def test_a_bad_explain_value_is_named_not_a_server_error(client_for, query):
    response = client_for("editor").get(f"/?{query}")
    assert response.status_code == 422 and len(page_of(response).card_refs()) == 88


@pytest.mark.parametrize("since", ["99999999999999999999999", "x", "-5"])
def test_a_poll_with_a_counter_it_cannot_read_gets_every_lane(client, since):
    response = client.get(f"/board/changes?since={since}")
    assert response.status_code == 200 and page_of(response).lanes() == list(range(1, 10))


def test_a_card_that_leaves_the_filtered_status_is_asked_why_at_the_head_of_its_lane(seeded_app, client_for):
    editor = client_for("editor")
    response = _post_move(editor, "2.7", htmx=False, status="red", version=1, from_form="1",
                          next="/?area=2&status=not_started&view=detailed")
    board = page_of(editor.get(response.headers["Location"].split("#")[0]))
    assert "2.7" not in board.card_refs()  # the filters hide it now
    prompt = board.text(".lane-prompt")
    assert "2.7 moved to Red, which these filters do not show." in prompt and "Why Red?" in prompt
    assert board.link("Skip") == "/?area=2&status=not_started&view=detailed"
    event_id = re.search(r"explain=(\d+)", response.headers["Location"]).group(1)
    saved = editor.post(f"/moves/{event_id}/reason?area=2&status=not_started&view=detailed",
                        data={"reason": "QA slipped", "csrf_token": csrf_token(editor)}, headers=HTMX)
    lane = page_of(saved)
    assert lane.lanes() == [2] and lane.text(".lane-prompt") == ""  # answered: the prompt goes
    with seeded_app.app_context():
        reason = db.session.scalars(select(ActionEvent).where(ActionEvent.explains_event_id == int(event_id))).one()
        assert reason.reason == "QA slipped"


def _notes_of(app, ref):
    with app.app_context():
        return [(note.text, note.link_url) for note in db.session.scalars(
            select(EvidenceNote).join(Action).where(Action.ref == ref).order_by(EvidenceNote.id))]


def test_a_drop_on_complete_asks_for_the_evidence_and_applies_nothing(seeded_app, client_for):
    editor = client_for("editor")
    response = _post_move(editor, "2.7", status="complete", position=0, version=1, area=2)
    page = page_of(response)
    assert response.status_code == 422 and not page.is_full_page()
    assert "2.7" in page.cards_in(2, "not_started") and page.cards_in(2, "complete") == []
    card = "#card-2-7"
    assert page.form_errors(card) == [("Complete means evidenced: say what shows 2.7 is done (and link to it), "
                                      "then complete it.")]
    assert page.field_value("status", card) == "complete" and page.field_value("position", card) == "0"
    assert json.loads(response.headers["HX-Trigger-After-Settle"])["board-announce"]["focus"] == "card-2-7"
    assert (_action(seeded_app, "2.7").status, _notes_of(seeded_app, "2.7")) == ("not_started", [])
    # Sending the evidence from that form completes the same move, the evidence as a note beside it.
    done = _post_move(editor, "2.7", status="complete", position=0, version=1, area=2, from_form="1",
                      evidence="Audit of 40 plans signed off", evidence_link="https://docs.example/audit.pdf")
    assert done.status_code == 200 and page_of(done).cards_in(2, "complete") == ["2.7"]
    assert _notes_of(seeded_app, "2.7") == [("Audit of 40 plans signed off", "https://docs.example/audit.pdf")]
    assert _action(seeded_app, "2.7").status == "complete"


def test_without_javascript_complete_takes_its_evidence_in_the_same_form(seeded_app, client_for):
    editor = client_for("editor")
    form = page_of(editor.get("/actions/1.1/move"))
    assert form.text(".evidence-fields legend") == "Evidence, needed to move to Complete"
    assert form.value_labelled("Link to the evidence (optional)") == ""
    bad_link = _post_move(editor, "1.1", htmx=False, status="complete", version=1, from_form="1",
                          evidence="Standards agreed", evidence_link="not a link")
    assert bad_link.status_code == 422 and page_of(bad_link).is_full_page()
    assert page_of(bad_link).form_errors() == ["Enter a web link starting with https:// (or http://)."]
    assert page_of(bad_link).field_value("evidence") == "Standards agreed"  # nothing typed is lost
    blank = _post_move(editor, "1.1", htmx=False, status="complete", version=1, from_form="1", evidence="  ")
    assert blank.status_code == 422
    assert page_of(blank).form_errors() == [("Complete means evidenced: say what shows 1.1 is done (and link to "
                                            "it), then complete it.")]
    assert _action(seeded_app, "1.1").status == "not_started"
    done = _post_move(editor, "1.1", htmx=False, status="complete", version=1, from_form="1",
                      evidence="Standards agreed with children's social care", next="/?area=1")
    assert done.status_code == 303 and done.headers["Location"].startswith("/?area=1")
    assert _notes_of(seeded_app, "1.1") == [("Standards agreed with children's social care", None)]
    board = page_of(editor.get("/?area=1"))
    assert "1.1 moved to Complete." in board.flash_text() and "1.1" in board.cards_in(1, "complete")


def test_a_complete_card_moves_within_complete_without_new_evidence(seeded_app, client_for):
    editor = client_for("editor")
    _post_move(editor, "1.1", htmx=False, status="complete", version=1, from_form="1", evidence="Done")
    _post_move(editor, "1.4", htmx=False, status="complete", version=1, from_form="1", evidence="Done too")
    moved = _post_move(editor, "1.1", status="complete", position=1, version=2, area=1)
    assert moved.status_code == 200 and page_of(moved).cards_in(1, "complete") == ["1.4", "1.1"]
    assert "Evidence, needed" not in page_of(editor.get("/actions/1.1/move")).text()
