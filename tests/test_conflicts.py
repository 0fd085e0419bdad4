"""Two people changing the same thing: one wins, the other is told and loses nothing they typed."""
import threading
from datetime import date

from sqlalchemy import select

from board.services import evidence, share_links
from board.services.board_view import current_plan
from models import ActionEvent, EventKind, EvidenceNote, ImpactComment, ShareLink, db
from tests.conftest import HTMX, action_by_ref, csrf_token, user_for
from tests.pages import page_of


def _note(app, text="First wording", author="contributor"):
    with app.app_context():
        return evidence.add_note(action_by_ref("2.7"), text, None, user_for(author)).id


def test_two_edits_of_one_note_one_wins_the_other_sees_both_wordings(seeded_app, client_for):
    note_id = _note(seeded_app)
    contributor, admin = client_for("contributor"), client_for("admin")
    # Both open the edit form on version 1.
    for client in (contributor, admin):
        assert page_of(client.get(f"/notes/{note_id}/edit", headers=HTMX)).field_value("version") == "1"
    won = admin.post(f"/notes/{note_id}/edit", headers=HTMX, data={
        "text": "The admin's wording", "version": 1, "csrf_token": csrf_token(admin)})
    assert won.status_code == 200
    lost = contributor.post(f"/notes/{note_id}/edit", headers=HTMX, data={
        "text": "The contributor's wording", "version": 1, "csrf_token": csrf_token(contributor)})
    page = page_of(lost)
    assert lost.status_code == 409
    assert "changed this note while you were editing it" in " ".join(page.alerts())
    assert "The admin's wording" in " ".join(page.alerts())          # theirs, shown
    assert page.field_value("text") == "The contributor's wording"   # yours, kept in the form
    assert page.field_value("version") == "2"                        # saving again is deliberate
    with seeded_app.app_context():
        note = db.session.get(EvidenceNote, note_id)
        assert note.text == "The admin's wording" and [r.text for r in note.revisions] == ["First wording"]
    again = contributor.post(f"/notes/{note_id}/edit", data={
        "text": "The contributor's wording", "version": 2, "csrf_token": csrf_token(contributor)})
    assert again.status_code == 303
    with seeded_app.app_context():
        note = db.session.get(EvidenceNote, note_id)
        assert note.text == "The contributor's wording"
        assert [r.text for r in note.revisions] == ["The admin's wording", "First wording"]


def test_a_note_withdrawn_meanwhile_cannot_be_edited(seeded_app, client_for):
    note_id = _note(seeded_app)
    with seeded_app.app_context():
        evidence.withdraw_note(db.session.get(EvidenceNote, note_id), "Wrong card", user_for("admin"))
    admin = client_for("admin")
    response = admin.post(f"/notes/{note_id}/edit", data={"text": "Late edit", "version": 1,
                                                           "csrf_token": csrf_token(admin)})
    assert response.status_code == 403  # a withdrawn note is no longer anyone's to change
    with seeded_app.app_context():
        assert db.session.get(EvidenceNote, note_id).text == "First wording"


def test_a_due_change_from_a_stale_page_is_refused_and_keeps_what_was_typed(seeded_app, client_for):
    editor, admin = client_for("editor"), client_for("admin")
    first = admin.post("/actions/2.7/due", data={"new_due": "Jan 2024", "reason": "QA moved",
                                                 "current_due": "Nov 2023", "csrf_token": csrf_token(admin)})
    assert first.status_code == 303
    stale = editor.post("/actions/2.7/due", headers=HTMX, data={
        "new_due": "Mar 2024", "reason": "Clinic agreed", "current_due": "Nov 2023",
        "csrf_token": csrf_token(editor)})
    page = page_of(stale)
    assert stale.status_code == 409
    assert any("was changed to Jan 2024 by Admin Person" in error for error in page.form_errors("#due"))
    assert page.field_value("new_due", within="#due") == "Mar 2024"
    assert page.field_value("reason", within="#due") == "Clinic agreed"
    assert page.field_value("current_due", within="#due") == "Jan 2024"
    with seeded_app.app_context():
        action = action_by_ref("2.7")
        assert (action.due_text, action.due_moves) == ("Jan 2024", 1)


def test_the_due_history_chain_and_count_stay_exact_when_changes_race(seeded_app):
    """Eight people change the due at once from what they all saw: one applies, the others conflict."""
    outcomes = []
    # One "today" for every thread: read from the action inside a thread, it moved with the first change
    # and the later threads were refused for a date already passed, not for the conflict under test.
    today = date(2023, 11, 1)

    def change(n):
        with seeded_app.app_context():
            try:
                evidence.change_due(action_by_ref("2.7"), f"{['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug'][n]}"
                                    " 2024", f"Reason {n}", user_for("editor"), today,
                                    expected_due="Nov 2023")
                outcomes.append("applied")
            except evidence.EditConflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=change, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["applied"] + ["conflict"] * 7
    with seeded_app.app_context():
        action = action_by_ref("2.7")
        changes = db.session.scalars(select(ActionEvent).where(ActionEvent.action_id == action.id,
                                                               ActionEvent.kind == EventKind.DUE)).all()
        assert len(changes) == action.due_moves == 1
        assert changes[0].from_value == "Nov 2023" and changes[0].to_value == action.due_text


def test_impact_comments_are_edited_and_withdrawn_like_notes(seeded_app, client_for):
    with seeded_app.app_context():
        outcome_id = action_by_ref("2.7").outcome_id
        comment_id = evidence.add_impact_comment(action_by_ref("2.7").outcome, "Plans reviewed sooner",
                                                 "emerging", user_for("contributor")).id
    contributor = client_for("contributor")
    token = csrf_token(contributor)
    form = page_of(contributor.get(f"/comments/{comment_id}/edit", headers=HTMX))
    assert form.field_value("text") == "Plans reviewed sooner" and form.field_value("version") == "1"
    edited = contributor.post(f"/comments/{comment_id}/edit", headers=HTMX, data={
        "text": "Plans reviewed within 3 months", "rating": "clear", "version": 1, "csrf_token": token})
    assert edited.status_code == 200 and edited.headers["HX-Retarget"] == f"#outcome-{outcome_id}"
    assert "Earlier wording (1)" in page_of(edited).text() and "Clear impact" in page_of(edited).text()
    stale = contributor.post(f"/comments/{comment_id}/edit", data={
        "text": "Another wording", "rating": "emerging", "version": 1, "csrf_token": token})
    assert stale.status_code == 409 and page_of(stale).field_value("text") == "Another wording"
    assert client_for("editor").get(f"/comments/{comment_id}/edit").status_code == 403
    withdrawn = contributor.post(f"/comments/{comment_id}/withdraw", data={
        "reason": "Duplicate of the QA report", "version": 2, "csrf_token": token})
    assert withdrawn.status_code == 303 and withdrawn.headers["Location"].endswith(f"#comment-{comment_id}")
    outcome_page = page_of(contributor.get(f"/outcomes/{outcome_id}"))
    assert "Withdrawn by Contributor Person" in outcome_page.text() and "not rated yet" in outcome_page.text()
    with seeded_app.app_context():
        comment = db.session.get(ImpactComment, comment_id)
        assert comment.text == "Plans reviewed within 3 months" and comment.withdraw_reason
        assert [(r.text, r.rating) for r in comment.revisions] == [("Plans reviewed sooner", "emerging")]


def test_committees_never_see_withdrawn_notes_or_comments(seeded_app):
    with seeded_app.app_context():
        action = action_by_ref("2.7")
        note = evidence.add_note(action, "Wrong card - ignore", None, user_for("contributor"))
        evidence.withdraw_note(note, "Posted on the wrong card", user_for("contributor"))
        evidence.add_note(action, "Dip sample of 20 plans", None, user_for("contributor"))
        comment = evidence.add_impact_comment(action.outcome, "Retracted claim", "clear", user_for("contributor"))
        evidence.withdraw_impact_comment(comment, "Not evidenced", user_for("contributor"))
        _, token = share_links.create_link(current_plan(), "Committee", None)
        outcome_id = action.outcome_id
    visitor = seeded_app.test_client()
    pages = "".join(visitor.get(path).get_data(as_text=True) for path in (
        f"/share/{token}/actions/2.7", f"/share/{token}/outcomes", f"/share/{token}/outcomes/{outcome_id}"))
    assert "Dip sample of 20 plans" in pages
    for hidden in ("Wrong card - ignore", "Posted on the wrong card", "Retracted claim", "Not evidenced"):
        assert hidden not in pages


def test_share_link_openings_at_the_same_moment_are_all_counted(seeded_app):
    with seeded_app.app_context():
        link, token = share_links.create_link(current_plan(), "Committee", None)
        link_id = link.id

    def open_link():
        assert seeded_app.test_client().get(f"/share/{token}/").status_code == 200

    threads = [threading.Thread(target=open_link) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with seeded_app.app_context():
        assert db.session.get(ShareLink, link_id).times_opened == 12
