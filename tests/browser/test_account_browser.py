"""Your account in a real browser: changing your password, signing out everywhere, the admin's reset;
and an impact comment edited and withdrawn inline, and an edit that lost a race."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as
from tests.conftest import PASSWORD, email_for

NEW_PASSWORD = "plum orchard lantern 42"


def test_change_your_password_and_sign_in_with_it(page, live_server):
    sign_in_as(page, live_server, "editor")
    page.get_by_role("link", name=re.compile("your account")).click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("Use at least 12 characters")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#flash")).to_contain_text("Your password is changed")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("You have signed out")
    page.get_by_label("Email").fill(email_for("editor"))
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/")


def test_signing_out_everywhere_ends_the_other_browsers_session(browser, live_server):
    laptop, phone = browser.new_context(), browser.new_context()
    here, there = laptop.new_page(), phone.new_page()
    sign_in_as(here, live_server, "contributor")
    sign_in_as(there, live_server, "contributor")
    here.goto(live_server + "/account")
    here.get_by_role("button", name="Sign out everywhere else").click()
    expect(here.locator("#flash")).to_contain_text("1 other session ended")
    there.goto(live_server + "/outcomes")
    expect(there.get_by_role("heading", name="Sign in")).to_be_visible()
    here.goto(live_server + "/outcomes")
    expect(here.get_by_role("heading", name="Intended outcomes and their impact")).to_be_visible()
    laptop.close()
    phone.close()


def test_the_admin_resets_a_password_and_sees_it_once(page, live_server):
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/admin/users")
    page.get_by_role("link", name="Viewer Person").click()
    page.get_by_role("button", name="Reset Viewer Person’s password").click()
    one_time = page.get_by_label("One-time password").input_value()
    assert len(one_time) >= 12
    page.get_by_role("link", name="All users").click()
    page.get_by_role("link", name="Viewer Person").click()
    expect(page.get_by_label("One-time password")).to_have_count(0)
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_label("Email").fill(email_for("viewer"))
    page.get_by_label("Password").fill(one_time)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/")


def test_an_impact_comment_is_edited_and_withdrawn_in_place(page, live_server):
    sign_in_as(page, live_server, "contributor")
    page.goto(live_server + "/outcomes")
    outcome = page.locator("article.outcome").first
    outcome.get_by_text("Add an impact comment").click()
    outcome.get_by_label("What changed for children?").fill("Plans reviewed sooner")
    outcome.get_by_label("Emerging").check()
    outcome.get_by_role("button", name="Add comment").click()
    expect(page.locator("#announcer")).to_have_text("Impact comment added.")
    outcome = page.locator("article.outcome").first
    outcome.get_by_role("link", name="Edit comment by Contributor Person").click()
    outcome.locator(".inline-edit").get_by_label("What changed for children?").fill("Plans reviewed within 3 months")
    outcome.locator(".inline-edit").get_by_label("Clear impact").check()
    outcome.get_by_role("button", name="Save comment").click()
    expect(page.locator("#announcer")).to_have_text("Impact comment updated.")
    outcome = page.locator("article.outcome").first
    expect(outcome.locator(".impact-rating")).to_contain_text("Clear impact")
    outcome.get_by_role("link", name="Withdraw comment by Contributor Person").click()
    outcome.get_by_label("Why withdraw this comment?").fill("Counted in the wrong outcome")
    outcome.get_by_role("button", name="Withdraw comment").click()
    expect(page.locator("#announcer")).to_have_text("Impact comment withdrawn.")
    outcome = page.locator("article.outcome").first
    expect(outcome.locator(".impact-rating")).to_contain_text("not rated yet")
    expect(outcome).to_contain_text("Withdrawn by Contributor Person")


def test_an_edit_that_lost_a_race_keeps_what_you_typed(browser, live_server):
    """Two people edit one note: the second to save is shown both wordings and keeps theirs."""
    first, second = browser.new_context(), browser.new_context()
    author, admin = first.new_page(), second.new_page()
    sign_in_as(author, live_server, "contributor")
    sign_in_as(admin, live_server, "admin")
    author.goto(live_server + "/actions/2.7")
    author.get_by_label("Evidence note", exact=True).fill("First wording")
    author.get_by_role("button", name="Add note").click()
    expect(author.locator("#notes li.note")).to_have_count(1)
    for page in (author, admin):
        page.goto(live_server + "/actions/2.7")
        page.get_by_role("link", name="Edit note by Contributor Person").click()
        expect(page.locator(".inline-edit")).to_be_visible()
    admin.locator(".inline-edit").get_by_label("Evidence note", exact=True).fill("The admin's wording")
    admin.get_by_role("button", name="Save note").click()
    expect(admin.locator("#notes")).to_contain_text("The admin's wording")
    box = author.locator(".inline-edit").get_by_label("Evidence note", exact=True)
    box.fill("The author's wording")
    author.get_by_role("button", name="Save note").click()
    expect(author.get_by_role("alert")).to_contain_text("changed this note while you were editing it")
    expect(author.get_by_role("alert")).to_contain_text("The admin's wording")
    expect(author.locator(".inline-edit").get_by_label("Evidence note", exact=True)).to_have_value("The author's wording")
    author.get_by_role("button", name="Save note").click()
    expect(author.locator("#notes")).to_contain_text("The author's wording")
    first.close()
    second.close()
