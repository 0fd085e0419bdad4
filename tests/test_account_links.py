"""Invitations and "Forgot your password?": emailed set-password links (hashed, timed, once), throttled, and
the same answer whether or not an address has an account."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from board import clock
from board.services import account_links
from models import AccountLink, db
from tests.conftest import PASSWORD, answered, csrf_token, email_for, sign_in, signed_in
from tests.mail import links_in
from tests.pages import page_of

NEW_PASSWORD = "plum orchard lantern 42"


def _set_password_path(message) -> str:
    link = next(link for link in links_in(message) if "/set-password/" in link)
    return link.removeprefix("http://localhost")


def _forgot(client, email: str):
    return answered(client.post("/forgot-password", data={"email": email, "csrf_token": csrf_token(client)}))


def _choose(client, path: str, password: str = NEW_PASSWORD):
    page = page_of(client.get(path))
    return client.post(path, data={"new": password, "confirm": password, "csrf_token": page.csrf_token()})


def test_the_admin_invites_someone_who_chooses_a_password_and_signs_in(mail_app, smtp):
    admin = signed_in(mail_app, "admin")
    invited = answered(admin.post("/admin/users", data={
        "email": "Lena.Lead@Example.org", "name": "Lena Lead", "role": "contributor", "invite": "1",
        "csrf_token": csrf_token(admin)}))
    assert invited.status_code == 201
    assert "Invitation sent to Lena Lead" in page_of(invited).headings()
    assert page_of(invited).value_labelled("Password for lena.lead@example.org") is None
    [message] = smtp.inbox.to("lena.lead@example.org")
    assert message["Subject"] == ("You are invited to the improvement plan board for the Early Help and Children's "
                                  "Social Care Improvement and Impact Plan")
    path = _set_password_path(message)
    newcomer = mail_app.test_client()
    assert page_of(newcomer.get(path)).headings("h1") == ["Welcome: choose your password"]
    weak = _choose(newcomer, path, "password")
    assert weak.status_code == 422 and any("at least 12 characters" in e for e in page_of(weak).form_errors())
    chosen = _choose(newcomer, path)
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/sign-in"
    lena = mail_app.test_client()
    signed = lena.post("/sign-in", data={"email": "lena.lead@example.org", "password": NEW_PASSWORD,
                                         "csrf_token": csrf_token(lena)})
    assert signed.status_code == 303
    reused = mail_app.test_client().get(path)
    assert reused.status_code == 410
    page = page_of(reused)
    assert page.headings("h1") == ["This link has already been used"]
    assert "Send me a new link" in page.texts("button")


def test_forgot_password_answers_alike_for_any_address_and_only_an_account_gets_a_link(mail_app, smtp):
    answers = []
    for email in (email_for("viewer"), "nobody@example.org"):
        client = mail_app.test_client()
        response = _forgot(client, email)
        answers.append((response.status_code, response.headers["Location"],
                        page_of(client.get("/sign-in")).flash_text()))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (303, "/sign-in") and "If that address has an account here" in answers[0][2]
    assert smtp.inbox.recipients() == [email_for("viewer")]
    [message] = smtp.inbox.to(email_for("viewer"))
    assert message["Subject"].startswith("Reset your password for the improvement plan board")
    path = _set_password_path(message)
    with mail_app.app_context():
        stored = db.session.scalars(select(AccountLink)).one()
        token = path.rsplit("/", 1)[1]
        assert stored.token_hash == account_links.hash_token(token) and token not in stored.token_hash
        assert stored.expires_at - stored.created_at == timedelta(hours=1)
    viewer = signed_in(mail_app, "viewer")
    assert _choose(mail_app.test_client(), path).status_code == 303
    assert viewer.get("/account").status_code == 302  # every session of the account ended
    assert sign_in(mail_app.test_client(), "viewer", NEW_PASSWORD).status_code == 303
    assert sign_in(mail_app.test_client(), "viewer", PASSWORD).status_code == 422


def test_an_expired_or_tampered_link_explains_itself_and_a_new_one_can_be_sent(mail_app, smtp):
    _forgot(mail_app.test_client(), email_for("editor"))
    path = _set_password_path(smtp.inbox.to(email_for("editor"))[0])
    with mail_app.app_context():
        link = db.session.scalars(select(AccountLink)).one()
        link.expires_at = clock.now() - timedelta(minutes=1)
        db.session.commit()
    visitor = mail_app.test_client()
    expired = visitor.get(path)
    assert expired.status_code == 410
    assert page_of(expired).headings("h1") == ["This link has expired"]
    assert "works for 1 hour" in page_of(expired).text("main")
    refused = visitor.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                       "csrf_token": csrf_token(visitor)})
    assert refused.status_code == 410
    renewed = answered(visitor.post(path + "/new", data={"csrf_token": page_of(expired).csrf_token()}))
    assert renewed.status_code == 303
    assert len(smtp.inbox.to(email_for("editor"))) == 2
    fresh = _set_password_path(smtp.inbox.to(email_for("editor"))[1])
    assert fresh != path and _choose(mail_app.test_client(), fresh).status_code == 303
    tampered = visitor.get(fresh[:-3] + "abc")
    assert tampered.status_code == 404 and page_of(tampered).headings("h1") == ["This link does not work"]


def test_reset_requests_are_throttled_quietly_per_email_and_openly_per_address(mail_app, smtp):
    client = mail_app.test_client()
    for _ in range(4):
        assert _forgot(client, email_for("viewer")).status_code == 303
    assert len(smtp.inbox.to(email_for("viewer"))) == account_links.RESETS_PER_EMAIL
    for number in range(account_links.RESETS_PER_ADDRESS - 4):
        assert _forgot(client, f"someone{number}@example.org").status_code == 303
    too_many = _forgot(client, email_for("editor"))
    assert too_many.status_code == 429 and "Too many requests from here" in page_of(too_many).text("main")
    assert smtp.inbox.to(email_for("editor")) == []


def test_links_the_admin_sent_do_not_use_up_a_persons_resets_and_new_links_count_with_them(mail_app, smtp):
    admin = signed_in(mail_app, "admin")
    answered(admin.post("/admin/users", data={"email": "lena.lead@example.org", "name": "Lena Lead",
                                              "role": "viewer", "invite": "1", "csrf_token": csrf_token(admin)}))
    client = mail_app.test_client()
    for _ in range(account_links.RESETS_PER_EMAIL):
        assert _forgot(client, "lena.lead@example.org").status_code == 303
    [invitation, *resets] = smtp.inbox.to("lena.lead@example.org")
    assert len(resets) == account_links.RESETS_PER_EMAIL
    renewed = answered(client.post(_set_password_path(invitation) + "/new", data={"csrf_token": csrf_token(client)}))
    assert renewed.status_code == 303  # answered as usual, but a fourth link on request is not sent
    assert len(smtp.inbox.to("lena.lead@example.org")) == 1 + account_links.RESETS_PER_EMAIL
