"""The plan spreadsheet: its columns and fields, the blank template, and a plan written as a filled one.

One workbook layout serves the template, the export and the import (plan_sheet_reader.py):
Actions (one row per action), Plan (the header fields), Areas (overall effectiveness) and a Guide.
A CSV holds the Actions table alone, with the header fields as "Field, value" rows above it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from board.services.exports import csv_text
from models import Status

ACTIONS_SHEET, PLAN_SHEET, AREAS_SHEET, GUIDE_SHEET = "Actions", "Plan", "Areas", "Guide"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    width: int
    explains: str
    # Other headings real trackers use for the same column (compared without case, spaces or punctuation).
    aliases: tuple[str, ...] = ()
    required: bool = True


COLUMNS = (
    Column("area_number", "Area number", 9,
           "The area's number, 1 to 999. Blank cells (or merged ones) below carry it down to the next number.",
           ("area no", "area num", "area #", "area ref", "no of area")),
    Column("area_title", "Area title", 28,
           "The area's title, once per area is enough: blank cells carry it down.", ("area name", "theme")),
    Column("outcome", "Intended outcome", 50,
           "The intended impact the action serves. Blank (or merged) cells carry it down within the area; "
           "rows with the same outcome in one area share it.",
           ("outcome", "outcomes", "intended outcomes", "intended impact", "impact", "intended impact outcome")),
    Column("ref", "Ref", 8,
           "The action's reference: the area number, a dot and a number (2.7, 2.10), unique in the plan. "
           "An existing ref updates that action; a new ref adds one.",
           ("reference", "ref no", "action ref", "action no", "action number", "no", "number", "#")),
    Column("action", "Action", 60, "What will be done, in full.",
           ("actions", "action text", "what we will do", "what will we do", "description")),
    Column("owners", "Owners", 40,
           "The owner roles (job titles, not names), one per line in the cell or separated by \";\". "
           "Spelling variants and look-alike letters are matched to the roles the board knows.",
           ("owner", "owners", "lead", "leads", "lead officer", "lead officers", "responsible",
            "responsible officer", "by whom", "who", "lead owner")),
    Column("due", "Due", 18,
           "A month and year (Oct 2023), a date (a date cell or 2024-01-15), a cadence (Weekly, Quarterly "
           "from Nov 2023...), Ongoing or TBC. Only a row that says \"See actions ...\" may leave Owners and "
           "Due blank.",
           ("due date", "timescale", "timescales", "deadline", "by when", "target date", "when", "date due")),
    Column("status", "Status", 12,
           "Optional: Not started, Red, Amber, Green or Complete. Used for a new action; an action already on "
           "the board keeps the status the board gives it.",
           ("rag", "rag status", "brag", "brag status", "progress", "rag rating"), required=False),
    Column("carried_from", "Carried from", 18,
           "Optional: the earlier plan (its name in web addresses) and the ref of the action this one continues, "
           "e.g. \"2023-24 1.4\". The new action is linked to it, with its history and evidence, and it is closed "
           "as carried forward. With no Status, the action starts at the status it is carried with.",
           ("carried forward from", "previous ref", "continues"), required=False),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

# Header fields: (key, label on the Plan sheet, other labels).
FIELDS = (
    ("title", "Title", ("plan title", "plan", "name of the plan", "plan name")),
    ("organisation", "Organisation", ("organization", "council", "local authority")),
    ("period", "Period", ("plan period", "dates", "year")),
    ("owner_name", "Plan owner", ("plan owner name", "owner name")),
    ("owner_role", "Plan owner's role", ("plan owner role", "owner role", "plan owner job title")),
    ("objective", "Objective", ("overall objective", "aim", "purpose")),
)
FIELD_EXPLAINS = {
    "title": "The plan's title (required).",
    "organisation": "Who the plan belongs to.",
    "period": "The years it covers, e.g. September 2023 - 2024.",
    "owner_name": "The person accountable for the plan.",
    "owner_role": "Their job title.",
    "objective": "The plan's overall objective.",
}
AREAS_HEADINGS = ("Area number", "Area title", "Overall effectiveness")

# Status words a tracker may hold (compared without case), as board statuses.
STATUS_WORDS = {
    **{status.label.casefold(): status.value for status in Status},
    "not yet started": Status.NOT_STARTED.value, "notstarted": Status.NOT_STARTED.value,
    "r": Status.RED.value, "a": Status.AMBER.value, "g": Status.GREEN.value,
    "completed": Status.COMPLETE.value, "done": Status.COMPLETE.value, "blue": Status.COMPLETE.value,
    "b": Status.COMPLETE.value,
}

# The guide's example row: action 1.2 of the seed plan (tests check it still matches seed_plan.json).
EXAMPLE = {
    "area_number": 1, "area_title": "Early intervention and prevention",
    "outcome": "Early help improves the child's situation and supports sustainable progress",
    "ref": "1.2",
    "action": "Develop performance reporting for the family help service to evaluate compliance with the "
              "practice standards.",
    "owners": "Head of Service Early Help and Prevention\nBusiness Intelligence Manager",
    "due": "Oct 2023", "status": "Green", "carried_from": "",
}


def carried_from_text(carried: dict | None) -> str:
    return f"{carried['plan']} {carried['ref']}" if carried else ""


def action_rows(data: dict, owners_joiner: str = "\n") -> list[list]:
    """One row per action, in the plan's order, with the Actions columns."""
    rows = []
    for area in data.get("areas", []):
        for outcome in area["outcomes"]:
            for action in outcome["actions"]:
                status = action.get("status")
                rows.append([area["number"], area["title"], outcome["text"], action["ref"], action["text"],
                             owners_joiner.join(action["owners"]), action["due"],
                             Status(status).label if status else "", carried_from_text(action.get("carried_from"))])
    return rows


def field_values(data: dict) -> list[tuple[str, str]]:
    """(label, value) for each header field of the plan."""
    owner = data.get("plan_owner") or {}
    values = {**{key: data.get(key, "") for key, _, _ in FIELDS}, "owner_name": owner.get("name", ""),
              "owner_role": owner.get("role", "")}
    return [(label, values[key]) for key, label, _ in FIELDS]


def plan_workbook(data: dict | None = None) -> bytes:
    """The plan as a filled template; with no plan, the blank template."""
    data = data or {}
    workbook = Workbook()
    actions = workbook.active
    actions.title = ACTIONS_SHEET
    _table(actions, [c.heading for c in COLUMNS], action_rows(data), [c.width for c in COLUMNS])
    actions.column_dimensions["D"].number_format = "@"  # refs typed later stay text: 2.10 is not 2.1
    statuses = DataValidation(type="list", formula1='"' + ",".join(s.label for s in Status) + '"',
                              allow_blank=True, showErrorMessage=False)
    statuses.add("H2:H5000")
    actions.add_data_validation(statuses)
    _table(workbook.create_sheet(PLAN_SHEET), ["Field", "Value", "What to write"],
           [[label, value, FIELD_EXPLAINS[key]] for (key, label, _), (_, value) in zip(FIELDS, field_values(data))],
           [22, 70, 50])
    _table(workbook.create_sheet(AREAS_SHEET), list(AREAS_HEADINGS),
           [[a["number"], a["title"], a.get("overall_effectiveness", "")] for a in data.get("areas", [])],
           [9, 28, 90])
    _table(workbook.create_sheet(GUIDE_SHEET), ["Column (Actions sheet)", "Required", "What to write",
                                                 "Example (action 1.2 of the Cheshire East plan)"],
           [[c.heading, "Yes" if c.required else "No", c.explains, EXAMPLE[c.key]] for c in COLUMNS],
           [22, 10, 70, 60])
    workbook.properties.title = data.get("title") or "Improvement plan template"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _table(sheet, headings: list[str], rows: list[list], widths: list[int]) -> None:
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([None if value == "" else value for value in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text that starts with "=" is text, never a formula
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "A2"


def plan_csv(data: dict | None = None) -> str:
    """The plan as a filled CSV template (header fields above the Actions table); with no plan, blank."""
    data = data or {}
    fields = field_values(data)
    return csv_text(list(fields[0]), [list(pair) for pair in fields[1:]] + [[], [c.heading for c in COLUMNS]]
                    + action_rows(data, "; "))
