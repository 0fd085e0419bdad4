"""Importing the plan from a spreadsheet in a real browser: download, edit, upload, preview, confirm."""
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import serious_violations
from tests.sheets import edit_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _add_action(workbook):
    sheet = workbook["Actions"]
    sheet.append([9, "Quality Assurance", "Audits lead to better practice", "9.9", "Re-audit 20 plans in January",
                  "Audit Officer\nHead of Youth Justice", "Jan 2024", "Amber"])


def test_download_edit_upload_preview_and_confirm(page, live_server, tmp_path):
    sign_in_as(page, live_server, "admin")
    page.get_by_role("link", name="Import plan").click()
    expect(page.get_by_role("heading", name="Import the plan from a spreadsheet")).to_be_visible()
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="This plan as a spreadsheet (.xlsx)").click()
    exported = Path(download.value.path()).read_bytes()

    page.get_by_label("Plan file").set_input_files(
        {"name": "plan.xlsx", "mimeType": XLSX, "buffer": edit_workbook(exported, _add_action)})
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Check the import of plan.xlsx")).to_be_visible()
    expect(page.locator(".import-counts")).to_contain_text("1 new action: 9.9")
    expect(page.locator(".import-counts")).to_contain_text("88 actions unchanged")
    expect(page.locator(".new-roles")).to_have_text("Head of Youth Justice")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Import and update the plan").click()
    expect(page.locator("#flash")).to_contain_text("Imported plan.xlsx: 1 action added, 0 changed")
    page.goto(live_server + "/actions/9.9")
    expect(page.get_by_text("Re-audit 20 plans in January").first).to_be_visible()


def test_a_file_with_problems_is_shown_cell_by_cell(page, live_server):
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/import-plan")
    with page.expect_download() as download:
        page.get_by_role("link", name="This plan as a spreadsheet (.xlsx)").click()
    broken = edit_workbook(Path(download.value.path()).read_bytes(),
                           lambda workbook: workbook["Actions"].__setitem__("D14", "2.1a"))
    page.get_by_label("Plan file").set_input_files({"name": "plan.xlsx", "mimeType": XLSX, "buffer": broken})
    page.get_by_role("button", name="Preview the import").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("plan.xlsx was not imported: 1 problem")
    expect(problems.get_by_role("row", name="Actions!D14")).to_contain_text("Ref must be a reference like 2.7")
    assert serious_violations(page) == []


def _next_year(workbook):
    """Next year's plan from this one: retitled, its first action carried forward, the rest as they are."""
    workbook["Plan"]["B2"] = "Improvement and Impact Plan 2024-25"
    workbook["Actions"]["I2"] = "2023-24 1.1"


def test_a_spreadsheet_imported_as_a_new_plan_gets_its_own_board(page, live_server):
    sign_in_as(page, live_server, "admin")
    page.goto(live_server + "/import-plan")
    with page.expect_download() as download:
        page.get_by_role("link", name="This plan as a spreadsheet (.xlsx)").click()
    next_year = edit_workbook(Path(download.value.path()).read_bytes(), _next_year)

    page.get_by_label("Plan file").set_input_files({"name": "plan-2024-25.xlsx", "mimeType": XLSX, "buffer": next_year})
    page.get_by_role("radio", name="A new plan").check()
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("alert")).to_contain_text("Name of the new plan: Name the new plan, like 2024-25.")
    page.get_by_label("Plan file").set_input_files({"name": "plan-2024-25.xlsx", "mimeType": XLSX, "buffer": next_year})
    expect(page.get_by_role("radio", name="A new plan")).to_be_checked()
    page.get_by_label("Name of the new plan").fill("2024-25")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Check the import of plan-2024-25.xlsx")).to_be_visible()
    expect(page.locator(".lede")).to_contain_text("to become the new plan 2024-25")
    expect(page.get_by_role("heading", name="Carried from earlier plans")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("button", name="Import as the new plan 2024-25").click()
    expect(page).to_have_url(live_server + "/plans/2024-25/")
    expect(page.locator("#flash")).to_contain_text("Imported plan-2024-25.xlsx as the new plan 2024-25: 88 actions")
    expect(page.locator("#flash")).to_contain_text("2023-24 is archived (read-only).")
    expect(page.get_by_role("heading", name="Improvement and Impact Plan 2024-25", level=1)).to_be_visible()
