"""Impact measures in a browser: an owner records and corrects a value (with htmx and without JavaScript),
the scorecard rates it in words, an outcome's page shows it, an admin adds and changes a measure, an admin
makes an API token that reads the plan until revoked, phones never scroll sideways, axe finds nothing."""
import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import KpiMeasure, OwnerRole, db
from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations
from tests.conftest import action_by_ref, user_for

SHOTS = os.environ.get("BOARD_SCREENSHOTS")  # a folder: save what the tests saw, to look at


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def owned(seeded_app):
    """The compliance measure, owned by the Principal Social Worker (the contributor), evidencing 7.4's outcome."""
    with seeded_app.app_context():
        measure = db.session.scalars(select(KpiMeasure).where(KpiMeasure.name == "Compliance measures achieved")).one()
        role = db.session.scalars(select(OwnerRole).where(OwnerRole.name == "Principal Social Worker")).one()
        measure.owner_roles, measure.tolerance = [role], 5
        measure.outcomes = [action_by_ref("7.4").outcome]
        user_for("contributor").owner_roles = [role]
        db.session.commit()
        return {"measure_id": measure.id, "outcome_id": action_by_ref("7.4").outcome_id}


def _record(page, period, value, source, reason=None):
    page.get_by_label("Period").fill(period)
    page.get_by_label("Value", exact=True).fill(value)
    page.get_by_label("Source", exact=True).fill(source)
    if reason:
        page.get_by_label("Why is it corrected?").fill(reason)
    page.get_by_role("button", name="Record value").click()


def test_an_owner_records_and_corrects_a_value_and_the_scorecard_rates_it(page, live_server, owned):
    sign_in_as(page, live_server, "contributor")
    page.get_by_role("link", name="Measures").first.click()
    page.get_by_role("link", name="Record a value for Compliance measures achieved").click()
    _record(page, "2023/24 Q2", "80", "Monthly compliance report")
    values = page.locator("#values")
    expect(values.get_by_role("row", name=re.compile(r"2023\/24 Q2 80% Red"))).to_be_visible()
    _record(page, "2023/24 Q3", "86", "Monthly compliance report")
    expect(values.get_by_role("row", name=re.compile(r"2023\/24 Q3 86% Amber"))).to_be_visible()
    _record(page, "2023/24 Q3", "92", "Corrected report")  # the period has a value: refused, not overwritten
    expect(page.locator("#value-error")).to_contain_text("already has the value 86")
    expect(page.get_by_label("Value", exact=True)).to_have_value("92")
    page.get_by_label("Why is it corrected?").fill("Late returns were missing")
    page.get_by_role("button", name="Record value").click()
    expect(values.get_by_role("row", name=re.compile(r"2023\/24 Q3 92% Green"))).to_be_visible()
    expect(values.get_by_text("Corrected: “Late returns were missing”")).to_be_visible()
    expect(values.locator(".measure-latest")).to_contain_text("Latest: 92% (2023/24 Q3) Green")
    page.get_by_text("Earlier values (1)").click()
    expect(values.get_by_text(re.compile("86% by Contributor Person"))).to_be_visible()
    _shot(page, "measure")
    page.goto(live_server + "/kpis")
    row = page.get_by_role("row", name=re.compile("^Compliance measures achieved"))
    expect(row.get_by_role("cell").nth(1)).to_contain_text("80% Red")
    expect(row).to_contain_text("Improving: up 12 points since 2023/24 Q2")
    expect(row.get_by_role("img", name=re.compile("Trend of Compliance measures achieved"))).to_be_visible()
    expect(page.get_by_text(re.compile("20 of 33 cases is 61%, not the 68% printed")).first).to_be_visible()
    _shot(page, "scorecard")
    assert serious_violations(page) == []
    page.goto(live_server + f"/outcomes/{owned['outcome_id']}")
    line = page.locator(".measure-line", has=page.get_by_role("link", name="Compliance measures achieved"))
    expect(line).to_contain_text(re.compile(r"92%\s+2023/24 Q3\s+Green"))
    assert serious_violations(page) == []


def test_recording_works_without_javascript(no_js_page, live_server, owned):
    page = no_js_page
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + f"/kpis/{owned['measure_id']}")
    _record(page, "Q2", "80", "Report")
    expect(page.get_by_text("Write the period like 2023/24 Q2.").first).to_be_visible()
    expect(page.get_by_label("Value", exact=True)).to_have_value("80")
    _record(page, "2023/24 Q2", "80", "Report")
    expect(page.locator("#flash")).to_contain_text("Compliance measures achieved: 2023/24 Q2 recorded.")
    page.get_by_role("link", name="Correct 2023/24 Q2").click()
    expect(page.get_by_role("heading", name="Correct 2023/24 Q2 (80%)")).to_be_visible()
    page.get_by_label("Value", exact=True).fill("82")
    page.get_by_label("Why is it corrected?").fill("Recount")
    page.get_by_role("button", name="Record value").click()
    expect(page.locator("#flash")).to_contain_text("2023/24 Q2 corrected.")
    expect(page.locator("#values").get_by_role("row", name=re.compile(r"2023\/24 Q2 82%"))).to_be_visible()


def test_measures_on_a_phone_never_scroll_sideways(browser, live_server, owned):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_as(page, live_server, "admin")
    for path in ("/kpis", f"/kpis/{owned['measure_id']}", "/admin/api-tokens"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert serious_violations(page) == [], path
    _shot(page, "api-tokens-phone")
    context.close()


def _fill_measure(page, name, target, tolerance):
    page.get_by_label("Measure", exact=True).fill(name)
    page.get_by_label("Unit", exact=True).select_option(label="A percentage")
    page.get_by_label("Which way is better").select_option(label="Higher is better")
    page.get_by_label("Target (optional)").fill(target)
    page.get_by_label("Tolerance (optional)").fill(tolerance)
    page.get_by_label("Frequency", exact=True).select_option(label="Monthly")


def test_an_admin_adds_a_measure_for_an_owner_and_changes_its_target(page, live_server):
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/kpis")
    adding = page.locator("section", has=page.get_by_role("heading", name="Add a measure"))
    _fill_measure(adding, "", "95", "5")
    adding.get_by_role("button", name="Add measure").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text("Name the measure.")
    expect(page.get_by_label("Target (optional)")).to_have_value("95")  # nothing typed is lost
    adding = page.locator("section", has=page.get_by_role("heading", name="Add a measure"))
    adding.get_by_label("Measure", exact=True).fill("Supervision within 6 weeks")
    owners = adding.get_by_role("group", name="Owner roles (who records its values)")
    owners.get_by_text("Choose (0 chosen)").click()
    owners.get_by_label("Principal Social Worker").check()
    adding.get_by_role("button", name="Add measure").click()
    expect(page.get_by_role("heading", name="Supervision within 6 weeks", level=1)).to_be_visible()
    expect(page.locator("#flash")).to_contain_text("Measure “Supervision within 6 weeks” added.")
    expect(page.locator(".measure-facts")).to_contain_text("Target 95% (higher is better, Amber within 5%)")
    expect(page.locator(".measure-facts")).to_contain_text("Principal Social Worker")
    changing = page.locator("section", has=page.get_by_role("heading", name="Change this measure"))
    changing.get_by_label("Target (optional)").fill("90")
    changing.get_by_role("button", name="Save measure").click()
    expect(page.locator("#flash")).to_contain_text("Measure “Supervision within 6 weeks” saved.")
    expect(page.locator(".measure-facts")).to_contain_text("Target 90% (higher is better, Amber within 5%)")
    assert serious_violations(page) == []
    page.get_by_role("link", name="All measures").click()
    monthly = page.get_by_role("region", name="Monthly measures")
    row = monthly.get_by_role("row", name=re.compile("^Supervision within 6 weeks"))
    expect(row).to_contain_text("Target 90%")
    expect(row).to_contain_text("No values yet")


def test_an_admin_creates_an_api_token_that_reads_the_plan_until_revoked(page, live_server):
    sign_in_as(page, live_server, "admin")
    page.get_by_role("link", name="API tokens").first.click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    page.get_by_label("Label").fill("Power BI performance dashboard")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Token created")).to_be_visible()
    token = page.get_by_label("API token").input_value()
    assert token.startswith("ipb_")
    row = page.get_by_role("row", name=re.compile("^Power BI performance dashboard"))
    expect(row).to_contain_text("Active")
    assert serious_violations(page) == []
    api = page.context.request  # no cookie of the signed-in admin counts: only the token
    plans = api.get(live_server + "/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
    assert plans.status == 200 and plans.json()["meta"]["total"] == 1
    page.goto(live_server + "/admin/api-tokens")
    expect(page.get_by_label("API token")).to_have_count(0)  # shown once
    expect(row.get_by_role("cell").nth(3)).to_contain_text("1")  # times used
    row.get_by_role("button", name="Revoke Power BI performance dashboard").click()
    expect(page.locator("#flash")).to_contain_text("The API token “Power BI performance dashboard” no longer works.")
    expect(row).to_contain_text("Revoked")
    assert api.get(live_server + "/api/v1/plans", headers={"Authorization": f"Bearer {token}"}).status == 401
