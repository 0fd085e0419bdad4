"""Committee papers in a real browser: the plan owner drafts, publishes and downloads the PDF; a
committee opens a link pinned to it; the report prints on A4 as its PDF does; completions signed off."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from board.services import publications
from board.services.board_view import current_plan
from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations
from tests.conftest import user_for
from tests.paper import check_a4_paper, printed_pages
from tests.quarter import NARRATIVE, QUARTER


@pytest.fixture
def seeded_app(quarter_app):
    """Every page here shows the quarter (tests/quarter.py), so papers have something to say."""
    return quarter_app


def _publish_quarter(app) -> None:
    with app.app_context():
        admin = user_for("admin")
        draft = publications.start_draft(current_plan(), *QUARTER, admin)
        draft = publications.save_draft(draft, admin, draft.version, start=QUARTER[0], end=QUARTER[1],
                                        words=NARRATIVE, area_commentary={})
        publications.publish(draft, admin, draft.version)


def test_the_plan_owner_drafts_publishes_and_downloads_the_pdf(page, live_server):
    sign_in_as(page, live_server, "admin")
    page.get_by_role("link", name="Committee papers").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Committee papers: published highlight reports")
    assert serious_violations(page) == []
    page.get_by_label("From").fill("2023-09-16")
    page.get_by_label("To").fill("2023-12-15")
    page.get_by_role("button", name="Start a draft").click()
    expect(page.locator("#flash")).to_contain_text("Draft started")
    page.get_by_label("Summary").fill("Three in four actions have started; eleven are complete.")
    page.get_by_label("Decisions needed").fill("Note the report.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#flash")).to_contain_text("Draft saved.")
    expect(page.locator(".paper-kind")).to_contain_text("Preview of a draft, not published")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("Published as publication 1, version 1")
    expect(page.locator(".paper-kind")).to_contain_text(
        "Publication 1, version 1: published on 15 December 2023 by Admin Person")
    expect(page.locator("article.report")).to_contain_text("Three in four actions have started; eleven are complete.")
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF of publication 1, version 1").click()
    assert download.value.suggested_filename == "highlight-report-1-version-1-2023-12-15.pdf"
    pages = printed_pages(Path(download.value.path()).read_bytes())
    assert "Three in four actions have started; eleven are complete." in pages[0].text


def test_a_committee_opens_a_link_pinned_to_a_publication(page, browser, live_server, seeded_app):
    _publish_quarter(seeded_app)
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/admin/links")
    page.get_by_label("Label").fill("Children and Families Committee, January")
    page.get_by_label("What it shows").select_option(label="Publication 1: 16 Sep 2023 to 15 Dec 2023")
    page.get_by_role("button", name="Create link").click()
    url = page.get_by_label("Read-only link").input_value()
    committee = browser.new_context()
    paper = committee.new_page()
    paper.goto(url)
    expect(paper.locator(".read-only-note")).to_have_text(re.compile(
        r"this link shows one publication as it was published, not the live board\.$"))
    expect(paper.locator(".paper-kind")).to_contain_text("Publication 1, version 1: published on 15 December 2023 "
                                                         "by Plan owner.")
    expect(paper.get_by_role("heading", name="Glossary: terms and short forms")).to_be_visible()
    expect(paper.locator("form")).to_have_count(0)
    assert serious_violations(paper) == []
    paper.get_by_role("link", name="The board as it was on 15 December 2023").click()
    expect(paper.get_by_role("heading", level=1)).to_have_text("The board as it was at the end of 15 December 2023")
    expect(paper.locator(".board-then li.card")).to_have_count(87)  # 2.1 only points at others: not counted
    assert serious_violations(paper) == []
    committee.close()


def test_the_report_prints_on_a4_as_its_pdf_does(page, live_server):
    sign_in_as(page, live_server, "viewer")
    page.goto(live_server + "/report?from=2023-09-16&to=2023-12-15")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Highlight report: 16 September 2023 to 15 December 2023")
    assert serious_violations(page) == []
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".trend-numbers")).to_be_hidden()
    pages = printed_pages(page.pdf(prefer_css_page_size=True))
    check_a4_paper(pages, "Live report, not published (as at 15 Dec 2023)")


def test_the_plan_owner_requires_and_gives_sign_off(page, live_server):
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/admin/plan")
    assert serious_violations(page) == []
    page.get_by_label(re.compile("Completions need my sign-off")).check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#flash")).to_contain_text("Completions now need your sign-off.")
    page.goto(live_server + "/?view=detailed&area=1")
    page.get_by_role("link", name="Update status of 1.4", exact=True).click()
    page.get_by_label("New status for 1.4").select_option("complete")
    page.get_by_label("What shows it is done?").fill("Recruitment completed: four workers in post")
    page.get_by_role("button", name="Update status", exact=True).click()
    card = page.locator("#card-1-4")
    expect(card).to_contain_text("Complete, awaiting sign-off")
    card.get_by_role("link", name="Skip").click()  # no reason: the lane is free to refresh
    expect(card.get_by_role("link", name="Skip")).to_have_count(0)
    card.get_by_role("link", name="Action 1.4", exact=True).click()
    page.get_by_role("button", name="Sign off 1.4 as complete").click()
    expect(page.locator("#completion")).to_contain_text("Signed off by the plan owner on 15 December 2023.")
    expect(page.locator("#card-1-4")).not_to_contain_text("awaiting sign-off")
