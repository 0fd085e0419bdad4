"""Data out: all actions as rows for CSV and Excel (with the board's filters), and the one CSV writer.

Cells that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return) are prefixed with
an apostrophe, so a plan text can never run as a formula in someone's Excel.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from board.clock import local_time
from board.services.board_view import BoardFilter, is_overdue, is_stale, load_board
from board.services.due import cadence_label
from board.services.history import describe_event
from board.services.lineage import closed_label
from board.services.overview import ref_sort_key
from models import Action, ActionEvent, EventKind, EvidenceNote, Outcome, Plan, Status, User, db

COLUMNS = [
    ("Area", 28), ("Ref", 7), ("Intended outcome", 50), ("Action", 60), ("Owners", 40),
    ("Due as printed", 18), ("Due now", 18), ("Due date", 12), ("Cadence", 14), ("Status", 12),
    ("Last status change", 30), ("Reason for the last status change", 40), ("Latest evidence", 60),
    ("Overdue", 9), ("Stale", 9), ("Carried forward from", 16), ("Closed", 30),
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that starts like a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_rows(plan: Plan, board_filter: BoardFilter | None = None, on: date | None = None) -> list[list]:
    """One row per action shown by the filter, in area and plan order."""
    board = load_board(plan, on=on, board_filter=board_filter)
    cards = sorted((card for lane in board.swimlanes for cards in lane.columns.values() for card in cards),
                   key=lambda card: ref_sort_key(card.ref))
    areas = {lane.area.id: f"{lane.area.number} {lane.area.title}" for lane in board.swimlanes}
    outcomes = dict(db.session.execute(select(Outcome.id, Outcome.text)).all())
    status_changes = latest_status_changes(plan)
    notes = _latest_notes(plan)
    rows = []
    for card in cards:
        rows.append([neutralise(value) for value in (
            areas[card.area_id], card.ref, outcomes.get(card.outcome_id, ""), card.text,
            "; ".join(owner.name for owner in card.owners), card.plan_due_text, card.due_text,
            card.due_date, cadence_label(card.cadence) or "", Status(card.status).label,
            *status_changes.get(card.id, ("", "")), notes.get(card.id, ""),
            "Yes" if is_overdue(card, board.today) else "No", "Yes" if is_stale(card, board.today) else "No",
            card.carried_from or "", closed_label(card.closed_how, card.closed_note) or "",
        )])
    return rows


def latest_status_changes(plan: Plan) -> dict[int, tuple[str, str]]:
    """Per action: its latest status change in words (when, by whom) and the reason given for it."""
    latest = (select(func.max(ActionEvent.id)).join(Action).where(
        Action.plan_id == plan.id, ActionEvent.kind == EventKind.STATUS).group_by(ActionEvent.action_id))
    reason = aliased(ActionEvent)
    rows = db.session.execute(
        select(ActionEvent, User.name, reason.reason)
        .outerjoin(User, User.id == ActionEvent.user_id)
        .outerjoin(reason, (reason.explains_event_id == ActionEvent.id) & (reason.kind == EventKind.REASON))
        .where(ActionEvent.id.in_(latest))).all()
    changes = {}
    for event, name, why in rows:
        words = describe_event(event, why)
        changes[event.action_id] = (f"{words.summary}, {local_time(event.at, '%-d %b %Y')} by {name or 'unknown'}",
                                    words.detail or "")
    return changes


def _latest_notes(plan: Plan) -> dict[int, str]:
    latest = (select(func.max(EvidenceNote.id)).join(Action).where(
        Action.plan_id == plan.id, EvidenceNote.withdrawn_at.is_(None)).group_by(EvidenceNote.action_id))
    return dict(db.session.execute(
        select(EvidenceNote.action_id, EvidenceNote.text).where(EvidenceNote.id.in_(latest))).all())


def csv_text(header: list[str], rows) -> str:
    """The one CSV writer: UTF-8 with a byte-order mark (Excel then reads accents and apostrophes
    right), dates as YYYY-MM-DD, formula-like text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(name) for name in header])
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else neutralise(v)
                         for v in row])
    return "\ufeff" + buffer.getvalue()


def to_csv(rows: list[list]) -> str:
    return csv_text([name for name, _ in COLUMNS], rows)


def to_xlsx(rows: list[list], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    sheet.append([name for name, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        row[7].number_format = "d mmm yyyy"
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
