"""Loading the board: every card of the plan, grouped into area swimlanes and status columns.

The board is read with a fixed number of queries whatever the number of actions
(plan, areas, actions joined to their owner roles), then grouped in Python.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from board.services.clock import today as clock_today
from models import Action, Area, Outcome, Plan, Status, db

STATUSES = list(Status)


def is_overdue(action: Action, on: date) -> bool:
    """A one-off action whose due date has passed and which is not complete."""
    return (action.due_date is not None and action.due_date < on
            and action.status != Status.COMPLETE.value)


@dataclass
class Swimlane:
    area: Area
    columns: dict[Status, list[Action]] = field(default_factory=lambda: {s: [] for s in STATUSES})

    @property
    def total(self) -> int:
        return sum(len(cards) for cards in self.columns.values())

    def count(self, status: Status) -> int:
        return len(self.columns[status])


@dataclass
class BoardView:
    plan: Plan
    swimlanes: list[Swimlane]
    today: date

    @property
    def totals(self) -> Counter:
        return Counter({s: sum(lane.count(s) for lane in self.swimlanes) for s in STATUSES})

    @property
    def total(self) -> int:
        return sum(lane.total for lane in self.swimlanes)

    @property
    def overdue_count(self) -> int:
        return sum(is_overdue(card, self.today) for lane in self.swimlanes
                   for cards in lane.columns.values() for card in cards)


def current_plan() -> Plan | None:
    return db.session.scalars(select(Plan).order_by(Plan.id).limit(1)).first()


def load_board(plan: Plan, on: date | None = None) -> BoardView:
    """Every action of `plan` in its swimlane and column, ordered by position."""
    areas = db.session.scalars(
        select(Area).where(Area.plan_id == plan.id).order_by(Area.number)
    ).all()
    lanes = {area.id: Swimlane(area) for area in areas}
    # A join, not selectinload: selectin batches ids by 500, so its query count grows with the plan.
    actions = db.session.scalars(
        select(Action).where(Action.plan_id == plan.id)
        .options(joinedload(Action.owners))
        .order_by(Action.area_id, Action.status, Action.position, Action.plan_order)
    ).unique().all()
    for action in actions:
        lanes[action.area_id].columns[Status(action.status)].append(action)
    return BoardView(plan=plan, swimlanes=list(lanes.values()), today=on or clock_today())


def load_action(plan: Plan, ref: str) -> Action | None:
    """One action with what its detail shows: owners, outcome and its sibling actions, area."""
    return db.session.scalars(
        select(Action).where(Action.plan_id == plan.id, Action.ref == ref)
        .options(
            selectinload(Action.owners),
            selectinload(Action.area),
            selectinload(Action.outcome).selectinload(Outcome.actions),
        )
    ).first()


def actions_by_refs(plan: Plan, refs: list[str]) -> list[Action]:
    if not refs:
        return []
    found = db.session.scalars(
        select(Action).where(Action.plan_id == plan.id, Action.ref.in_(refs))
    ).all()
    order = {ref: i for i, ref in enumerate(refs)}
    return sorted(found, key=lambda a: order[a.ref])
