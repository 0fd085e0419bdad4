"""What a person sees on the board in a real browser."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as


def test_board_shows_all_88_cards_in_nine_swimlanes(viewer_page):
    page = viewer_page
    expect(page.locator("li.card")).to_have_count(88)
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^\d+ "))).to_have_count(9)
    lane = page.locator("#area-2")
    expect(lane.get_by_role("list", name="Area 2, Not started: 21 actions")).to_be_visible()
    expect(page.get_by_role("link", name="Action 2.7", exact=True)).to_be_visible()


def test_clicking_a_card_opens_its_detail_in_a_panel(viewer_page, live_server):
    page = viewer_page
    page.get_by_role("link", name="Action 2.7", exact=True).click()
    panel = page.get_by_role("complementary", name="Action detail")
    expect(panel.get_by_role("heading", name=re.compile("Scrutinise the length"))).to_be_focused()
    expect(panel).to_contain_text("Child protection enquiries are thorough")
    expect(page).to_have_url(live_server + "/actions/2.7")
    panel.get_by_role("link", name=re.compile("2.6 Continue to improve")).click()
    expect(panel.get_by_role("heading", name=re.compile("Initial Child Protection Conferences"))).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_role("link", name="Action 2.6", exact=True)).to_be_focused()


def test_a_collapsed_swimlane_keeps_its_counts(viewer_page):
    page = viewer_page
    lane = page.locator("#area-4")
    lane.locator("summary").first.click()
    expect(lane.locator("li.card").first).to_be_hidden()
    expect(lane.locator("summary").first).to_contain_text("7 Not started")


def test_card_url_works_without_javascript(no_js_page, live_server):
    page = no_js_page
    sign_in_as(page, live_server)
    page.get_by_role("link", name="Action 2.1", exact=True).click()
    expect(page).to_have_url(live_server + "/actions/2.1")
    expect(page.get_by_role("heading", level=2, name=re.compile("See actions 1.5-1.8"))).to_be_visible()
    page.get_by_role("link", name=re.compile("^1.6 Increase the amount")).click()
    expect(page.get_by_role("heading", name=re.compile("Increase the amount of early help"))).to_be_visible()
    page.get_by_role("link", name="Back to the board").click()
    expect(page.locator("li.card")).to_have_count(88)
