"""Signing in and out, and the committee's read-only link, in a real browser."""
import re
from datetime import date

from playwright.sync_api import expect

from board.services import share_links
from board.services.board_view import current_plan
from models import ShareLink, db
from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations


def test_sign_in_wrong_password_then_right_then_sign_out(page, live_server):
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    page.get_by_label("Email").fill("editor@example.org")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That email and password do not match an active account.")
    expect(page.get_by_label("Email")).to_have_value("editor@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#flash")).to_contain_text("Signed in as Editor Person")
    expect(page.locator("li.card")).to_have_count(88)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_admin_creates_a_share_link_and_a_committee_member_reads_it(page, browser, live_server):
    sign_in_as(page, live_server, "admin")
    page.get_by_role("link", name="Share links").click()
    page.get_by_label("Label").fill("Children and Families Committee, November")
    page.get_by_role("button", name="Create link").click()
    url = page.get_by_label("Read-only link").input_value()
    assert url.startswith(live_server + "/share/")

    committee = browser.new_context()  # no account, no cookies
    reader = committee.new_page()
    reader.goto(url)
    expect(reader.locator("li.card")).to_have_count(88)
    expect(reader.get_by_text("Read-only view for Children and Families Committee, November")).to_be_visible()
    expect(reader.locator("form, button[type=submit], input, select, textarea")).to_have_count(0)
    expect(reader.get_by_role("heading", name="Glossary: terms and short forms")).to_be_visible()
    assert serious_violations(reader) == []
    reader.get_by_role("link", name="Action 3.4", exact=True).click()
    panel = reader.get_by_role("complementary", name="Action detail")
    expect(panel).to_contain_text("Review the sufficiency strategy")
    expect(panel.locator("form")).to_have_count(0)
    expect(reader).to_have_url(re.compile(r"/share/.+/actions/3\.4$"))
    committee.close()

    page.get_by_role("button", name="Revoke Children and Families Committee, November").click()
    expect(page.locator("#flash")).to_contain_text("no longer works")
    again = browser.new_context()
    gone = again.new_page()
    response = gone.goto(url)
    assert response.status == 410
    expect(gone.get_by_text("This link is no longer valid")).to_be_visible()
    again.close()


def test_an_expired_link_stops_working(browser, seeded_app, live_server):
    with seeded_app.app_context():
        _, token = share_links.create_link(current_plan(), "Old committee", date(2023, 11, 30))
        assert db.session.query(ShareLink).count() == 1
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(f"{live_server}/share/{token}/")
    assert response.status == 410
    expect(page.get_by_role("heading", name="Gone")).to_be_visible()
    expect(page.get_by_text("it was expired")).to_be_visible()
    expect(page.locator("li.card")).to_have_count(0)
    context.close()


def test_admin_creates_a_user_who_signs_in_with_the_password_shown_once(page, browser, live_server):
    sign_in_as(page, live_server, "admin")
    page.get_by_role("link", name="Users").click()
    page.get_by_label("Email").fill("lead@example.org")
    page.get_by_label("Name").fill("Lena Lead")
    page.get_by_label("Role").select_option("contributor")
    page.get_by_label("Principal Social Worker").check()
    page.get_by_role("button", name="Create user").click()
    password = page.get_by_label("Password for lead@example.org").input_value()
    assert len(password) >= 12
    expect(page.get_by_role("table")).to_contain_text("Lena Lead")
    page.get_by_role("link", name="Lena Lead").click()
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Change role").click()
    expect(page.locator("#flash")).to_contain_text("Lena Lead is now Editor.")

    newcomer = browser.new_context()
    lead = newcomer.new_page()
    lead.goto(live_server + "/sign-in")
    lead.get_by_label("Email").fill("lead@example.org")
    lead.get_by_label("Password").fill(password)
    lead.get_by_role("button", name="Sign in").click()
    expect(lead.locator("#flash")).to_contain_text("Signed in as Lena Lead")
    lead.get_by_label("My actions").check()
    lead.get_by_role("button", name="Filter").click()
    expect(lead.locator("li.card")).to_have_count(9)  # the Principal Social Worker's actions
    newcomer.close()


def test_an_open_share_page_says_when_its_link_is_revoked(browser, seeded_app, live_server):
    with seeded_app.app_context():
        link, token = share_links.create_link(current_plan(), "Committee", None)
        link_id = link.id
    context = browser.new_context()
    reader = context.new_page()
    reader.goto(f"{live_server}/share/{token}/")
    expect(reader.locator("li.card")).to_have_count(88)
    with seeded_app.app_context():
        share_links.revoke(db.session.get(ShareLink, link_id))
    expect(reader.get_by_role("alert")).to_contain_text("This link is no longer valid")
    context.close()
