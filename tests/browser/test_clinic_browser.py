"""A performance clinic from start to minutes, and the next clinic, in a real browser."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations

NOTE = "Care leavers app: the supplier went into administration"
ARISING = "Find a new supplier for the care leavers app"


def _start_clinic_for_care_leavers(page) -> None:
    page.get_by_role("link", name="Clinics", exact=True).click()
    page.get_by_label("Chair").select_option(label="Editor Person")
    page.get_by_label("Attendees").fill("SM Care Leavers\nIRO")
    page.get_by_label("5 Care leavers").check()
    page.get_by_role("button", name="Start clinic").click()
    expect(page).to_have_url(re.compile(r"/\?area=5$"))


def _move_as_someone_not_taking_part(page, live_server) -> None:
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/?area=5")
    expect(page.get_by_role("region", name="Performance clinic in progress: area 5")).not_to_contain_text(
        "You are taking part")
    page.get_by_role("link", name="Update status of 5.6", exact=True).click()
    page.get_by_label("New status for 5.6").select_option("red")
    page.get_by_role("button", name="Update status", exact=True).click()
    page.get_by_label(re.compile("Why Red")).fill("App supplier went into administration")
    page.get_by_role("button", name="Save reason").click()
    expect(page.locator("#announcer")).to_have_text("Reason saved for 5.6.")


def test_a_clinic_from_start_to_minutes_and_what_the_next_one_carries(browser, live_server):
    chair_context, mover_context = browser.new_context(), browser.new_context()
    chair, mover = chair_context.new_page(), mover_context.new_page()
    sign_in_as(chair, live_server, "editor")
    _start_clinic_for_care_leavers(chair)
    banner = chair.get_by_role("region", name="Performance clinic in progress: area 5")
    expect(banner).to_contain_text("You are taking part")
    banner.get_by_role("link", name=re.compile("Clinic page")).click()

    note_form = chair.get_by_role("form", name="Add a note")
    note_form.get_by_label("Note").fill(NOTE)
    note_form.get_by_role("button", name="Add note").click()
    expect(chair.locator("#announcer")).to_have_text("Note added to the minutes.")
    arising_form = chair.get_by_role("form", name="Add an action arising")
    arising_form.get_by_label("Action arising").fill(ARISING)
    arising_form.get_by_label("Who (a person with an account)").select_option(label="Contributor Person")
    arising_form.get_by_label("By when").fill("2024-01-31")
    arising_form.get_by_role("button", name="Add action arising").click()
    expect(chair.get_by_role("region", name="Actions arising")).to_contain_text(ARISING)
    assert serious_violations(chair) == []

    _move_as_someone_not_taking_part(mover, live_server)

    chair.get_by_role("button", name="End clinic").click()
    expect(chair.get_by_role("heading", level=1)).to_contain_text("Performance clinic minutes")
    expect(chair.get_by_role("region", name="Notes")).to_contain_text(NOTE)
    expect(chair.get_by_role("region", name="Actions arising")).to_contain_text(
        re.compile(f"{ARISING}.*Contributor Person.*31 January 2024.*Open", re.DOTALL))
    moves = chair.get_by_role("region", name="5 Care leavers")
    expect(moves).to_contain_text("Moved from Not started to Red")
    expect(moves).to_contain_text("Admin Person")
    expect(moves).to_contain_text("App supplier went into administration")
    expect(chair.get_by_role("form", name="Add a note")).to_have_count(0)  # the minutes are closed
    assert serious_violations(chair) == []

    _start_clinic_for_care_leavers(chair)
    banner = chair.get_by_role("region", name="Performance clinic in progress: area 5")
    expect(banner.get_by_role("heading", name="Carried from the last clinic")).to_be_visible()
    expect(banner).to_contain_text(f"{ARISING}: Contributor Person, by 31 January 2024")
    banner.get_by_role("link", name=re.compile("Clinic page")).click()
    carried = chair.get_by_role("region", name="Carried from the last clinic").get_by_role(
        "row", name=re.compile(ARISING))
    expect(carried).to_contain_text("Open")
    carried.get_by_role("button", name="Mark done").click()
    expect(chair.locator("#announcer")).to_have_text("Marked done.")
    expect(chair.get_by_role("region", name="Carried from the last clinic")).to_contain_text("Done: Editor Person")
    chair_context.close()
    mover_context.close()
