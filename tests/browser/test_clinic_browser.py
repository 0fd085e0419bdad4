"""A performance clinic from start to minutes, in a real browser."""
import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import serious_violations


def test_a_clinic_from_start_to_minutes(editor_page):
    page = editor_page
    page.get_by_role("link", name="Clinics").click()
    page.get_by_label("Chair").fill("Head of Service Care Leavers")
    page.get_by_label("Attendees").fill("SM Care Leavers\nIRO")
    page.get_by_label("5 Care leavers").check()
    page.get_by_role("button", name="Start clinic").click()
    expect(page).to_have_url(re.compile(r"/\?area=5$"))
    expect(page.get_by_role("region", name="Performance clinic in progress")).to_contain_text("You are taking part")
    page.get_by_role("link", name="Update status of 5.6", exact=True).click()
    page.get_by_label("New status for 5.6").select_option("red")
    page.get_by_role("button", name="Update status", exact=True).click()
    page.get_by_label(re.compile("Why Red")).fill("App supplier went into administration")
    page.get_by_role("button", name="Save reason").click()
    expect(page.locator("#announcer")).to_have_text("Reason saved for 5.6.")
    page.get_by_role("button", name="End clinic").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Performance clinic minutes")
    minutes = page.get_by_role("region", name="5 Care leavers")
    expect(minutes).to_contain_text("Moved from Not started to Red")
    expect(minutes).to_contain_text("App supplier went into administration")
    expect(minutes).to_contain_text("Editor Person")
    assert serious_violations(page) == []
    page.get_by_role("link", name="All clinics").click()
    expect(page.get_by_role("table")).to_contain_text("Ended")
