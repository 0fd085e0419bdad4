"""Loading the board: every card of the plan, grouped into area swimlanes and status columns.

The board is read with a fixed number of queries whatever the number of actions (plan, areas,
card columns, owner names) into plain `Card` rows: building full ORM objects for every card
cost more than rendering them.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from board.services.clock import today as clock_today
from board.services.owner_roles import abbreviate_role
from models import Action, Area, Outcome, OwnerRole, Plan, Status, action_owners, db

STATUSES = list(Status)


def is_overdue(action, on: date) -> bool:
    """A one-off action whose due date has passed and which is not complete."""
    return (action.due_date is not None and action.due_date < on
            and action.status != Status.COMPLETE.value)


@dataclass(frozen=True, slots=True)
class OwnerName:
    name: str
    short_name: str


@dataclass(slots=True)
class Card:
    """What a card on the board shows of an action."""

    id: int
    ref: str
    text: str
    status: str
    position: int
    version: int
    area_id: int
    due_text: str
    due_date: date | None
    cadence: str | None
    owners: list[OwnerName] = field(default_factory=list)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)


_CARD_COLUMNS = (Action.id, Action.ref, Action.text, Action.status, Action.position, Action.version,
                 Action.area_id, Action.due_text, Action.due_date, Action.cadence)
@dataclass
class Swimlane:
    area: Area
    columns: dict[Status, list[Card]] = field(default_factory=lambda: {s: [] for s in STATUSES})

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
    """Every action of `plan` as a card in its swimlane and column, ordered by position."""
    areas = db.session.scalars(
        select(Area).where(Area.plan_id == plan.id).order_by(Area.number)
    ).all()
    lanes = {area.id: Swimlane(area) for area in areas}
    rows = db.session.execute(
        select(*_CARD_COLUMNS).where(Action.plan_id == plan.id)
        .order_by(Action.area_id, Action.status, Action.position, Action.plan_order)
    ).all()
    owners = _owner_names(plan)
    for row in rows:
        card = Card(*row, owners=owners.get(row.id, []))
        lanes[card.area_id].columns[Status(card.status)].append(card)
    return BoardView(plan=plan, swimlanes=list(lanes.values()), today=on or clock_today())


def _owner_names(plan: Plan) -> dict[int, list[OwnerName]]:
    """Owner roles of every action of the plan, in one query, each role abbreviated once."""
    rows = db.session.execute(
        select(action_owners.c.action_id, OwnerRole.name)
        .join(OwnerRole, OwnerRole.id == action_owners.c.owner_role_id)
        .where(OwnerRole.plan_id == plan.id).order_by(OwnerRole.name)
    ).all()
    names: dict[str, OwnerName] = {}
    by_action: dict[int, list[OwnerName]] = defaultdict(list)
    for action_id, name in rows:
        owner = names.get(name) or names.setdefault(name, OwnerName(name, abbreviate_role(name)))
        by_action[action_id].append(owner)
    return by_action


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
