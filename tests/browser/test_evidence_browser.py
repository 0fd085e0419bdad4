"""Inline evidence, due changes and impact comments in a real browser, with and without JavaScript."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations


def _open_detail(page, ref):
    page.get_by_role("link", name=f"Action {ref}", exact=True).click()
    panel = page.get_by_role("complementary", name="Action detail")
    expect(panel.get_by_role("heading", level=2)).to_contain_text(ref)
    return panel


def test_note_inline_with_an_error_then_edit_and_withdraw(page, live_server):
    sign_in_as(page, live_server, "contributor")
    panel = _open_detail(page, "2.7")
    panel.get_by_role("button", name="Add note").click()
    expect(panel.get_by_role("alert")).to_contain_text("Write the evidence")
    note = panel.get_by_label("Evidence note", exact=True)
    expect(note).to_have_attribute("aria-invalid", "true")
    note.fill("Dip sample of 20 CP plans: 14 reviewed on time.")
    panel.get_by_label("Link to a document (optional)").fill("javascript:alert(1)")
    panel.get_by_role("button", name="Add note").click()
    expect(panel.get_by_text("Enter a web link starting with https://").first).to_be_visible()
    expect(panel.get_by_label("Evidence note", exact=True)).to_have_value("Dip sample of 20 CP plans: 14 reviewed on time.")
    panel.get_by_label("Link to a document (optional)").fill("https://docs.example/qa.pdf")
    panel.get_by_role("button", name="Add note").click()
    expect(panel.locator("#notes li.note")).to_have_count(1)
    expect(page.locator("#announcer")).to_have_text("Evidence note added to 2.7.")
    expect(page.locator("#card-2-7")).to_contain_text("1 note")  # the card behind the panel

    panel.get_by_role("link", name="Edit note by Contributor Person").click()
    edit = panel.locator(".inline-edit").get_by_label("Evidence note", exact=True)
    edit.fill("Dip sample of 20 CP plans: 15 reviewed on time.")
    panel.get_by_role("button", name="Save note").click()
    expect(panel.locator("#notes")).to_contain_text("15 reviewed on time")
    panel.get_by_text("Earlier wording (1)").click()
    expect(panel.locator(".revisions")).to_contain_text("14 reviewed on time")

    panel.get_by_role("link", name="Withdraw note by Contributor Person").click()
    panel.get_by_role("button", name="Withdraw note").click()
    expect(panel.get_by_text("Say why the note is withdrawn.").first).to_be_visible()
    panel.get_by_label("Why withdraw this note?").fill("Counted twice")
    panel.get_by_role("button", name="Withdraw note").click()
    expect(panel.locator("li.note.withdrawn")).to_contain_text("Counted twice")
    expect(page.locator("#card-2-7")).not_to_contain_text("1 note")


def test_note_without_javascript(no_js_page, live_server):
    page = no_js_page
    sign_in_as(page, live_server, "contributor")
    page.goto(live_server + "/actions/3.4")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("alert")).to_contain_text("Write the evidence")
    page.get_by_label("Evidence note", exact=True).fill("Sufficiency strategy to committee on 14 Nov.")
    page.get_by_role("button", name="Add note").click()
    expect(page).to_have_url(re.compile(r"/actions/3\.4#notes$"))
    expect(page.locator("#flash")).to_contain_text("Evidence note added to 3.4.")
    expect(page.locator("#notes")).to_contain_text("Sufficiency strategy to committee")
    page.get_by_role("link", name="Edit note by Contributor Person").click()
    page.get_by_label("Evidence note", exact=True).fill("Sufficiency strategy endorsed on 14 Nov.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#notes")).to_contain_text("endorsed on 14 Nov")


@pytest.mark.parametrize("javascript", [True, False])
def test_due_change_with_an_error_then_recovery(browser, live_server, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    sign_in_as(page, live_server, "editor")
    page.goto(live_server + "/actions/2.7")
    page.get_by_text("Change the due date").click()
    page.get_by_label("New due").fill("Soonish")
    page.get_by_label("Reason for the change").fill("QA capacity moved to audits")
    page.get_by_role("button", name="Change due").click()
    expect(page.get_by_text("'Soonish' is not a month and year").first).to_be_visible()
    expect(page.get_by_label("Reason for the change")).to_have_value("QA capacity moved to audits")
    page.get_by_label("New due").fill("Feb 2024")
    page.get_by_role("button", name="Change due").click()
    due = page.locator("#due")
    expect(due).to_contain_text("29 February 2024")
    expect(due).to_contain_text("Nov 2023 → Feb 2024")
    expect(due).to_contain_text("moved 1 time since")
    expect(due.locator(".badge-overdue")).to_have_count(0)  # 15 Dec 2023 is before the new due
    page.goto(live_server + "/?q=2.7")
    expect(page.locator("#card-2-7")).to_contain_text("was Nov 2023 · moved 1×")
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_impact_comment_with_an_error_then_recovery(browser, live_server, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    sign_in_as(page, live_server, "contributor")
    page.get_by_role("link", name="Outcomes").click()
    outcome = page.locator("article.outcome", has_text="Child protection enquiries are thorough")
    outcome.get_by_text("Add an impact comment").click()
    outcome.get_by_label("What changed for children?").fill("Plans reviewed sooner; fewer repeat plans.")
    outcome.get_by_role("button", name="Add comment").click()
    outcome = page.locator("article.outcome", has_text="Child protection enquiries are thorough")
    expect(outcome.get_by_text("Choose an impact rating.").first).to_be_visible()
    expect(outcome.get_by_label("What changed for children?")).to_have_value("Plans reviewed sooner; fewer repeat plans.")
    outcome.get_by_label("Emerging").check()
    outcome.get_by_role("button", name="Add comment").click()
    outcome = page.locator("article.outcome", has_text="Child protection enquiries are thorough")
    expect(outcome.locator(".impact-rating")).to_contain_text("Emerging")
    expect(outcome).to_contain_text("Plans reviewed sooner; fewer repeat plans.")
    outcome.get_by_role("link", name="2.7").click()
    expect(page.locator("main")).to_contain_text("Impact rating: Emerging")
    context.close()


def test_activity_page_lists_changes_and_links_to_cards(viewer_page, live_server, seeded_app):
    from sqlalchemy import select

    from board.services.evidence import add_note
    from models import Action, User, db

    with seeded_app.app_context():
        author = db.session.scalars(select(User).where(User.email == "contributor@example.org")).one()
        add_note(db.session.scalars(select(Action).where(Action.ref == "5.6")).one(),
                 "App tested with care leavers", None, author)
    viewer_page.get_by_role("link", name="What changed").click()
    viewer_page.get_by_label("Kind").select_option("note")
    viewer_page.get_by_role("button", name="Show").click()
    expect(viewer_page.locator("ol.activity li")).to_have_count(1)
    viewer_page.locator("ol.activity").get_by_role("link", name="5.6").click()
    expect(viewer_page.locator("#notes")).to_contain_text("App tested with care leavers")


def test_evidence_pages_have_no_serious_accessibility_problems(page, live_server, seeded_app):
    from sqlalchemy import select

    from board.services.evidence import add_impact_comment, add_note
    from models import Action, User, db

    with seeded_app.app_context():
        author = db.session.scalars(select(User).where(User.email == "contributor@example.org")).one()
        action = db.session.scalars(select(Action).where(Action.ref == "2.7")).one()
        add_note(action, "A note to show", "https://docs.example/a", author)
        add_impact_comment(action.outcome, "An impact comment", "clear", author)
    sign_in_as(page, live_server, "admin")
    for path in ("/actions/2.7", "/outcomes", "/activity"):
        page.goto(live_server + path)
        assert serious_violations(page) == [], path
