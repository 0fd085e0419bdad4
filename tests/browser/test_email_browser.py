"""Email flows in a real browser, with a real SMTP server: an update request followed from the email to the
board, a forgotten password reset through its link, and the weekly digest stopped from its own link and
turned back on from the preferences page."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import OwnerRole, db
from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations
from tests.conftest import copy_database, email_for, make_app, user_for
from tests.mail import links_in, text_of


@pytest.fixture
def seeded_app(tmp_path, seeded_template, smtp):
    """The live server's app sends its email to the test SMTP server; the contributor holds the owner role
    of 2.5, 2.7 and 2.17 in area 2."""
    app = make_app(tmp_path, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(seeded_template, tmp_path),
                   MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    with app.app_context():
        user_for("contributor").owner_roles = list(db.session.scalars(
            select(OwnerRole).where(OwnerRole.name == "Head of Service Children's Safeguarding")))
        db.session.commit()
    return app


def _mail_to(smtp, address: str, count: int = 1):
    """The messages delivered to `address`, once there are `count` (the server sends after answering the page)."""
    deadline = time.monotonic() + 20  # only a cap: the loop ends as soon as the mail is there
    while len(smtp.inbox.to(address)) < count:
        assert time.monotonic() < deadline, f"no email reached {address}"
        time.sleep(0.05)
    return smtp.inbox.to(address)


def _on(live_server: str, link: str) -> str:
    """An emailed link, on the live server (the emails' links name the address the board was given)."""
    parts = urlsplit(link)
    return live_server + parts.path + (f"?{parts.query}" if parts.query else "")


def test_an_owner_follows_the_emailed_link_and_the_card_shows_the_update(page, browser, live_server, smtp):
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/?view=detailed&area=2")
    page.get_by_role("link", name="Ask owners for an update").click()
    expect(page.get_by_role("heading", name="Who will be asked (1 person)")).to_be_visible()
    expect(page.get_by_role("row", name="Contributor Person")).to_contain_text("2.5, 2.7, 2.17")
    assert serious_violations(page) == []
    page.get_by_label("Your message to the owners").fill("Please update before Friday's clinic.")
    page.get_by_role("button", name="Send the requests").click()
    expect(page.locator("#flash")).to_contain_text("Asked 1 person for an update on 3 actions")
    expect(page.locator("#card-2-7")).to_contain_text("update requested today")

    [message] = _mail_to(smtp, email_for("contributor"))
    text = text_of(message)
    link = next(url for url in links_in(message) if "/updates/" in url and url in text[text.index("\n2.7: "):])
    owner = browser.new_context()  # the owner reads the email elsewhere, not signed in
    form = owner.new_page()
    form.goto(link.replace("http://localhost", live_server))
    expect(form.get_by_role("heading", name="Give an update on 2.7")).to_be_visible()
    expect(form.get_by_text("Admin Person asked for an update today")).to_be_visible()
    assert serious_violations(form) == []
    form.get_by_label("Status", exact=True).select_option("green")
    form.get_by_role("button", name="Save the update").click()
    expect(form.get_by_text("Say why the status changes.").first).to_be_visible()
    form.get_by_label("Why this status?").fill("QA audit complete")
    form.get_by_label("Evidence note (optional)").fill("Dip sample of 20 plans: 18 reviewed on time.")
    form.get_by_role("button", name="Save the update").click()
    expect(form.locator("#flash")).to_contain_text("Thank you: your update is saved (2.7: Not started to Green")
    expect(form.get_by_role("heading", name="This link has been used")).to_be_visible()
    assert serious_violations(form) == []
    owner.close()

    # The plan owner's open board refreshes itself: the card has moved and says it was updated.
    card = page.locator('section[data-area="2"] ol[data-status="green"] #card-2-7')
    expect(card).to_contain_text("updated since the request")
    expect(page.locator("#card-2-5")).to_contain_text("update requested today")
    page.goto(live_server + "/overview")
    expect(page.get_by_role("heading", name="Update requests outstanding, by person (2)")).to_be_visible()


def test_a_forgotten_password_is_reset_through_the_emailed_link(page, live_server, smtp):
    page.goto(live_server + "/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    assert serious_violations(page) == []
    page.get_by_label("Email").fill(email_for("viewer"))
    page.get_by_role("button", name="Email me a link").click()
    expect(page.locator("#flash")).to_contain_text("If that address has an account here")
    [message] = _mail_to(smtp, email_for("viewer"))
    link = next(url for url in links_in(message) if "/set-password/" in url)
    page.goto(link.replace("http://localhost", live_server))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("New password", exact=True).fill("plum orchard lantern 42")
    page.get_by_label("New password again").fill("plum orchard lantern 42")
    page.get_by_role("button", name="Set my password").click()
    expect(page.locator("#flash")).to_contain_text("Your password is set, Viewer Person")
    page.get_by_label("Email").fill(email_for("viewer"))
    page.get_by_label("Password").fill("plum orchard lantern 42")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/")
    page.goto(link.replace("http://localhost", live_server))
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    expect(page.get_by_role("button", name="Send me a new link")).to_be_visible()
    assert serious_violations(page) == []


def test_the_digest_is_stopped_from_its_link_without_javascript_and_turned_on_again(
        seeded_app, page, no_js_page, live_server, smtp):
    result = seeded_app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0 and "Sent 1 " in result.output, result.output
    [digest] = _mail_to(smtp, email_for("contributor"))
    stop = next(url for url in links_in(digest) if "/email/digest/" in url)
    no_js_page.goto(_on(live_server, stop))  # a mail program opens it in any browser, signed in or not
    expect(no_js_page.get_by_role("heading", name="Weekly digest for Contributor Person")).to_be_visible()
    no_js_page.get_by_role("button", name="Stop the weekly digest").click()
    expect(no_js_page.locator("#flash")).to_contain_text("The weekly digest is off.")
    expect(no_js_page.get_by_role("button", name="Send me the digest again")).to_be_visible()

    sign_in_as(page, live_server, "contributor")
    page.goto(live_server + "/account")
    page.get_by_role("link", name="Your email: the weekly digest").click()
    expect(page.get_by_role("heading", name="Your email", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    digest_box = page.get_by_label("Send me the weekly digest")
    expect(digest_box).not_to_be_checked()
    digest_box.check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_contain_text("You get the weekly digest.")
    expect(page.get_by_label("Send me the weekly digest")).to_be_checked()
    no_js_page.reload()
    expect(no_js_page.get_by_role("button", name="Stop the weekly digest")).to_be_visible()
    page.goto(_on(live_server, stop))  # the same page, signed in, with JavaScript for axe
    expect(page.get_by_role("button", name="Stop the weekly digest")).to_be_visible()
    assert serious_violations(page) == []


def test_an_invited_owner_chooses_a_password_and_updates_their_own_action(page, browser, live_server, smtp):
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/admin/users")
    expect(page.get_by_role("listitem").filter(has_text="Principal Social Worker:")).to_be_visible()
    page.get_by_label("Email").fill("lena.lead@example.org")
    page.get_by_label("Name").fill("Lena Lead")
    page.get_by_label("Role").select_option("contributor")
    page.get_by_label("Principal Social Worker").check()
    page.get_by_role("button", name="Send an invitation by email").click()
    expect(page.get_by_role("heading", name="Invitation sent to Lena Lead")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Principal Social Worker:")).to_have_count(0)

    [invitation] = _mail_to(smtp, "lena.lead@example.org")
    lena = browser.new_context().new_page()
    lena.goto(_on(live_server, next(url for url in links_in(invitation) if "/set-password/" in url)))
    expect(lena.get_by_role("heading", name="Welcome: choose your password")).to_be_visible()
    lena.get_by_label("New password", exact=True).fill("plum orchard lantern 42")
    lena.get_by_label("New password again").fill("plum orchard lantern 42")
    lena.get_by_role("button", name="Set my password").click()
    lena.get_by_label("Email").fill("lena.lead@example.org")
    lena.get_by_label("Password").fill("plum orchard lantern 42")
    lena.get_by_role("button", name="Sign in").click()
    expect(lena).to_have_url(live_server + "/")

    # 2.8 is the Principal Social Worker's: Lena, a contributor, may now give it an update and move its due.
    lena.goto(live_server + "/actions/2.8")
    lena.get_by_role("link", name="Give an update on 2.8").click()
    lena.get_by_label("New due (optional)").fill("Mar 2024")
    lena.get_by_label("Why the due moves").fill("Waiting for the new case system")
    lena.get_by_role("button", name="Save the update").click()
    expect(lena.locator("#flash")).to_contain_text("Thank you: your update is saved (2.8: due Mar 2024)")
    expect(lena.get_by_role("list", name="Due date changes")).to_contain_text(
        "Lena Lead Monthly → Mar 2024 Waiting for the new case system")
    lena.context.close()
