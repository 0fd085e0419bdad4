"""Asking owners for an update: who is asked, the emails and their links, the "Give an update" form (from the
link and from the action), what cards and the overview show, and who may ask and update."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from board.services import update_requests
from board.services.board_view import current_plan
from board.services.clinics import start_clinic
from board.services.digests import opt_out_token
from board.services.moves import move_action
from board.services.plan_file import load_plan_file
from board.services.plan_import import import_plan
from board.services.plans import plan_by_slug
from models import Action, ActionEvent, EventKind, EvidenceNote, OwnerRole, UpdateLink, db
from tests.conftest import action_by_ref, answered, csrf_token, email_for, signed_in, user_for
from tests.mail import links_in, text_of
from tests.pages import page_of
from tests.plans import NEXT_YEAR_PATH, carried_ref

SAFEGUARDING = "Head of Service Children's Safeguarding"   # owns 2.5, 2.7, 2.17 (and others outside area 2)
PSW = "Principal Social Worker"                           # owns 2.8


def _hold(app, role: str, *names: str) -> None:
    with app.app_context():
        user = user_for(role)
        user.owner_roles = list(db.session.scalars(select(OwnerRole).where(OwnerRole.name.in_(names))))
        db.session.commit()


def _ask(client, query: str = "?area=2", message: str = "Please update before Friday's clinic.",
         reply_by: str = "2023-12-22"):
    """Open the ask page from a filtered board and send what it lists."""
    page = page_of(client.get("/update-requests/new" + query))
    return answered(client.post("/update-requests/new" + query, data={
        "refs": page.field_value("refs"), "reply_by": reply_by, "message": message,
        "csrf_token": csrf_token(client)})), page


def _link_path(message, ref: str) -> str:
    """The path of the "Give an update" link for `ref` in an update request email."""
    text = text_of(message)
    block = text[text.index(f"\n{ref}: "):]
    link = next(link for link in links_in(message) if link in block and "/updates/" in link)
    return link.removeprefix("http://localhost")


@pytest.fixture
def asked(mail_app, smtp):
    """The plan owner asked area 2's owners: the contributor holds Safeguarding, the viewer the PSW role."""
    _hold(mail_app, "contributor", SAFEGUARDING)
    _hold(mail_app, "viewer", PSW)
    admin = signed_in(mail_app, "admin")
    response, page = _ask(admin)
    assert response.status_code == 303 and response.headers["Location"] == "/?area=2"
    return admin, page


def test_each_owner_gets_one_email_listing_their_actions_with_a_link_each(mail_app, smtp, asked):
    admin, page = asked
    assert page.table_rows() == [["Person", "Their actions"], ["Contributor Person", "2.5, 2.7, 2.17"],
                                 ["Viewer Person", "2.8, 2.11"]]
    assert "Actions that reach no one (16)" in page.headings()
    assert smtp.inbox.recipients() == [email_for("contributor"), email_for("viewer")]
    [message] = smtp.inbox.to(email_for("contributor"))
    assert message["Subject"] == ("Update requested by 22 December: 3 actions in the Early Help and Children's "
                                  "Social Care Improvement and Impact Plan (2023-24)")
    text = text_of(message)
    assert "Admin Person asks for an update on 3 actions you own" in text
    assert "Please update before Friday's clinic." in text and "until the end of 29 December 2023" in text
    assert [link for link in links_in(message) if "/updates/" in link].__len__() == 3
    visitor = mail_app.test_client()
    for ref in ("2.5", "2.7", "2.17"):
        opened = visitor.get(_link_path(message, ref))
        assert opened.status_code == 200 and page_of(opened).headings("h1") == [f"Give an update on {ref}"]
    board = page_of(admin.get("/?area=2&view=detailed"))
    assert "update requested today" in board.card_text("2.7") and "update requested" not in board.card_text("2.1")
    overview = page_of(admin.get("/overview"))
    assert "Update requests outstanding, by person (5)" in overview.headings()
    assert [row[0] for row in overview.table_rows("#requests-title + table")][1:] == ["Contributor Person (3)",
                                                                                      "Viewer Person (2)"]


def test_giving_an_update_through_the_link_applies_it_whole_as_its_owner_and_once(mail_app, smtp, asked):
    admin, _ = asked
    path = _link_path(smtp.inbox.to(email_for("contributor"))[0], "2.7")
    visitor = mail_app.test_client()  # not signed in: the link is the permission
    form = page_of(visitor.get(path))
    sent = {"status": "green", "current_status": form.field_value("current_status"),
            "version": form.field_value("version"), "current_due": form.field_value("current_due"),
            "note": "Dip sample of 20 plans: 18 reviewed on time.", "new_due": "Feb 2024",
            "due_reason": "Audit moved to January", "csrf_token": form.csrf_token()}
    missing_reason = visitor.post(path, data=sent)
    assert missing_reason.status_code == 422
    assert page_of(missing_reason).form_errors() == ["Say why the status changes."]
    assert page_of(missing_reason).field_value("note") == sent["note"]
    done = visitor.post(path, data={**sent, "status_reason": "QA audit complete"})
    assert done.status_code == 303 and done.headers["Location"] == path
    thanks = page_of(visitor.get(path))
    assert "Thank you: your update is saved (2.7: Not started to Green, due Feb 2024, an evidence note)" in \
        thanks.flash_text()
    with mail_app.app_context():
        action = action_by_ref("2.7")
        assert (action.status, action.due_text) == ("green", "Feb 2024")
        events = db.session.scalars(select(ActionEvent).where(ActionEvent.action_id == action.id,
                                                              ActionEvent.kind != EventKind.IMPORTED)).all()
        assert sorted(e.kind.value for e in events) == ["due", "note", "reason", "status"]
        assert {e.user.email for e in events} == {email_for("contributor")}
        assert db.session.scalars(select(EvidenceNote.text)).all() == [sent["note"]]
    again = visitor.post(path, data={**sent, "status_reason": "Twice"})
    assert again.status_code == 410 and "This link has been used" in page_of(again).text("h1")
    board = page_of(admin.get("/?area=2&view=detailed"))
    assert board.cards_in(2, "green") == ["2.7"] and "updated since the request" in board.card_text("2.7")
    assert "update requested today" in board.card_text("2.5")
    overview = page_of(admin.get("/overview"))
    assert "Update requests outstanding, by person (4)" in overview.headings()


def test_tampered_foreign_and_expired_links_are_refused(mail_app, smtp, asked):
    path = _link_path(smtp.inbox.to(email_for("viewer"))[0], "2.8")
    visitor = mail_app.test_client()
    token = path.rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    signature = token.split(".")[1]
    with mail_app.app_context():
        other_purpose = opt_out_token(user_for("viewer"))  # signed by the board, but for another purpose
    for bad in (tampered, f"Nw.{signature}", other_purpose, "x" * 500):
        response = visitor.get(f"/updates/{bad}")
        assert response.status_code == 404, bad
        assert "not a working link" in page_of(response).text("main")
    with mail_app.app_context():
        link = db.session.scalars(select(UpdateLink).where(UpdateLink.action_id == action_by_ref("2.8").id)).one()
        link.expires_on = date(2023, 12, 14)
        db.session.commit()
    expired = visitor.get(path)
    assert expired.status_code == 410 and "This link has expired" in page_of(expired).text("h1")
    posted = visitor.post(path, data={"status": "red", "csrf_token": csrf_token(visitor)})
    assert posted.status_code == 410
    with mail_app.app_context():
        assert action_by_ref("2.8").status == "not_started"


def test_a_conflict_rolls_back_the_whole_update_and_keeps_what_was_written(mail_app, smtp, asked):
    path = _link_path(smtp.inbox.to(email_for("contributor"))[0], "2.7")
    visitor = mail_app.test_client()
    form = page_of(visitor.get(path))
    with mail_app.app_context():
        move_action(action_by_ref("2.7"), "red", 0, 1, user_for("editor"))
    response = visitor.post(path, data={
        "status": "green", "status_reason": "Audit done", "current_status": form.field_value("current_status"),
        "version": form.field_value("version"), "current_due": form.field_value("current_due"),
        "note": "Audit evidence", "new_due": "Feb 2024", "due_reason": "Slipped", "csrf_token": form.csrf_token()})
    page = page_of(response)
    assert response.status_code == 409
    assert any("Editor Person" in error for error in page.form_errors())
    assert page.field_value("note") == "Audit evidence" and page.field_value("current_status") == "red"
    with mail_app.app_context():
        action = action_by_ref("2.7")
        assert (action.status, action.due_text) == ("red", "Nov 2023")
        assert db.session.scalars(select(EvidenceNote)).all() == []
        assert all(link.used_at is None for link in db.session.scalars(select(UpdateLink)))


def test_an_editor_asks_only_while_taking_part_in_a_clinic_and_only_about_its_areas(mail_app, smtp):
    _hold(mail_app, "contributor", SAFEGUARDING)
    editor = signed_in(mail_app, "editor")
    assert "Ask owners for an update" not in page_of(editor.get("/")).link_names()
    assert editor.get("/update-requests/new").status_code == 403
    with mail_app.app_context():
        start_clinic(current_plan(), date(2023, 12, 15), user_for("editor"), "", [2], user_for("editor"))
    assert "Ask owners for an update" in page_of(editor.get("/")).link_names()
    page = page_of(editor.get("/update-requests/new?owner=" + str(_role_id(mail_app, SAFEGUARDING))))
    assert page.field_value("refs") == "2.5 2.7 2.17"
    assert "outside the areas of your clinic and left out" in page.text("main")
    refused = editor.post("/update-requests/new", data={"refs": "2.7 3.4", "reply_by": "2023-12-22",
                                                        "message": "Please", "csrf_token": csrf_token(editor)})
    assert refused.status_code == 422
    assert "only about the areas of the clinic" in " ".join(page_of(refused).texts(".field-error"))
    assert smtp.inbox.recipients() == []
    response, _ = _ask(editor, "?area=2")
    assert response.status_code == 303 and smtp.inbox.recipients() == [email_for("contributor")]
    with mail_app.app_context():
        assert db.session.scalars(select(update_requests.UpdateRequest.clinic_id)).one() is not None


def _role_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalars(select(OwnerRole.id).where(OwnerRole.name == name)).one()


def test_nobody_is_asked_when_nobody_holds_the_roles(mail_app, smtp):
    admin = signed_in(mail_app, "admin")
    page = page_of(admin.get("/update-requests/new?area=2"))
    assert "Nobody: no active account holds an owner role of these actions." in page.text("main")
    assert page.forms("main .panel") == []
    response = admin.post("/update-requests/new?area=2", data={"refs": "2.7", "reply_by": "2023-12-22",
                                                               "message": "Please", "csrf_token": csrf_token(admin)})
    assert response.status_code == 422 and "Nobody holds an owner role" in page_of(response).text("main")
    past = admin.post("/update-requests/new", data={"refs": "2.7", "reply_by": "2023-12-14", "message": "Please",
                                                    "csrf_token": csrf_token(admin)})
    assert "The reply-by date must be today or later." in page_of(past).form_errors()
    assert smtp.inbox.recipients() == []


def test_a_contributor_holding_an_owner_role_moves_its_due_and_gives_updates(seeded_app, client_for):
    contributor = client_for("contributor")
    token = csrf_token(contributor)
    detail = page_of(contributor.get("/actions/2.7"))
    assert "Change the due date" not in detail.text() and "Give an update on 2.7" not in detail.link_names()
    due = {"new_due": "Jan 2024", "reason": "Audit moved", "current_due": "Nov 2023", "csrf_token": token}
    assert contributor.post("/actions/2.7/due", data=due).status_code == 403
    assert contributor.get("/actions/2.7/update").status_code == 403
    _hold(seeded_app, "contributor", SAFEGUARDING)
    detail = page_of(contributor.get("/actions/2.7"))
    assert "Change the due date" in detail.text() and "Give an update on 2.7" in detail.link_names()
    assert contributor.post("/actions/2.7/due", data=due).status_code == 303
    form = page_of(contributor.get("/actions/2.7/update"))
    given = contributor.post("/actions/2.7/update?area=2", data={
        "status": "amber", "status_reason": "Half the plans reviewed", "current_status": "not_started",
        "version": form.field_value("version"), "current_due": form.field_value("current_due"), "csrf_token": token})
    assert given.status_code == 303 and given.headers["Location"] == "/actions/2.7?area=2"
    assert contributor.get("/actions/2.8/update").status_code == 403  # not theirs
    with seeded_app.app_context():
        action = action_by_ref("2.7")
        assert (action.status, action.due_text) == ("amber", "Jan 2024")


def test_giving_nothing_is_refused_and_the_users_page_names_roles_nobody_holds(seeded_app, client_for):
    admin = client_for("admin")
    form = page_of(admin.get("/actions/2.7/update"))
    nothing = admin.post("/actions/2.7/update", data={
        "status": "not_started", "current_status": "not_started", "version": form.field_value("version"),
        "current_due": "Nov 2023", "csrf_token": csrf_token(admin)})
    assert nothing.status_code == 422 and any("Nothing to save" in e for e in page_of(nothing).form_errors())
    users = page_of(admin.get("/admin/users"))
    unheld = users.texts(".unheld-roles li")
    assert any(item.startswith(f"{SAFEGUARDING}:") for item in unheld)
    _hold(seeded_app, "viewer", SAFEGUARDING)
    assert not any(item.startswith(f"{SAFEGUARDING}:") for item in page_of(admin.get("/admin/users"))
                   .texts(".unheld-roles li"))


def _next_year(app) -> None:
    """Import 2024-25 carrying 2023-24 forward: 2023-24 is archived, 2024-25 is the live plan at /."""
    with app.app_context():
        import_plan(load_plan_file(NEXT_YEAR_PATH), new_slug="2024-25")


def test_requests_and_their_links_stay_inside_their_plan_and_an_archived_plans_link_says_so(mail_app, smtp):
    _hold(mail_app, "contributor", SAFEGUARDING)
    admin = signed_in(mail_app, "admin")
    _ask(admin)  # in 2023-24, the live plan until next year's is imported
    old_link = _link_path(smtp.inbox.to(email_for("contributor"))[0], "2.7")
    assert old_link.startswith("/plans/2023-24/updates/")  # still 2023-24's once another plan is live
    smtp.inbox.clear()
    _next_year(mail_app)
    _hold(mail_app, "contributor", SAFEGUARDING)  # the role in both plans
    closed = mail_app.test_client().get(old_link)
    assert closed.status_code == 410 and page_of(closed).headings("h1") == ["This plan is archived"]
    assert "Ask owners for an update" not in page_of(admin.get("/plans/2023-24/")).link_names()
    assert admin.get("/plans/2023-24/update-requests/new").status_code == 403
    assert admin.get("/plans/2023-24/actions/2.7/update").status_code == 403

    new_ref = carried_ref("2.7")
    response, page = _ask(admin)  # from / : the live plan, 2024-25
    assert response.status_code == 303 and new_ref in page.field_value("refs").split()
    [message] = smtp.inbox.to(email_for("contributor"))
    assert message["Subject"].endswith("in the Early Help and Children's Social Care Improvement and Impact Plan "
                                       "(2024-25)")
    path = _link_path(message, new_ref)
    assert path.startswith("/plans/2024-25/updates/")
    visitor = mail_app.test_client()
    assert visitor.get(path.replace("/2024-25/", "/2023-24/", 1)).status_code == 404  # not another plan's
    form = page_of(visitor.get(path))
    saved = visitor.post(path, data={"status": form.field_value("status"), "note": "Audit booked for January",
                                     "current_status": form.field_value("current_status"),
                                     "version": form.field_value("version"),
                                     "current_due": form.field_value("current_due"), "csrf_token": form.csrf_token()})
    assert saved.status_code == 303 and saved.headers["Location"] == path
    with mail_app.app_context():
        [note] = db.session.scalars(select(EvidenceNote)).all()
        action = db.session.get(Action, note.action_id)
        assert (action.plan_id, action.ref) == (plan_by_slug("2024-25").id, new_ref)


def test_an_update_to_complete_needs_its_note_which_becomes_the_evidence(seeded_app, client_for):
    admin = client_for("admin")
    form = page_of(admin.get("/actions/2.7/update"))
    sent = {"status": "complete", "current_status": "not_started", "version": form.field_value("version"),
            "current_due": "Nov 2023", "status_reason": "Audit finished", "csrf_token": csrf_token(admin)}
    refused = admin.post("/actions/2.7/update", data=sent)
    assert refused.status_code == 422
    assert "Complete means evidenced: say in the note what shows 2.7 is done (and link to it)." in \
        page_of(refused).form_errors()
    done = admin.post("/actions/2.7/update", data={**sent, "note": "Audit of 40 plans signed off",
                                                    "link_url": "https://docs.example/audit.pdf"})
    assert done.status_code == 303
    with seeded_app.app_context():
        action = action_by_ref("2.7")
        notes = [(note.text, note.link_url) for note in db.session.scalars(
            select(EvidenceNote).where(EvidenceNote.action_id == action.id))]
        assert action.status == "complete" and notes == [("Audit of 40 plans signed off",
                                                          "https://docs.example/audit.pdf")]
