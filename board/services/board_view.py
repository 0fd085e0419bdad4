"""Loading the board: every card of the plan, grouped into area swimlanes and status columns.

The board is read with a fixed number of queries whatever the number of actions (plan, areas,
card columns with their last editor, owner names, and outcome texts only when searching) into
plain `Card` rows: building full ORM objects for every card cost more than rendering them.
Filters are applied to those rows in Python, so every filter costs no extra query.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask import current_app, has_app_context
from sqlalchemy import Select, Text, bindparam, cast, exists, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from board.clock import today as clock_today
from board.services.clinics import open_clinics
from board.services.due import cadence_days
from board.services.evidence import note_count_column, note_counts
from board.services.owner_roles import abbreviate_role, owner_initials
from board.services.plans import live_plan
from models import Action, Area, Clinic, Outcome, OwnerRole, Plan, Status, User, action_owners, db, plain_rows

STATUSES = list(Status)
_STATUS_OF = {status.value: status for status in Status}
DEFAULT_STALE_DAYS = 42


def is_overdue(action, on: date) -> bool:
    """An action whose due date has passed and which is not complete, whatever its status (one never
    started is overdue too)."""
    return (action.due_date is not None and action.due_date < on
            and action.status != Status.COMPLETE.value)


def days_overdue(action, on: date) -> int:
    return (on - action.due_date).days if is_overdue(action, on) else 0


def one_off_stale_days() -> int:
    """How long an action without a cadence may go without an update (BOARD_STALE_DAYS, default 42)."""
    configured = current_app.config.get("BOARD_STALE_DAYS") if has_app_context() else None
    return int(configured or DEFAULT_STALE_DAYS)


def updated_since_request(action) -> bool:
    """Its owners were asked for an update, and something was recorded on it since (a card or an action)."""
    return bool(action.update_requested_at and action.last_activity_at
                and action.last_activity_at > action.update_requested_at)


def stale_grace_days(cadence: str) -> int:
    """Slack after a cadence before an action counts as stale: a quarter of the cadence, at least 2 days."""
    return max(2, cadence_days(cadence) // 4)


def stale_after_days(cadence: str | None, one_off_days: int | None = None) -> int:
    """Days without an update after which an open action is stale: its cadence plus grace, else
    BOARD_STALE_DAYS for a one-off action (`one_off_days` when the caller read it already)."""
    if cadence:
        return cadence_days(cadence) + stale_grace_days(cadence)
    return one_off_days or one_off_stale_days()


def is_stale(action, on: date, one_off_days: int | None = None) -> bool:
    """An open action (any status but Complete) with nothing recorded within its cadence (plus grace),
    or within BOARD_STALE_DAYS for a one-off action (`one_off_days`: the setting, when the caller read
    it once for many cards); a recurring action never before its first occurrence when the plan prints
    one ("Quarterly ... from November 2023"). A row that only points at other actions, or one closed
    with its plan, is never stale."""
    if action.status == Status.COMPLETE.value or getattr(action, "closed_how", None) \
            or getattr(action, "is_pointer", False):
        return False
    start = getattr(action, "cadence_start", None)
    if action.cadence and start is not None and (on - start).days <= stale_grace_days(action.cadence):
        return False
    since = (action.last_activity_at or action.created_at).date()
    return (on - since).days > stale_after_days(action.cadence, one_off_days)


@dataclass(frozen=True, slots=True)
class OwnerName:
    id: int
    name: str
    short_name: str
    initials: str


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
    outcome_id: int
    due_text: str
    due_date: date | None
    cadence: str | None
    created_at: datetime
    last_activity_at: datetime | None
    last_activity_by: str | None
    plan_due_text: str
    due_moves: int
    cadence_start: date | None
    see_also: list[str] | None
    parts: list[dict] | None
    closed_how: str | None
    closed_note: str
    carried_from: str | None          # "2023-24 1.4": the earlier plan's action this one continues
    update_requested_at: datetime | None
    status_changed_at: datetime | None
    signed_off_at: datetime | None
    owners: list[OwnerName] = field(default_factory=list)
    note_count: int = 0

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_pointer(self) -> bool:
        """Only points at other actions ("See actions 1.5-1.8"): not work of its own, never dragged,
        not counted; its status is theirs (`pointer_status`)."""
        return bool(self.see_also) and not self.owners

    @property
    def lead(self) -> OwnerName | None:
        """The owner the plan names first."""
        return self.owners[0] if self.owners else None


_EARLIER = aliased(Action)
_EARLIER_PLAN = aliased(Plan)
# The JSON lists (see also, parts) are read as their text and decoded only when not empty: nearly every
# card has neither, and decoding two JSON values a card was a third of reading the cards' rows.
_CARD_COLUMNS = (Action.id, Action.ref, Action.text, Action.status, Action.position, Action.version,
                 Action.area_id, Action.outcome_id, Action.due_text, Action.due_date, Action.cadence,
                 Action.created_at, Action.last_activity_at, User.name, Action.plan_due_text,
                 Action.due_moves, Action.cadence_start, cast(Action.see_also, Text).label("see_also"),
                 cast(Action.parts, Text).label("parts"), Action.closed_how,
                 Action.closed_note, (_EARLIER_PLAN.slug + " " + _EARLIER.ref).label("carried_from"),
                 Action.update_requested_at, Action.status_changed_at, Action.signed_off_at)


_EMPTY_JSON = {None: None, "null": None, "[]": []}


def _json_list(text: str | None) -> list | None:
    """A JSON list column read as text (`_CARD_COLUMNS`), as the JSON type would have given it."""
    return _EMPTY_JSON[text] if text in _EMPTY_JSON else json.loads(text)


# The board's statements, built once (building one and its cache key cost more than running it).
_IN_AREAS = Action.area_id.in_(bindparam("area_ids", expanding=True))
_CARDS = (select(*_CARD_COLUMNS).outerjoin(User, User.id == Action.last_activity_by_id)
          .outerjoin(_EARLIER, _EARLIER.id == Action.carried_from_id)
          .outerjoin(_EARLIER_PLAN, _EARLIER_PLAN.id == _EARLIER.plan_id)
          .where(Action.plan_id == bindparam("plan_id"))
          .order_by(Action.area_id, Action.status, Action.position, Action.plan_order))
_CARDS_OF_AREAS = _CARDS.where(_IN_AREAS)
# A lane's cards (a move, a live refresh) carry their notes' count in the same statement: a round trip
# fewer. The whole board keeps the count a statement of its own (faster on SQLite at 1,000 cards).
_CARDS_OF_AREAS_COUNTED = {outside: _CARDS_OF_AREAS.add_columns(note_count_column(outside)) for outside in (False, True)}
_OWNERS = (select(action_owners.c.action_id, OwnerRole.id, OwnerRole.name)
           .join(OwnerRole, OwnerRole.id == action_owners.c.owner_role_id)
           .where(OwnerRole.plan_id == bindparam("plan_id")).order_by(action_owners.c.action_id, action_owners.c.position))
_OWNERS_OF_AREAS = _OWNERS.join(Action, Action.id == action_owners.c.action_id).where(_IN_AREAS)


def pointer_status(statuses: list[str]) -> str:
    """The status of a row that points at other actions, from theirs: Red if any is Red, else Amber if
    any is Amber, else Complete when all are, Not started when none has started, else Green."""
    if not statuses:
        return Status.NOT_STARTED.value
    for worst in (Status.RED.value, Status.AMBER.value):
        if worst in statuses:
            return worst
    if all(status == Status.COMPLETE.value for status in statuses):
        return Status.COMPLETE.value
    if all(status == Status.NOT_STARTED.value for status in statuses):
        return Status.NOT_STARTED.value
    return Status.GREEN.value


@dataclass
class BoardFilter:
    """What the board is narrowed to; every field empty means the whole plan."""

    areas: list[int] = field(default_factory=list)          # area numbers
    owner_role_id: int | None = None
    statuses: list[str] = field(default_factory=list)
    overdue: bool = False
    stale: bool = False
    due_within_days: int | None = None
    mine_role_ids: list[int] | None = None                   # "My actions": the user's owner roles
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.areas or self.owner_role_id or self.statuses or self.overdue or self.stale
                    or self.due_within_days or self.mine_role_ids is not None or self.text.strip())


@dataclass
class Swimlane:
    area: Area
    columns: dict[Status, list[Card]] = field(default_factory=lambda: {s: [] for s in STATUSES})

    @property
    def total(self) -> int:
        """Actions in the lane: a row that only points at others is not counted as work."""
        return sum(self.count(status) for status in STATUSES)

    def holds(self, action_id: int) -> bool:
        return any(card.id == action_id for cards in self.columns.values() for card in cards)

    def count(self, status: Status) -> int:
        return sum(not card.is_pointer for card in self.columns[status])


@dataclass(frozen=True)
class BoardView:
    plan: Plan
    swimlanes: list[Swimlane]
    today: date
    plan_total: int = 0
    filter: BoardFilter = field(default_factory=BoardFilter)
    # For the filter bar: every area and every owner role, whatever the filter shows.
    all_areas: list[Area] = field(default_factory=list)
    owner_roles: list[OwnerName] = field(default_factory=list)
    area_totals: dict[int, int] = field(default_factory=dict)   # actions per area, whatever the filters

    @property
    def totals(self) -> Counter:
        return Counter({s: sum(lane.count(s) for lane in self.swimlanes) for s in STATUSES})

    @property
    def total(self) -> int:
        return sum(lane.total for lane in self.swimlanes)

    def _cards(self):
        return (card for lane in self.swimlanes for cards in lane.columns.values() for card in cards)

    @property
    def overdue_count(self) -> int:
        return sum(is_overdue(card, self.today) for card in self._cards())

    @property
    def stale_count(self) -> int:
        return sum(is_stale(card, self.today) for card in self._cards())

    def lane(self, area_id: int) -> Swimlane | None:
        return next((lane for lane in self.swimlanes if lane.area.id == area_id), None)


def current_plan() -> Plan | None:
    """The live plan (see services/plans.py): the default for commands and services given no plan."""
    return live_plan()


def plan_areas(plan: Plan) -> list[Area]:
    """The plan's areas in order, each with its change counter."""
    return list(db.session.scalars(select(Area).where(Area.plan_id == plan.id).order_by(Area.number)))


# Built once: every board request reads it first (the counters decide what the cache holds).
_AREA_ROWS = (select(Area.id, Area.plan_id, Area.number, Area.title, Area.overall_effectiveness, Area.changed_at_counter)
              .where(Area.plan_id == bindparam("plan_id")).order_by(Area.number))


# The board page's first read: the same rows with whether a clinic of the plan is open beside each, one
# statement where two were (a round trip on PostgreSQL).
_AREA_ROWS_AND_OPEN_CLINIC = _AREA_ROWS.add_columns(
    exists().where(Clinic.plan_id == Area.plan_id, Clinic.ended_at.is_(None)).label("clinic_open"))


def area_rows(plan: Plan, *, with_clinic_open: bool = False) -> list:
    """`plan_areas` as plain rows (read-only: id, plan_id, number, title, overall_effectiveness and
    changed_at_counter as attributes, and `clinic_open` when asked), through Core: no ORM objects for a
    board mostly served from the cache."""
    query = _AREA_ROWS_AND_OPEN_CLINIC if with_clinic_open else _AREA_ROWS
    return db.session.connection().execute(query, {"plan_id": plan.id}).all()


def areas_and_open_clinics(plan: Plan) -> tuple[list, list[Clinic]]:
    """The plan's areas (`area_rows`, with `clinic_open`) and its clinics in progress (`open_clinics`),
    read with the areas when none is open."""
    areas = area_rows(plan, with_clinic_open=True)
    if areas and not areas[0].clinic_open:
        return areas, []
    return areas, open_clinics(plan)


def load_board(plan: Plan, on: date | None = None, board_filter: BoardFilter | None = None,
               areas: list[Area] | None = None, only_area_ids: set[int] | None = None, *,
               committee: bool = False) -> BoardView:
    """The plan's cards in swimlanes and columns, ordered by position, narrowed by `board_filter` (a
    committee's cards count no internal note).

    `areas` (from `plan_areas`, read before the cards) saves reading them again; `only_area_ids` reads
    only those areas' cards (a move renders one lane: its cost does not grow with the other areas)."""
    on = on or clock_today()
    board_filter = board_filter or BoardFilter()
    areas = plan_areas(plan) if areas is None else areas
    lanes = {area.id: Swimlane(area) for area in areas
             if (not board_filter.areas or area.number in board_filter.areas)
             and (only_area_ids is None or area.id in only_area_ids)}
    params = {"plan_id": plan.id} if only_area_ids is None else {"plan_id": plan.id, "area_ids": list(only_area_ids)}
    if only_area_ids is None:
        rows = plain_rows(_CARDS, params)
        notes = note_counts(plan.id, outside_the_team=committee)
        counted = [(row, notes.get(row.id, 0)) for row in rows]
    else:
        counted = [(row[:-1], row[-1]) for row in plain_rows(_CARDS_OF_AREAS_COUNTED[committee], params)]
    owners, roles = _owner_names(plan, only_area_ids)
    outcome_texts = _outcome_texts(plan) if board_filter.text.strip() else {}
    keep = _matcher(board_filter, on, outcome_texts) if board_filter.active else None
    cards = [Card(*row, owners=owners.get(row[0], []), note_count=count) for row, count in counted]
    for card in cards:
        card.see_also, card.parts = _json_list(card.see_also), _json_list(card.parts)
    status_by_ref = {card.ref: card.status for card in cards}
    if only_area_ids is not None:
        status_by_ref |= _statuses_of(plan, {ref for card in cards if card.is_pointer for ref in card.see_also}
                                      - status_by_ref.keys())
    pointers = []
    for card in cards:
        if card.is_pointer:
            # A pointer sits at the end of the column its actions' statuses give it.
            card.status = pointer_status([status_by_ref[ref] for ref in card.see_also if ref in status_by_ref])
            pointers.append(card)
        elif card.area_id in lanes and (keep is None or keep(card)):
            lanes[card.area_id].columns[_STATUS_OF[card.status]].append(card)
    for card in pointers:
        if card.area_id in lanes and (keep is None or keep(card)):
            lanes[card.area_id].columns[_STATUS_OF[card.status]].append(card)
    return BoardView(plan=plan, swimlanes=list(lanes.values()), today=on,
                     plan_total=sum(not card.is_pointer for card in cards),
                     filter=board_filter, all_areas=list(areas), owner_roles=roles,
                     area_totals=Counter(card.area_id for card in cards if not card.is_pointer))


def _matcher(board_filter: BoardFilter, on: date, outcome_texts: dict[int, str]):
    words = board_filter.text.casefold().split()
    due_by = on + timedelta(days=board_filter.due_within_days) if board_filter.due_within_days else None

    def keep(card: Card) -> bool:
        owner_ids = {owner.id for owner in card.owners}
        if board_filter.statuses and card.status not in board_filter.statuses:
            return False
        if board_filter.owner_role_id and board_filter.owner_role_id not in owner_ids:
            return False
        if board_filter.mine_role_ids is not None and not owner_ids & set(board_filter.mine_role_ids):
            return False
        if (board_filter.overdue or board_filter.stale) and not (
                (board_filter.overdue and is_overdue(card, on))
                or (board_filter.stale and is_stale(card, on))):
            return False
        if due_by and not (card.due_date and on <= card.due_date <= due_by
                           and card.status != Status.COMPLETE.value):
            return False
        if words:
            if len(words) == 1 and (card.ref == words[0] or card.ref.startswith(words[0] + ".")):
                return True
            haystack = f"{card.ref} {card.text} {outcome_texts.get(card.outcome_id, '')}".casefold()
            return all(word in haystack for word in words)
        return True

    return keep


def _statuses_of(plan: Plan, refs: set[str]) -> dict[str, str]:
    """The statuses of these actions (a pointer's status follows theirs, wherever they are)."""
    if not refs:
        return {}
    return dict(db.session.execute(select(Action.ref, Action.status)
                                   .where(Action.plan_id == plan.id, Action.ref.in_(refs))).all())


@lru_cache(maxsize=4096)
def _owner_name(role_id: int, name: str) -> OwnerName:
    """A role with its short form and initials, worked out once per name (they were about a fifth of
    reading a lane's rows: a dozen roles a lane, at every move and refresh)."""
    return OwnerName(role_id, name, abbreviate_role(name), owner_initials(name))


def _owner_names(plan: Plan, only_area_ids: set[int] | None = None
                 ) -> tuple[dict[int, list[OwnerName]], list[OwnerName]]:
    """Owner roles of every action of the plan (or of these areas), in one query, each role abbreviated
    once; and the list of those roles by name."""
    params = {"plan_id": plan.id} if only_area_ids is None else {"plan_id": plan.id, "area_ids": list(only_area_ids)}
    rows = plain_rows(_OWNERS if only_area_ids is None else _OWNERS_OF_AREAS, params)
    names: dict[int, OwnerName] = {}
    by_action: dict[int, list[OwnerName]] = defaultdict(list)
    for action_id, role_id, name in rows:
        owner = names.get(role_id) or names.setdefault(role_id, _owner_name(role_id, name))
        by_action[action_id].append(owner)
    return by_action, sorted(names.values(), key=lambda owner: owner.name)


def owner_roles_of(plan: Plan) -> list[OwnerName]:
    """The owner roles that own an action of the plan, by name (the filter bar's choices), in one query."""
    rows = db.session.execute(select(OwnerRole.id, OwnerRole.name).where(
        OwnerRole.plan_id == plan.id, OwnerRole.id.in_(select(action_owners.c.owner_role_id))
    )).all()
    return sorted((OwnerName(role_id, name, abbreviate_role(name), owner_initials(name)) for role_id, name in rows),
                  key=lambda owner: owner.name)


def _outcome_texts(plan: Plan) -> dict[int, str]:
    return dict(db.session.execute(
        select(Outcome.id, Outcome.text).join(Area).where(Area.plan_id == plan.id)).all())


def action_query(plan: Plan, ref: str) -> Select:
    """One action of the plan by ref, with what its detail shows: owners, area, outcome and the
    outcome's other actions, and who last changed it (the one-to-one links joined into the same
    statement: each statement saved is a round trip on PostgreSQL)."""
    return (select(Action).where(Action.plan_id == plan.id, Action.ref == ref)
            .options(selectinload(Action.owners), joinedload(Action.area),
                     joinedload(Action.outcome).selectinload(Outcome.actions),
                     joinedload(Action.last_activity_by)))


def area_id_of(plan: Plan, ref: str) -> int | None:
    """The area holding the plan's action `ref` (None if there is none)."""
    return db.session.scalar(select(Action.area_id).where(Action.plan_id == plan.id, Action.ref == ref))


def changed_area_ids(plan: Plan, since: int) -> set[int]:
    """Areas with a card changed after the plan's change counter stood at `since`."""
    return set(db.session.scalars(select(Area.id).where(Area.plan_id == plan.id,
                                                        Area.changed_at_counter > since)))


def actions_by_refs(plan: Plan, refs: list[str]) -> list[Action]:
    if not refs:
        return []
    found = db.session.scalars(
        select(Action).where(Action.plan_id == plan.id, Action.ref.in_(refs))
    ).all()
    order = {ref: i for i, ref in enumerate(refs)}
    return sorted(found, key=lambda a: order[a.ref])
