"""The weekly digest: each person's actions overdue, due soon, stale and asked about; nothing when there is
nothing to say; a signed one-click opt-out and a preferences page."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select

from board.services import update_requests
from board.services.board_view import current_plan
from board.services.digests import opt_out_token
from board.services.outbox import Email
from board.services.plan_file import load_plan_file
from board.services.plan_import import import_plan
from board.services.plans import plan_by_slug
from models import Action, OwnerRole, db
from tests.conftest import action_by_ref, csrf_token, email_for, signed_in, user_for
from tests.mail import html_of, links_in, text_of
from tests.pages import page_of
from tests.plans import NEXT_YEAR_PATH, carried_ref

SAFEGUARDING = "Head of Service Children's Safeguarding"


def _hold(app, role: str, name: str) -> None:
    with app.app_context():
        user_for(role).owner_roles = list(db.session.scalars(select(OwnerRole).where(OwnerRole.name == name)))
        db.session.commit()


def _send(app, *args: str):
    result = app.test_cli_runner().invoke(args=["send-digests", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_owner_gets_their_actions_and_people_with_nothing_to_read_get_nothing(mail_app, smtp):
    _hold(mail_app, "contributor", SAFEGUARDING)
    with mail_app.app_context():
        update_requests.ask_for_updates(current_plan(), [action_by_ref("2.5")], date(2023, 12, 22), "Please update",
                                        user_for("admin"), update_requests.AskScope(), date(2023, 12, 15),
                                        lambda *_: Email("s", "t", "h"))
    output = _send(mail_app)
    assert "1 digest(s) queued" in output and "Sent 1 over SMTP" in output
    assert smtp.inbox.recipients() == [email_for("contributor")]
    [digest] = smtp.inbox.to(email_for("contributor"))
    assert digest["Subject"].startswith("Your actions this week (")
    assert digest["Subject"].endswith(": Early Help and Children's Social Care Improvement and Impact Plan (2023-24)")
    text = text_of(digest)
    overdue = text[text.index("Overdue ("):text.index("\n\n", text.index("Overdue ("))]
    assert "2.7: Scrutinise the length and impact of child protection plans" in overdue
    asked = text[text.index("Updates you were asked for"):]
    assert "2.5:" in asked and "asked by Admin Person for 22 December 2023" in asked
    assert any(link.endswith("/actions/2.7") for link in links_in(digest))
    assert "Stop the weekly digest" in html_of(digest)
    stop = next(link for link in links_in(digest) if "/email/digest/" in link)
    assert digest["List-Unsubscribe"].strip() == f"<{stop}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "1 already sent this week" in _send(mail_app)  # a second run the same week sends nothing twice
    assert len(smtp.inbox.to(email_for("contributor"))) == 1


def test_the_one_click_opt_out_and_the_preferences_page(mail_app, smtp):
    _hold(mail_app, "contributor", SAFEGUARDING)
    with mail_app.app_context():
        token = opt_out_token(user_for("contributor"))
    mail_program = mail_app.test_client()
    # A mail program's own Unsubscribe button: a POST with no form of the board's (RFC 8058).
    clicked = mail_program.post(f"/email/digest/{token}", data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 204
    assert "0 digest(s) queued" in _send(mail_app, "--again") and smtp.inbox.recipients() == []
    visitor = mail_app.test_client()
    page = page_of(visitor.get(f"/email/digest/{token}"))
    assert "The weekly digest is off" in page.text("main")
    action, sent = page.submission("Send me the digest again")  # what the page's button sends
    back_on = visitor.post(action, data=sent)
    assert back_on.status_code == 303 and "is on again" in page_of(visitor.get(back_on.headers["Location"])).flash_text()
    forged = visitor.post(f"/email/digest/{token}", data={"wanted": "off"})  # the page's button needs its token
    assert forged.status_code == 400
    for bad in (token[:-2] + "xx", "e30.bad", "x" * 300):
        assert visitor.get(f"/email/digest/{bad}").status_code == 404
    contributor = signed_in(mail_app, "contributor")
    assert page_of(contributor.get("/account/email")).root.select_one("#weekly_digest").has_attr("checked")
    saved = contributor.post("/account/email", data={"csrf_token": csrf_token(contributor)})
    assert saved.status_code == 303
    with mail_app.app_context():
        assert user_for("contributor").weekly_digest is False
    assert "1 turned off" in _send(mail_app, "--again")


def test_each_plan_not_archived_sends_its_own_digest_and_its_links_stay_inside_it(mail_app, smtp):
    with mail_app.app_context():
        import_plan(load_plan_file(NEXT_YEAR_PATH), new_slug="2024-25")  # 2023-24 archived
    _hold(mail_app, "contributor", SAFEGUARDING)  # the role in both plans
    new_ref = carried_ref("2.7")
    with mail_app.app_context():
        plan = plan_by_slug("2024-25")
        action = db.session.scalars(select(Action).where(Action.plan_id == plan.id, Action.ref == new_ref)).one()
        update_requests.ask_for_updates(plan, [action], date(2023, 12, 22), "Please update", user_for("admin"),
                                        update_requests.AskScope(), date(2023, 12, 15), lambda *_: Email("s", "t", "h"))
    output = _send(mail_app)
    assert "2023-24: archived, no digest." in output and "2024-25: 1 digest(s) queued" in output
    [digest] = smtp.inbox.to(email_for("contributor"))
    assert digest["Subject"].endswith(": Early Help and Children's Social Care Improvement and Impact Plan (2024-25)")
    assert f"{new_ref}:" in text_of(digest)[text_of(digest).index("Updates you were asked for"):]
    links = [urlsplit(link).path for link in links_in(digest)]
    assert f"/plans/2024-25/actions/{new_ref}" in links
    assert all(link.startswith("/plans/2024-25/") for link in links)
    stop = next(link for link in links if "/email/digest/" in link)
    assert page_of(mail_app.test_client().get(stop)).headings("h1") == ["Weekly digest for Contributor Person"]
