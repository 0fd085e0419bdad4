"""Next year's plan in the browser: choosing a plan, the archived one read-only, an action followed across
years, and the old plan's leftover actions closed together."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations
from tests.plans import carried_ref

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_owner(page, two_years, live_server):
    sign_in_as(page, live_server, "admin")
    return page


def test_the_plan_owner_opens_last_years_plan_from_plans_and_it_cannot_be_changed(plan_owner, live_server):
    page = plan_owner
    expect(page.locator(".plan-owner")).to_contain_text("Plan 2024-25 (live)")
    switcher = page.get_by_role("navigation", name="Switch plan")
    expect(switcher.get_by_role("link", name="2024-25")).to_have_attribute("aria-current", "page")
    expect(switcher).to_contain_text("2023-24 (archived)")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Plans").first.click()
    expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="2024-25").first).to_contain_text("Live")
    expect(rows.filter(has_text="2023-24").first).to_contain_text("Archived")
    assert serious_violations(page) == []

    page.get_by_role("link", name="2023-24", exact=True).click()
    expect(page).to_have_url(live_server + "/plans/2023-24/")
    expect(page.locator(".archived-banner")).to_contain_text("The 2023-24 plan is archived")
    expect(page.locator("li.card")).to_have_count(88)
    stylesheet = page.locator("link[rel=stylesheet]").get_attribute("href")
    assert stylesheet.startswith("/static/")  # one URL for every plan's pages: cached once
    # Nothing to drag and no Move to: the old plan is kept as it was.
    expect(page.locator("li.card[data-version]")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^Update status of"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Move"))).to_have_count(0)


def test_an_action_is_followed_from_last_year_to_this_year_with_its_history(plan_owner, live_server):
    page = plan_owner
    new_ref = carried_ref("1.3")
    page.goto(live_server + "/plans/2023-24/actions/1.3")
    closed = page.locator("dd", has=page.get_by_role("link", name=f"2024-25 {new_ref}"))
    expect(closed).to_contain_text("Carried forward to")
    page.get_by_role("link", name=f"2024-25 {new_ref}").first.click()
    expect(page).to_have_url(live_server + f"/plans/2024-25/actions/{new_ref}")
    expect(page.get_by_role("link", name="2023-24 1.3").first).to_be_visible()
    earlier = page.locator(".earlier-history")
    expect(earlier).to_contain_text("Recruitment to the team paused")
    expect(earlier).to_contain_text("Interim standards agreed with partners")
    assert serious_violations(page) == []


def test_leftover_actions_are_closed_together_and_a_missing_reason_keeps_the_choices(plan_owner, live_server):
    page = plan_owner
    page.goto(live_server + "/plans/2023-24/lineage")
    expect(page.get_by_role("heading", name="Lineage of 2023-24")).to_be_visible()
    page.get_by_role("checkbox", name=re.compile(r"^1\.2 ")).check()
    page.get_by_role("checkbox", name=re.compile(r"^1\.5 ")).check()
    page.get_by_label("How they end").select_option(label="Merged")
    page.get_by_role("button", name="Close these actions").click()
    # Refused with the reason in words; the ticks and the choice are kept.
    expect(page.get_by_role("link", name=re.compile("Say what they were merged into"))).to_be_visible()
    expect(page.get_by_label("Why, or what they were merged into")).to_have_accessible_description(
        re.compile("Say what they were merged into"))
    expect(page.get_by_role("checkbox", name=re.compile(r"^1\.2 "))).to_be_checked()
    expect(page.get_by_label("How they end")).to_have_value("merged")
    page.get_by_label("Why, or what they were merged into").fill("2024-25 1.1")
    page.get_by_role("button", name="Close these actions").click()
    went = page.locator("section[aria-labelledby=went-to] tr", has=page.get_by_role("link", name="1.2", exact=True))
    expect(went).to_contain_text("Closed: merged into 2024-25 1.1")
    expect(page.get_by_role("checkbox", name=re.compile(r"^1\.2 "))).to_have_count(0)
    assert serious_violations(page) == []
