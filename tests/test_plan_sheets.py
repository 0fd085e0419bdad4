"""Plan spreadsheets: the template, the round trip through Excel, real trackers, and every problem at its cell."""
from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given, settings
from openpyxl import load_workbook
from sqlalchemy import func, select

from board.services.due import parse_due
from board.services.plan_data import plan_as_data
from board.services.plan_file import PlanFileInvalid, validate_plan
from board.services.plan_import import import_plan
from board.services.plan_sheet import COLUMNS, EXAMPLE, plan_csv, plan_workbook
from board.services.plan_sheet_reader import MAX_ROWS, read_spreadsheet
from board.services.plan_upload import complete_from_plan, preview_import, read_upload
from models import Action, ActionEvent, AuditEntry, EvidenceNote, Outcome, OwnerRole, Plan, db
from tests.conftest import FUZZ_EXAMPLES, action_by_ref, make_app
from tests.databases import copy_database
from tests.plan_strategies import valid_plans
from tests.plans import seed_plan
from tests.sheets import (
    edit_workbook,
    long_csv,
    long_workbook,
    messy_tracker,
    with_cached_values,
    with_extra_parts,
    zip_bomb,
)


def _actions(data: dict) -> list[tuple]:
    """Every action with its place: area number and title, outcome, ref, text, owners in order, due."""
    return [(area["number"], area["title"], outcome["text"], action["ref"], action["text"], action["owners"],
             action["due"]) for area in data["areas"] for outcome in area["outcomes"] for action in outcome["actions"]]


def _entries(data: dict):
    for area in data["areas"]:
        for outcome in area["outcomes"]:
            for action in outcome["actions"]:
                yield area, outcome, action


def _header(data: dict) -> tuple:
    return (data["title"], data["organisation"], data["period"], data["objective"], data["plan_owner"])


# --- the round trip -------------------------------------------------------------------------------------

def test_the_seed_written_as_a_workbook_reads_back_as_the_same_plan():
    seed = seed_plan()
    read = read_spreadsheet(plan_workbook(seed), "plan.xlsx")
    assert read.problems == []
    assert _actions(read.data) == _actions(seed) and len(_actions(seed)) == 88
    assert _header(read.data) == _header(seed)
    assert [a["overall_effectiveness"] for a in read.data["areas"]] == [a["overall_effectiveness"] for a in seed["areas"]]


def test_the_seed_written_as_csv_reads_back_as_the_same_plan():
    seed = seed_plan()
    read = read_spreadsheet(plan_csv(seed).encode("utf-8"), "plan.csv")
    assert read.problems == [] and _actions(read.data) == _actions(seed) and _header(read.data) == _header(seed)


def test_the_exported_plan_imports_back_as_an_update_that_changes_nothing(ctx, client_for, tmp_path):
    from board.services import evidence
    from board.services.moves import move_action
    from tests.conftest import user_for

    action = action_by_ref("2.7")
    move_action(action, "amber", 0, action.version, user_for("editor"))
    evidence.add_note(action, "Dip sample of 20 plans", None, user_for("editor"))
    history = db.session.scalar(select(func.count(ActionEvent.id)))
    response = client_for("viewer").get("/plan.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    plan = db.session.scalars(select(Plan)).one()
    summary = import_plan(read_upload(response.data, "plan.xlsx", plan).data, plan=plan)
    assert not summary.changed
    assert action_by_ref("2.7").status == "amber"
    assert db.session.scalar(select(func.count(ActionEvent.id))) == history
    assert db.session.scalar(select(func.count(EvidenceNote.id))) == 1
    sheet = load_workbook(io.BytesIO(response.data))["Actions"]
    assert [cell.value for cell in sheet[1]] == [column.heading for column in COLUMNS]
    row = next(row for row in sheet.iter_rows(values_only=True) if row[3] == "2.7")
    assert row[7] == "Amber"


def test_an_edited_export_updates_texts_adds_actions_and_keeps_statuses(ctx, client_for, tmp_path):
    from board.services.moves import move_action
    from tests.conftest import user_for

    action = action_by_ref("1.2")
    move_action(action, "green", 0, action.version, user_for("editor"))
    exported = client_for("admin").get("/plan.xlsx").data

    def edit(workbook):
        sheet = workbook["Actions"]
        row = next(r for r in sheet.iter_rows(min_row=2) if r[3].value == "1.2")
        row[4].value = "Develop performance reporting for the family help service, monthly."
        row[7].value = "Red"  # the board's status wins
        sheet.append([9, "Quality Assurance", "A new outcome", "9.9", "A new action", "Audit Officer", "Mar 2024",
                      "Amber"])

    edited = edit_workbook(exported, edit)
    plan = db.session.scalars(select(Plan)).one()
    upload = read_upload(edited, "plan.xlsx", plan)
    preview = preview_import(upload.data, plan)
    assert preview.added == ["9.9"] and preview.changed == [("1.2", ["text"])]
    assert preview.statuses_kept == [("1.2", "Red", "Green")] and preview.new_statuses == [("Amber", 1)]
    summary = import_plan(upload.data, plan=plan)
    assert summary.actions_added == 1 and summary.actions_updated == ["1.2"]
    assert action_by_ref("1.2").status == "green"
    assert action_by_ref("1.2").text.endswith("monthly.")
    assert action_by_ref("9.9").status == "amber"
    assert plan.header["pillars"] == seed_plan()["pillars"]  # what a spreadsheet cannot say is kept
    seed_parts = next(x["parts"] for _, _, x in _entries(seed_plan()) if x["ref"] == "2.10")
    assert action_by_ref("2.10").parts == seed_parts


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(plan=valid_plans())
def test_any_valid_plan_reads_back_from_its_workbook(plan):
    read = read_spreadsheet(plan_workbook(plan), "plan.xlsx")
    assert read.problems == []
    written = sorted((x["ref"], x["text"].strip(), " ".join(x["due"].split())) for _, _, x in _entries(plan))
    assert sorted((x["ref"], x["text"], " ".join(x["due"].split())) for _, _, x in _entries(read.data)) == written
    # A pointer listed only in "see_also" (not "See actions ..." in its text) has no column in a spreadsheet.
    if not any("see_also" in x for _, _, x in _entries(plan)):
        assert validate_plan(complete_from_plan(read.data, None)) == []


# --- real trackers -----------------------------------------------------------------------------------------

def test_a_hand_made_tracker_reads_with_the_right_structure(tmp_path, users_template):
    read = read_spreadsheet(messy_tracker(), "tracker.xlsx")
    assert read.problems == []
    data = read.data
    assert data["title"] == "Youth Justice Improvement Plan" and data["organisation"] == "Example Borough Council"
    structure = [(a["number"], a["title"], [(o["text"], [x["ref"] for x in o["actions"]]) for o in a["outcomes"]])
                 for a in data["areas"]]
    assert structure == [
        (1, "Prevention", [("Fewer first-time entrants", ["1.1", "1.2"]), ("Families get help early", ["1.3"])]),
        (2, "Custody", [("Fewer children remanded", ["2.1", "2.10", "2.3"])]),
    ]
    actions = {action["ref"]: action for _, _, action in _entries(data)}
    assert actions["1.1"]["owners"] == ["Head of Youth Justice", "Prevention Manager"]
    assert actions["1.1"]["text"] == "Run a diversion panel"
    assert actions["1.2"]["owners"] == ["Prevention Manager", "Police Inspector"]
    assert actions["1.3"]["owners"] == ["Head of Early Help", "Hub manager"]
    assert actions["2.10"]["owners"] == ["Bail Officer"]
    assert [actions[r]["due"] for r in ("1.1", "1.2", "1.3", "2.1", "2.10")] == [
        "Oct 2023 Oct 2023", "Jan 2024", "Quarterly from Nov 2023", "Ongoing", "TBC"]
    assert actions["1.2"]["status"] == "amber" and actions["2.1"]["status"] == "red"
    assert actions["2.3"]["text"] == "See actions 1.1-1.2"  # the formula's saved value, never evaluated

    app = make_app(tmp_path, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(users_template, tmp_path))
    with app.app_context():
        import_plan(read_upload(messy_tracker(), "tracker.xlsx", None).data)
        assert action_by_ref("1.1").due_date == date(2023, 10, 31)
        assert action_by_ref("1.2").due_date == date(2024, 1, 31) and action_by_ref("1.2").status == "amber"
        assert action_by_ref("1.3").cadence == "quarterly"
        assert (action_by_ref("2.1").due_date, action_by_ref("2.1").cadence) == (None, None)
        assert action_by_ref("2.3").see_also == ["1.1", "1.2"]
        assert db.session.scalar(select(func.count(Outcome.id))) == 3


@pytest.mark.parametrize(("text", "when", "cadence", "reading"), [
    ("Oct 2023 Oct 2023", date(2023, 10, 31), None, "31 Oct 2023"),
    ("2024-01-15 2024-01-15", date(2024, 1, 15), None, "15 Jan 2024"),
    ("Quarterly from Nov 2023", None, "quarterly", "Quarterly"),
    ("Ongoing", None, None, "ongoing"),
    ("TBC", None, None, "to be confirmed"),
])
def test_dues_as_trackers_write_them(text, when, cadence, reading):
    due = parse_due(text)
    assert (due.text, due.date, due.cadence, due.reading) == (text, when, cadence, reading)


def test_a_due_of_two_different_months_is_still_refused():
    from board.services.due import DueNotUnderstood

    with pytest.raises(DueNotUnderstood):
        parse_due("Oct 2023 Nov 2023")


# --- problems, at their cells -------------------------------------------------------------------------------

def _broken_workbook() -> bytes:
    """The template filled in with one of every kind of mistake, each in a known cell."""
    raw = plan_workbook({"title": "Broken plan", "areas": []})

    def fill(workbook):
        actions = workbook["Actions"]
        rows = [
            [1, "Early help", "Families are helped early", "1.1", "Coproduce standards", "Head of Early Help", "Oct 2023"],
            [None, None, None, "1.1", "Duplicate ref", "Head of Early Help", "Nov 2023"],          # row 3
            [None, None, None, "1.2", "Bad due", "Head of Early Help", "Septembre 2023"],          # row 4
            [None, None, None, "1.3", "No owner", None, "Oct 2023"],                              # row 5
            [None, None, None, "1.4", "Odd status", "Head of Early Help", "TBC", "Purple"],       # row 6
            [None, None, None, "1.5", "See actions 1.9", None, None],                             # row 7
            ["one", "Bad area", "Outcome", "3.1", "Text", "Owner", "TBC"],                        # row 8
            [2, "Help and protection", None, "2.1", "No outcome", "Owner", "TBC"],                # row 9
            [1, "Early help, retitled", "Families are helped early", "1.6", "Text", "Owner", "TBC"],  # row 10
            [None, None, None, "2.1a", "Bad ref", "Owner", "TBC", None, "1.4"],                   # row 11
            [None, None, None, "1.7", None, "Owner", "TBC"],                                      # row 12
        ]
        for row in rows:
            actions.append(row)
        actions["E13"] = "=1+1"
        actions["D13"], actions["F13"], actions["G13"] = "1.8", "Owner", "TBC"
        plan = workbook["Plan"]
        plan["B2"] = "   "
        plan.append(["Budget", "£1m"])

    return edit_workbook(raw, fill)


EXPECTED_PROBLEMS = {
    "Actions!D3": "Ref: duplicate of 1.1 (first at Actions!D2)",
    "Actions!G4": "Due: 'Septembre 2023' is not a month and year",
    "Actions!F5": "Owners must not be empty",
    "Actions!H6": "Status must be one of Not started, Red, Amber, Green, Complete, not 'Purple'",
    "Actions!E7": "Action points to action 1.9, which is not in the plan",
    "Actions!A8": "Area number must be a whole number from 1 to 999, not 'one'",
    "Actions!C9": "Intended outcome missing: the first row of an area needs its intended outcome",
    "Actions!B10": "Area title differs from the title of area 1 at Actions!B2 ('Early help')",
    "Actions!D11": "Ref must be a reference like 2.7, not '2.1a'",
    "Actions!I11": "Carried from must name the earlier plan and its ref",
    "Actions!E12": "Action must not be empty",
    "Actions!E13": "holds a formula whose value was never saved",
    "Plan!A8": "Field: 'Budget' is not a field of the plan",
    "Plan!B2": "Title must not be empty",
}


def _problems(refused: PlanFileInvalid) -> dict[str, str]:
    return {problem.path: problem.message for problem in refused.problems}


def test_every_kind_of_problem_is_reported_at_its_cell():
    with pytest.raises(PlanFileInvalid) as refused:
        read_upload(_broken_workbook(), "broken.xlsx", None)
    found = _problems(refused.value)
    for cell, words in EXPECTED_PROBLEMS.items():
        assert cell in found, (cell, found)
        assert found[cell].startswith(words) or words in found[cell], (cell, found[cell])
    assert set(found) == set(EXPECTED_PROBLEMS), sorted(set(found) - set(EXPECTED_PROBLEMS))


def _snapshot():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Action, ActionEvent, Outcome, OwnerRole, AuditEntry)) + (
        db.session.scalars(select(Plan.title)).all(),)


def test_a_refused_spreadsheet_writes_nothing_from_the_command_line(seeded_app, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(_broken_workbook())
    with seeded_app.app_context():
        before = _snapshot()
    result = seeded_app.test_cli_runner().invoke(args=["import-plan", str(path), "--plan", "2023-24"])
    assert result.exit_code == 1
    assert f"Refused {path}: {len(EXPECTED_PROBLEMS)} problem(s), nothing imported." in result.output
    assert "Actions!D11: Ref must be a reference like 2.7, not '2.1a'" in result.output
    with seeded_app.app_context():
        assert _snapshot() == before


def test_the_command_line_imports_a_csv_and_an_xlsx_through_the_same_reader(seeded_app, tmp_path):
    with seeded_app.app_context():
        data = plan_as_data(db.session.scalars(select(Plan)).one())
    data["areas"][0]["outcomes"][0]["actions"][0]["text"] = "Coproduce a set of standards, reworded."
    (tmp_path / "plan.csv").write_text(plan_csv(data), encoding="utf-8")
    runner = seeded_app.test_cli_runner()
    result = runner.invoke(args=["import-plan", str(tmp_path / "plan.csv"), "--plan", "2023-24"])
    assert result.exit_code == 0, result.output
    assert "Actions updated: 1.1" in result.output
    (tmp_path / "plan.xlsx").write_bytes(plan_workbook(data))
    again = runner.invoke(args=["import-plan", str(tmp_path / "plan.xlsx"), "--plan", "2023-24"])
    assert again.exit_code == 0 and "Nothing changed" in again.output
    with seeded_app.app_context():
        assert action_by_ref("1.1").text == "Coproduce a set of standards, reworded."
        plan = db.session.scalars(select(Plan)).one()
        assert plan.header["performance"] == seed_plan()["performance"]
        assert [a.overall_effectiveness for a in plan.areas] == [a["overall_effectiveness"]
                                                                for a in seed_plan()["areas"]]


# --- hostile and odd files -----------------------------------------------------------------------------------

def _refusal(raw: bytes, name: str) -> str:
    with pytest.raises(PlanFileInvalid) as refused:
        read_upload(raw, name, None)
    return " ".join(str(problem) for problem in refused.value.problems)


def test_a_sheet_of_100000_rows_is_refused_with_a_message():
    assert f"more than {MAX_ROWS:,} rows" in _refusal(long_csv(100_000), "long.csv")
    assert f"more than {MAX_ROWS:,} rows" in _refusal(long_workbook(MAX_ROWS + 1), "declared.xlsx")


def test_a_file_of_10_mb_is_refused_from_the_command_line(seeded_app, tmp_path):
    path = tmp_path / "big.xlsx"
    with path.open("wb") as file:
        file.truncate(10 * 1024 * 1024)
    result = seeded_app.test_cli_runner().invoke(args=["import-plan", str(path), "--plan", "2023-24"])
    assert result.exit_code == 1 and "larger than 5 MB" in result.output


def test_hostile_workbooks_are_refused_or_read_safely():
    assert "unpacks to more than" in _refusal(zip_bomb(), "bomb.xlsx")
    assert "Excel 97-2003" in _refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xlsx")
    assert "not an Excel workbook" in _refusal(b"not a zip at all", "fake.xlsx")
    assert "not a plan file" in _refusal(b"x", "plan.docx")
    entities = (b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    assert "could not be read" in _refusal(
        with_extra_parts(plan_workbook(seed_plan()), {"xl/worksheets/sheet1.xml": entities}), "entities.xlsx")
    # Macros and a link to another workbook ride along unread: the plan is read, nothing is run or fetched.
    with_macros = with_extra_parts(plan_workbook(seed_plan()), {
        "xl/vbaProject.bin": b"\0" * 512, "xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert len(_actions(read_spreadsheet(with_macros, "macros.xlsx").data)) == 88


def test_formulas_are_read_as_their_saved_values():
    raw = edit_workbook(plan_workbook(seed_plan()), lambda wb: wb["Actions"].__setitem__("G2", '=TEXT(1,"x")'))
    read = read_spreadsheet(with_cached_values(raw, {"G2": "Nov 2023"}), "plan.xlsx")
    assert read.problems == [] and read.data["areas"][0]["outcomes"][0]["actions"][0]["due"] == "Nov 2023"


def test_a_new_plan_without_a_title_is_told_where_to_write_it():
    text = "Ref,Action,Intended outcome,Owners,Due\n1.1,Do it,Outcome,Lead,TBC\n"
    assert "Plan: Title missing (write it on the Plan sheet" in _refusal(text.encode(), "untitled.csv")


def test_a_windows_csv_with_semicolons_is_read():
    text = ("Title;Plan in Windows-1252\n\nArea number;Area title;Intended outcome;Ref;Action;Owners;Due\n"
            "1;Café;Outcome;1.1;Do it;Owner;TBC\n")
    read = read_spreadsheet(text.encode("cp1252"), "windows.csv")
    assert read.problems == [] and read.data["areas"][0]["title"] == "Café"


def test_a_table_without_area_columns_takes_each_area_from_the_ref():
    text = "Ref,Action,Intended outcome,Owner,Due date\n1.1,Do one,Outcome A,Lead,TBC\n2.1,Do two,Outcome B,Lead,TBC\n"
    read = read_spreadsheet(text.encode(), "plain.csv")
    assert [(a["number"], a["title"], [o["text"] for o in a["outcomes"]]) for a in read.data["areas"]] == [
        (1, "Area 1", ["Outcome A"]), (2, "Area 2", ["Outcome B"])]


# --- the template ----------------------------------------------------------------------------------------------

def test_the_templates_explain_each_column_with_an_example_from_the_seed(client):
    response = client.get("/plans/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Actions", "Plan", "Areas", "Guide"]
    assert [c.value for c in workbook["Actions"][1]] == [
        "Area number", "Area title", "Intended outcome", "Ref", "Action", "Owners", "Due", "Status", "Carried from"]
    assert [row[0].value for row in workbook["Plan"].iter_rows(min_row=2)] == [
        "Title", "Organisation", "Period", "Plan owner", "Plan owner's role", "Objective"]
    guide = {row[0]: row for row in workbook["Guide"].iter_rows(min_row=2, values_only=True)}
    assert set(guide) == {column.heading for column in COLUMNS} and all(row[2] for row in guide.values())
    seed_action = seed_plan()["areas"][0]["outcomes"][0]["actions"][1]
    assert (guide["Ref"][3], guide["Action"][3], guide["Owners"][3].split("\n"), guide["Due"][3]) == (
        seed_action["ref"], seed_action["text"], seed_action["owners"], seed_action["due"])
    assert EXAMPLE["outcome"] == seed_plan()["areas"][0]["outcomes"][0]["text"]
    csv_template = client.get("/plans/template.csv")
    assert csv_template.mimetype == "text/csv"
    assert "Area number,Area title,Intended outcome,Ref,Action,Owners,Due,Status,Carried from" in csv_template.text


def test_templates_and_the_plan_export_need_a_sign_in(anon_client):
    for path in ("/plans/template.xlsx", "/plans/template.csv", "/plan.xlsx", "/plan.csv", "/import-plan"):
        assert anon_client.get(path).status_code in (302, 303), path


def test_text_like_a_formula_stays_text_in_the_workbook():
    data = seed_plan()
    data["areas"][0]["outcomes"][0]["actions"][0]["text"] = "=HYPERLINK(\"http://evil.example\")"
    raw = plan_workbook(data)
    cell = load_workbook(io.BytesIO(raw))["Actions"]["E2"]
    assert cell.data_type == "s"
    assert read_spreadsheet(raw, "p.xlsx").data["areas"][0]["outcomes"][0]["actions"][0]["text"].startswith("=")


def test_next_years_plan_round_trips_through_its_workbook_with_its_lineage(two_years):
    from tests.conftest import sign_in
    from tests.plans import next_year_plan

    admin = two_years.test_client()
    sign_in(admin, "admin")
    raw = admin.get("/plans/2024-25/plan.xlsx").data
    rows = list(load_workbook(io.BytesIO(raw))["Actions"].iter_rows(min_row=2, values_only=True))
    carried = {action["ref"]: f"{action['carried_from']['plan']} {action['carried_from']['ref']}"
               for _, _, action in _entries(next_year_plan()) if action.get("carried_from")}
    assert {row[3]: row[8] for row in rows if row[8]} == carried
    with two_years.app_context():
        plan = db.session.scalars(select(Plan).where(Plan.slug == "2024-25")).one()
        summary = import_plan(read_upload(raw, "plan.xlsx", plan).data, plan=plan)
        assert not summary.changed and summary.carried_forward == 0


def test_the_command_line_imports_a_spreadsheet_as_a_new_plan_carrying_actions_forward(seeded_app, tmp_path):
    with seeded_app.app_context():
        data = plan_as_data(db.session.scalars(select(Plan)).one())
    first = data["areas"][0]["outcomes"][0]["actions"][0]
    first["carried_from"] = {"plan": "2023-24", "ref": first["ref"]}
    (tmp_path / "next.xlsx").write_bytes(plan_workbook(data))
    result = seeded_app.test_cli_runner().invoke(args=["import-plan", str(tmp_path / "next.xlsx"), "--new",
                                                       "--slug", "2024-25"])
    assert result.exit_code == 0, result.output
    assert "Created plan 2024-25." in result.output and "Archived 2023-24 (read-only)" in result.output
    with seeded_app.app_context():
        new = db.session.scalars(select(Plan).where(Plan.slug == "2024-25")).one()
        carried = db.session.scalars(select(Action).where(Action.plan_id == new.id, Action.ref == first["ref"])).one()
        assert carried.carried_from_id is not None
        assert plan_as_data(new)["areas"][0]["outcomes"][0]["actions"][0]["carried_from"] == first["carried_from"]
