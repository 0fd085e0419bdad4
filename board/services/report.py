"""The committee highlight report for a period: where the plan stands, what needs attention, what moved.

"Was Amber" compares each action with its status at the start of the period, read from history.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from board.services.board_view import Card, is_overdue, is_stale, load_board
from board.services.evidence import comments_for, in_force
from board.services.overview import Overview, build_overview, latest_words, ref_sort_key
from models import Action, ActionEvent, Area, EventKind, ImpactComment, Outcome, Plan, Status, User, db


@dataclass
class ReportLine:
    card: Card
    area: Area
    was: Status | None      # the status at the start of the period, when different from now
    latest: str | None
    overdue: bool
    stale: bool


@dataclass
class PeriodMove:
    ref: str
    text: str
    at: datetime
    who: str
    from_status: Status
    to_status: Status
    reason: str | None


@dataclass
class OutcomeLine:
    area: Area
    outcome: Outcome
    latest: ImpactComment | None


@dataclass
class HighlightReport:
    start: date
    end: date
    overview: Overview
    exceptions: list[ReportLine]
    completed: list[PeriodMove]
    moved: list[PeriodMove]
    outcomes: list[OutcomeLine]
    changed_count: int


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def statuses_at(plan: Plan, moment: datetime) -> dict[int, str]:
    """Each action's status at `moment`: the last change before it, else the first change's 'from'."""
    before = (select(func.max(ActionEvent.id)).join(Action).where(
        Action.plan_id == plan.id, ActionEvent.kind == EventKind.STATUS, ActionEvent.at < moment)
        .group_by(ActionEvent.action_id))
    after = (select(func.min(ActionEvent.id)).join(Action).where(
        Action.plan_id == plan.id, ActionEvent.kind == EventKind.STATUS, ActionEvent.at >= moment)
        .group_by(ActionEvent.action_id))
    known = dict(db.session.execute(select(ActionEvent.action_id, ActionEvent.from_value)
                                    .where(ActionEvent.id.in_(after))).all())
    known.update(db.session.execute(select(ActionEvent.action_id, ActionEvent.to_value)
                                    .where(ActionEvent.id.in_(before))).all())
    return known


def build_report(plan: Plan, start: date, end: date, today: date) -> HighlightReport:
    board = load_board(plan, on=today)
    overview = build_overview(plan, today, board=board)
    then = statuses_at(plan, _day_start(start))
    words = latest_words(plan)
    current = {card.id: card.status for lane in board.swimlanes
               for cards in lane.columns.values() for card in cards}
    lines = []
    for lane in board.swimlanes:
        for cards in lane.columns.values():
            for card in cards:
                overdue, stale = is_overdue(card, today), is_stale(card, today)
                if card.status in (Status.RED.value, Status.AMBER.value) or overdue or stale:
                    was = then.get(card.id, card.status)
                    lines.append(ReportLine(card, lane.area, Status(was) if was != card.status else None,
                                            words.get(card.id), overdue, stale))
    order = {Status.RED.value: 0, Status.AMBER.value: 1}
    lines.sort(key=lambda line: (order.get(line.card.status, 2), ref_sort_key(line.card.ref)))
    moved = _moves(plan, start, end)
    changed = sum(1 for action_id, status in then.items() if status != current.get(action_id))
    return HighlightReport(start, end, overview, lines,
                           [m for m in moved if m.to_status == Status.COMPLETE], moved,
                           _outcome_lines(plan), changed)


def _moves(plan: Plan, start: date, end: date) -> list[PeriodMove]:
    """Status changes in the period, oldest first, each with the reason given for it."""
    reason = aliased(ActionEvent)
    rows = db.session.execute(
        select(Action.ref, Action.text, ActionEvent.at, User.name, ActionEvent.from_value,
               ActionEvent.to_value, reason.reason)
        .join(Action, Action.id == ActionEvent.action_id)
        .outerjoin(User, User.id == ActionEvent.user_id)
        .outerjoin(reason, (reason.explains_event_id == ActionEvent.id) & (reason.kind == EventKind.REASON))
        .where(Action.plan_id == plan.id, ActionEvent.kind == EventKind.STATUS,
               ActionEvent.at >= _day_start(start), ActionEvent.at < _day_start(end + timedelta(days=1)))
        .order_by(ActionEvent.at)).all()
    return [PeriodMove(ref, text, at, who or "Unknown", Status(a), Status(b), why)
            for ref, text, at, who, a, b, why in rows]


def _outcome_lines(plan: Plan) -> list[OutcomeLine]:
    outcomes = db.session.execute(
        select(Outcome, Area).join(Area).where(Area.plan_id == plan.id)
        .order_by(Area.number, Outcome.position)).all()
    outcomes = [(outcome, area) for outcome, area in outcomes if outcome.actions]
    comments = comments_for([outcome.id for outcome, _ in outcomes])
    return [OutcomeLine(area, outcome, in_force(comments[outcome.id])) for outcome, area in outcomes]
