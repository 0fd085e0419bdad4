"""The plan owner's overview in a real browser (the report's print: test_publications_browser.py)."""
import re

from playwright.sync_api import expect

from board.services.moves import move_action
from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations
from tests.conftest import action_by_ref, user_for


def test_an_overview_number_lands_on_the_right_filtered_board(page, live_server, seeded_app):
    with seeded_app.app_context():
        move_action(action_by_ref("3.5"), "amber", 0, 1, user_for("editor"))
        move_action(action_by_ref("3.6"), "amber", 0, 1, user_for("editor"))
    sign_in_as(page, live_server, "admin")
    page.get_by_role("link", name="Overview").click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="2 Amber in area 3").click()
    expect(page).to_have_url(re.compile(r"/\?area=3&status=amber$"))
    expect(page.locator("li.card")).to_have_count(2)
    expect(page.locator("#board-totals")).to_contain_text("2 of 87 actions shown")
    page.go_back()
    page.get_by_role("link", name="Red and Amber on the board").click()
    expect(page.locator("li.card")).to_have_count(2)
