"""The plan owner's overview and the exports."""
import csv
import io
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from board.services.evidence import add_note
from board.services.moves import move_action, record_reason
from board.services.overview import build_overview
from board.services.plan_import import import_plan
from board.services.report import build_report
from models import Action, Area, Plan, Status, db
from tests.conftest import action_by_ref, user_for
from tests.pages import page_of
from tests.plans import generated_plan, seed_plan

TODAY = date(2023, 12, 15)
STATUS_CYCLE = ["not_started", "red", "amber", "green", "complete", "green", "amber"]


def test_overview_numbers_equal_the_database(app):
    with app.app_context():
        import_plan(generated_plan(areas=4, actions_per_area=12))
        for index, action in enumerate(db.session.scalars(select(Action).order_by(Action.id))):
            action.status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
        db.session.commit()
        plan = db.session.scalars(select(Plan)).one()
        overview = build_overview(plan, TODAY)
        expected = Counter()
        for number, status, count in db.session.execute(
                select(Area.number, Action.status, func.count()).join(Area).group_by(Area.number, Action.status)):
            expected[(number, status)] = count
        for row in overview.rows:
            for status in Status:
                assert row.counts[status] == expected[(row.area.number, status.value)]
            assert row.total == 12
        complete = db.session.scalar(select(func.count()).where(Action.status == "complete"))
        assert overview.totals[Status.COMPLETE] == complete
        assert overview.complete_percent == round(100 * complete / 48)


def test_overview_shows_latest_reason_or_evidence_and_due_soon(ctx):
    moved = move_action(action_by_ref("2.7"), "red", 0, 1, user_for("editor"))
    record_reason(moved.event, "QA schedule slipped", user_for("editor"))
    move_action(action_by_ref("3.4"), "amber", 0, 1, user_for("editor"))
    add_note(action_by_ref("3.4"), "Report drafted for committee", None, user_for("contributor"))
    plan = db.session.scalars(select(Plan)).one()
    overview = build_overview(plan, TODAY)
    exceptions = [line for group in build_report(plan, TODAY, TODAY).exceptions for line in group.lines + group.more]
    words = {line.ref: line.latest for line in exceptions if line.status in ("red", "amber")}
    assert words == {"2.7": "QA schedule slipped", "3.4": "Report drafted for committee"}
    assert {card.ref for card, _ in overview.due_soon} == {"1.9", "2.15", "2.19", "4.1", "5.9", "6.1", "6.2", "8.3"}
    past_due = db.session.scalar(select(func.count()).where(Action.due_date < TODAY, Action.status != "complete"))
    assert overview.overdue == past_due == 29


def test_every_overview_number_links_to_exactly_those_cards(seeded_app, client_for):
    with seeded_app.app_context():
        move_action(action_by_ref("2.7"), "red", 0, 1, user_for("editor"))
        move_action(action_by_ref("2.6"), "red", 0, 1, user_for("editor"))
    viewer = client_for("viewer")
    overview = page_of(viewer.get("/overview"))
    cell = overview.link("2 Red in area 2")
    assert cell == "/?area=2&status=red", "the area 2 / Red cell links to its filter"
    assert overview.link_text(cell) == "2", "the area 2 / Red cell shows 2"
    assert sorted(page_of(viewer.get(cell)).card_refs()) == ["2.6", "2.7"]
    overdue = overview.link_text("/?overdue=1")
    shown = page_of(viewer.get("/?overdue=1")).card_refs()
    assert overdue.isdigit() and len(shown) == int(overdue)
    assert "Exceptions: Red, Amber, overdue and stale (29)" in overview.headings()  # both Red ones are overdue too


def test_csv_export_has_every_action_and_opens_in_excel(seeded_app, client_for):
    response = client_for("viewer").get("/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Area", "Ref", "Intended outcome", "Action"]
    assert [row[1] for row in rows[1:]][:3] == ["1.1", "1.2", "1.3"] and len(rows) == 89
    by_ref = {row[1]: row for row in rows[1:]}
    assert by_ref["7.1"][5:8] == ["March 24", "March 24", "2024-03-31"]
    assert by_ref["1.1"][13] == "Yes" and by_ref["1.7"][8] == "Weekly"
    assert "with children's social care" in by_ref["1.1"][3]  # apostrophes survive the round trip


def test_exports_follow_the_board_filters(client_for):
    viewer = client_for("viewer")
    rows = list(csv.reader(io.StringIO(viewer.get("/export.csv?area=2").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 22 and all(row[1].startswith("2.") for row in rows[1:])


def test_xlsx_export_with_widths_and_a_neutralised_formula(seeded_app, client_for):
    plan = seed_plan()
    plan["areas"][0]["outcomes"][0]["actions"][0]["text"] = '=HYPERLINK("http://evil.example","click")'
    plan["areas"][0]["outcomes"][0]["actions"][1]["text"] = "@SUM(1,2)"
    with seeded_app.app_context():
        import_plan(plan)
        add_note(action_by_ref("1.3"), "+44 7700 900000 called back", None, user_for("contributor"))
    viewer = client_for("viewer")
    workbook = load_workbook(io.BytesIO(viewer.get("/export.xlsx").data))
    sheet = workbook["Actions"]
    assert sheet.max_row == 89 and sheet["B2"].value == "1.1"
    assert sheet["D2"].value == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert sheet["D3"].value == "'@SUM(1,2)"
    assert sheet["M4"].value == "'+44 7700 900000 called back"
    assert sheet.column_dimensions["D"].width == 60 and sheet.freeze_panes == "C2"
    assert sheet["A1"].font.bold
    csv_text = viewer.get("/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text and "\n1 Early intervention and prevention,1.1," in csv_text.replace("\r", "")


@pytest.mark.parametrize("path", ["/overview", "/export.csv", "/export.xlsx"])
def test_reports_need_sign_in(anon_client, path):
    assert anon_client.get(path).status_code == 302
