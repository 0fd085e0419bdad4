"""Evidence notes, due changes and impact comments: services and routes."""
from datetime import date

import pytest
from sqlalchemy import select

from board.services import evidence
from board.services.activity import ActivityFilter, activity
from board.services.board_view import is_overdue, is_stale
from board.services.moves import move_action
from models import ActionEvent, EvidenceNote, NoteRevision, Outcome, Plan, db
from models.action import HistoryIsAppendOnly
from tests.conftest import HTMX, action_by_ref, csrf_token, user_for
from tests.pages import page_of

TODAY = date(2023, 12, 15)





def test_editing_keeps_the_earlier_wording_and_withdrawing_keeps_the_note(ctx):
    note = evidence.add_note(action_by_ref("2.7"), "First wording", "https://docs.example/qa.pdf", user_for("contributor"))
    evidence.edit_note(note, "Second wording", None, user_for("contributor"))
    evidence.edit_note(note, "Third wording", None, user_for("admin"))
    revisions = db.session.scalars(select(NoteRevision).order_by(NoteRevision.id)).all()
    assert [(r.text, r.link_url) for r in revisions] == [
        ("First wording", "https://docs.example/qa.pdf"), ("Second wording", None)]
    assert revisions[1].replaced_by.email == "admin@example.org"
    evidence.withdraw_note(note, "Duplicate of the QA report", user_for("contributor"))
    note = db.session.get(EvidenceNote, note.id)
    assert note.text == "Third wording" and note.withdrawn_by.email == "contributor@example.org"
    assert not evidence.may_change_note(note, user_for("admin"))
    kinds = [e.kind for e in db.session.scalars(select(ActionEvent).where(ActionEvent.kind.like("note%"))
                                                .order_by(ActionEvent.id))]
    assert kinds == ["note", "note_edited", "note_edited", "note_withdrawn"]
    db.session.delete(note)
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert evidence.note_counts(action_by_ref("2.7").plan_id).get(action_by_ref("2.7").id, 0) == 0  # withdrawn notes are not counted


def test_only_the_author_or_an_admin_may_change_a_note(ctx):
    note = evidence.add_note(action_by_ref("2.7"), "Evidence", None, user_for("contributor"))
    assert evidence.may_change_note(note, user_for("contributor"))
    assert evidence.may_change_note(note, user_for("admin"))
    assert not evidence.may_change_note(note, user_for("editor"))


def test_due_change_recomputes_overdue_and_stale_at_once(ctx):
    action = action_by_ref("2.7")  # Nov 2023: overdue on 15 Dec 2023
    assert is_overdue(action, TODAY)
    event = evidence.change_due(action, "Feb 2024", "QA capacity moved to audits", user_for("editor"), TODAY)
    action = action_by_ref("2.7")
    assert not is_overdue(action, TODAY)
    assert (action.due_text, str(action.due_date), action.plan_due_text, action.due_moves) == (
        "Feb 2024", "2024-02-29", "Nov 2023", 1)
    assert (event.from_value, event.to_value, event.reason) == ("Nov 2023", "Feb 2024", "QA capacity moved to audits")
    evidence.change_due(action, "Weekly", "Now tracked in the weekly clinic", user_for("editor"), TODAY)
    action = action_by_ref("2.7")
    action.last_activity_at = action.last_activity_at.replace(year=2023, month=11, day=1)
    assert action.cadence == "weekly" and is_stale(action, TODAY) and action.due_moves == 2
    db.session.rollback()


@pytest.mark.parametrize("new_due, reason, message", [
    ("Septembre 2024", "x", "is not a month and year"),
    ("Oct 2023", "x", "has already passed"),
    ("Nov 2023", "x", "already due Nov 2023"),
    ("Jan 2024", "  ", "Say why the due date moves."),
])
def test_due_change_refusals(ctx, new_due, reason, message):
    with pytest.raises(evidence.EvidenceRefused, match=message):
        evidence.change_due(action_by_ref("2.7"), new_due, reason, user_for("editor"), TODAY)
    assert action_by_ref("2.7").due_text == "Nov 2023"


def test_a_due_change_does_not_block_a_move(ctx):
    seen = action_by_ref("2.7").version
    evidence.change_due(action_by_ref("2.7"), "Jan 2024", "Waiting for data", user_for("admin"), TODAY)
    evidence.add_note(action_by_ref("2.7"), "A note", None, user_for("contributor"))
    assert move_action(action_by_ref("2.7"), "amber", 0, seen, user_for("editor")).status_changed


def test_reimport_keeps_a_moved_due_but_updates_the_plan_due(ctx):
    from board.services.plan_import import import_plan
    from tests.plans import seed_plan

    evidence.change_due(action_by_ref("2.7"), "Feb 2024", "QA", user_for("editor"), TODAY)
    plan = seed_plan()
    plan["areas"][1]["outcomes"][4]["actions"][1]["due"] = "Dec 2023"
    import_plan(plan)
    action = action_by_ref("2.7")
    assert (action.plan_due_text, action.due_text) == ("Dec 2023", "Feb 2024")


def test_impact_comments_latest_rating_and_activity(ctx):
    outcome = action_by_ref("2.7").outcome
    evidence.add_impact_comment(outcome, "Plans reviewed sooner", "emerging", user_for("contributor"))
    evidence.add_impact_comment(outcome, "Fewer repeat plans", "clear", user_for("admin"))
    assert evidence.latest_comment(outcome).rating_enum.label == "Clear impact"
    with pytest.raises(evidence.EvidenceRefused, match="Choose an impact rating"):
        evidence.add_impact_comment(outcome, "x", "brilliant", user_for("admin"))
    evidence.add_note(action_by_ref("1.1"), "Standards drafted", None, user_for("contributor"))
    plan = db.session.scalars(select(Plan)).one()
    page = activity(plan.id)
    assert [e.kind for e in page.entries] == ["note", "impact", "impact"]
    assert [e.kind for e in activity(plan.id, ActivityFilter(kind="impact")).entries] == ["impact", "impact"]
    assert [e.ref for e in activity(plan.id, ActivityFilter(area_number=1)).entries] == ["1.1"]
    assert activity(plan.id, ActivityFilter(user_id=user_for("admin").id)).entries[0].who == "Admin Person"
    assert activity(plan.id, ActivityFilter(since=date(2099, 1, 1))).entries == []
    paged = activity(plan.id, per_page=2)
    assert paged.pagination.has_next and paged.pagination.total == 3 and len(paged.entries) == 2
    assert [e.kind for e in activity(plan.id, per_page=2, page=2).entries] == ["impact"]


# --- routes -------------------------------------------------------------------------------------

def test_add_note_inline_and_without_js(seeded_app, client_for):
    contributor = client_for("contributor")
    token = csrf_token(contributor)
    partial = contributor.post("/actions/2.7/notes", headers=HTMX, data={
        "text": "Dip sample of 20 plans", "link_url": "https://docs.example/qa", "csrf_token": token})
    answer = page_of(partial)
    assert partial.status_code == 200 and not answer.is_full_page()
    assert "Dip sample of 20 plans" in answer.text("#notes") and "Contributor Person" in answer.text("#notes")
    assert "area-2" in answer.out_of_band_ids() and "1 note" in answer.card_text("2.7")  # the card behind
    plain = contributor.post("/actions/2.7/notes", data={"text": "Second", "csrf_token": token})
    assert plain.status_code == 303 and plain.headers["Location"] == "/actions/2.7#notes"
    page = page_of(contributor.get("/actions/2.7"))
    assert "Evidence note added to 2.7." in page.flash_text()
    assert page.texts("#notes .note-text") == ["Second", "Dip sample of 20 plans"]  # newest first


@pytest.mark.parametrize("data, message", [
    ({"text": ""}, "Write the evidence"),
    ({"text": "x" * 5001}, "under 5,000 characters"),
    ({"text": "ok", "link_url": "javascript:alert(1)"}, "starting with https://"),
    ({"text": "ok", "link_url": "ftp://files.example/x"}, "starting with https://"),
])
def test_invalid_notes_come_back_with_the_message_and_input(seeded_app, client_for, data, message):
    contributor = client_for("contributor")
    token = csrf_token(contributor)
    for headers in (HTMX, {}):
        response = contributor.post("/actions/2.7/notes", headers=headers, data={**data, "csrf_token": token})
        page = page_of(response)
        assert response.status_code == 422
        assert any(message in error for error in page.form_errors("#notes")), page.form_errors("#notes")
        assert "There is a problem" in page.text("#notes .error-summary")
        assert any(message in item for item in page.error_summary())
        if data.get("link_url"):
            assert page.field_value("link_url", within="#notes") == data["link_url"]  # what was typed is kept
    with seeded_app.app_context():
        assert db.session.scalars(select(EvidenceNote)).all() == []


def test_edit_and_withdraw_routes(seeded_app, client_for):
    with seeded_app.app_context():
        note_id = evidence.add_note(action_by_ref("2.7"), "First", None, user_for("contributor")).id
    contributor = client_for("contributor")
    token = csrf_token(contributor)
    form = page_of(contributor.get(f"/notes/{note_id}/edit", headers=HTMX))
    assert form.field_value("text") == "First" and form.field_value("version") == "1"
    assert client_for("editor").get(f"/notes/{note_id}/edit").status_code == 403
    edited = contributor.post(f"/notes/{note_id}/edit", data={"text": "Better", "version": 1, "csrf_token": token})
    assert edited.status_code == 303
    unchanged = contributor.post(f"/notes/{note_id}/edit", data={"text": "Better", "version": 2, "csrf_token": token})
    assert unchanged.status_code == 422 and "Nothing changed" in unchanged.get_data(as_text=True)
    blank = contributor.post(f"/notes/{note_id}/withdraw", data={"reason": "", "version": 2, "csrf_token": token})
    assert blank.status_code == 422
    withdraw_form = page_of(contributor.get(f"/notes/{note_id}/withdraw", headers=HTMX))
    withdrawn = contributor.post(f"/notes/{note_id}/withdraw", headers=HTMX, data={
        "reason": "Wrong action", "version": withdraw_form.field_value("version"), "csrf_token": token})
    note = page_of(withdrawn).text(f"#note-{note_id}")
    assert "Withdrawn by Contributor Person" in note and "Wrong action" in note
    assert "Earlier wording (1)" in note
    assert contributor.post(f"/notes/{note_id}/edit", data={"text": "Again", "version": 3,
                                                            "csrf_token": token}).status_code == 403


def test_due_change_route_and_card_slippage(seeded_app, client_for):
    editor = client_for("editor")
    token = csrf_token(editor)
    shown = page_of(editor.get("/actions/2.7")).field_value("current_due", within="#due")
    assert shown == "Nov 2023"
    bad = editor.post("/actions/2.7/due", headers=HTMX, data={"new_due": "Soonish", "reason": "x",
                                                              "current_due": shown, "csrf_token": token})
    assert bad.status_code == 422 and any("not a month and year" in e for e in page_of(bad).form_errors("#due"))
    assert page_of(bad).field_value("new_due", within="#due") == "Soonish"
    ok = editor.post("/actions/2.7/due", data={"new_due": "Jan 2024", "reason": "QA slipped", "current_due": shown,
                                               "csrf_token": token})
    assert ok.status_code == 303 and ok.headers["Location"] == "/actions/2.7#due"
    board = page_of(editor.get("/"))
    card = board.card_text("2.7")
    assert "Jan 2024" in card and "was Nov 2023 · moved 1×" in card and "Overdue" not in board.card_badges("2.7")
    detail = editor.get("/actions/2.7").get_data(as_text=True)
    assert "Nov 2023 → Jan 2024" in detail and "QA slipped" in detail
    contributor = client_for("contributor")
    assert contributor.post("/actions/2.7/due", data={
        "new_due": "Feb 2024", "reason": "x", "csrf_token": csrf_token(contributor)}).status_code == 403


def test_outcomes_view_comments_and_one_click_history(seeded_app, client_for):
    with seeded_app.app_context():
        outcome_id = action_by_ref("2.7").outcome_id
    contributor = client_for("contributor")
    token = csrf_token(contributor)
    missing = contributor.post(f"/outcomes/{outcome_id}/comments", headers=HTMX,
                               data={"text": "Plans reviewed sooner", "csrf_token": token})
    assert missing.status_code == 422 and "Choose an impact rating." in missing.get_data(as_text=True)
    assert "Plans reviewed sooner" in missing.get_data(as_text=True)
    added = contributor.post(f"/outcomes/{outcome_id}/comments", headers=HTMX, data={
        "text": "Plans reviewed sooner", "rating": "emerging", "csrf_token": token})
    assert added.status_code == 200 and "Emerging" in added.get_data(as_text=True)
    plain = contributor.post(f"/outcomes/{outcome_id}/comments", data={
        "text": "Fewer repeat plans", "rating": "clear", "csrf_token": token, "next": "/outcomes"})
    assert plain.status_code == 303 and plain.headers["Location"] == f"/outcomes#outcome-{outcome_id}"
    detail = page_of(contributor.get("/actions/2.6"))
    assert "Clear impact" in detail.text() and f"/outcomes/{outcome_id}" in detail.links()
    history = contributor.get(f"/outcomes/{outcome_id}").get_data(as_text=True)
    assert "Plans reviewed sooner" in history and "Fewer repeat plans" in history
    overview = page_of(contributor.get("/outcomes"))
    with seeded_app.app_context():
        outcomes_with_actions = sorted(" ".join(o.text.split()) for o in db.session.scalars(select(Outcome))
                                       if o.actions)
    assert sorted(overview.texts(".outcome .outcome-text")) == outcomes_with_actions
    viewer = client_for("viewer")
    assert viewer.post(f"/outcomes/{outcome_id}/comments", data={
        "text": "x", "rating": "clear", "csrf_token": csrf_token(viewer)}).status_code == 403


def test_share_link_reads_notes_due_history_and_comments_without_forms(seeded_app):
    from board.services import share_links
    from board.services.board_view import current_plan

    with seeded_app.app_context():
        evidence.add_note(action_by_ref("2.7"), "Shared evidence", None, user_for("contributor"))
        evidence.change_due(action_by_ref("2.7"), "Jan 2024", "Shared reason", user_for("editor"), TODAY)
        outcome = action_by_ref("2.7").outcome
        evidence.add_impact_comment(outcome, "Shared impact", "clear", user_for("admin"))
        _, token = share_links.create_link(current_plan(), "Committee", None)
        outcome_id = outcome.id
    visitor = seeded_app.test_client()
    pages = [visitor.get(f"/share/{token}/actions/2.7"), visitor.get(f"/share/{token}/outcomes"),
             visitor.get(f"/share/{token}/outcomes/{outcome_id}")]
    text = "".join(page.get_data(as_text=True) for page in pages)
    assert all(page.status_code == 200 for page in pages)
    for shown in ("Shared evidence", "Shared reason", "Shared impact", "Clear impact"):
        assert shown in text
    for hidden in ("<form", "csrf", "@example.org", "Add note", "Change the due date"):
        assert hidden not in text


def test_activity_page_filters_and_links(seeded_app, client_for):
    with seeded_app.app_context():
        evidence.add_note(action_by_ref("3.4"), "Sufficiency report drafted", None, user_for("contributor"))
        evidence.change_due(action_by_ref("1.1"), "Mar 2024", "Consultation longer", user_for("editor"), TODAY)
    viewer = client_for("viewer")
    page = page_of(viewer.get("/activity"))
    assert "/actions/3.4" in page.links() and "/actions/1.1" in page.links()
    assert "Due changed from Sept 2023 to Mar 2024" in page.text()
    only_notes = viewer.get("/activity?kind=note&area=3").get_data(as_text=True)
    assert "Sufficiency report drafted" in only_notes and "Consultation longer" not in only_notes
    bad_since = viewer.get("/activity?since=yesterday&kind=note")
    assert bad_since.status_code == 422
    assert page_of(bad_since).error_summary() == ["Since: Write the date as YYYY-MM-DD, like 2023-12-15."]
    assert "Sufficiency report drafted" in page_of(bad_since).text(".activity")  # the other filters still apply
    assert "Consultation longer" not in page_of(bad_since).text(".activity")
