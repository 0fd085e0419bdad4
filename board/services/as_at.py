"""The plan as it stood at a moment, rebuilt from its append-only history.

A card's status at a moment is the "to" of its last change of status before that moment, else the
"from" of its first change after it, else its status now; its due likewise from due changes (by people
or by a re-imported plan). Its latest activity, its completion and the plan owner's sign-off follow
from the same entries. The history is read once and replayed in memory, so a report's two dates and
a weekly trend since the plan began cost the same few queries.

Dates are the council's (BOARD_TIMEZONE): "as at 15 December" means up to the end of that day there.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Row, select
from sqlalchemy.orm import selectinload

from board.clock import zone
from board.services.due import MONTHS, Due, parse_due
from board.services.evidence import shown_outside_the_team
from models import (
    Action,
    ActionEvent,
    Area,
    CommentRevision,
    EventKind,
    EvidenceNote,
    ImpactComment,
    Outcome,
    Plan,
    Status,
    User,
    action_owners,
    db,
)
from models.action import DECISION_KINDS

DUE_KINDS = (EventKind.DUE, EventKind.PLAN_DUE)


def day_start(day: date) -> datetime:
    """The stored (naive UTC) moment the council's day begins."""
    return datetime.combine(day, time.min, tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def day_end(day: date) -> datetime:
    """The stored moment the council's day ends (the next day's start): 'as at' a date means then."""
    return day_start(day + timedelta(days=1))


@dataclass(frozen=True, slots=True)
class _Entry:
    at: datetime
    kind: EventKind
    from_value: str | None
    to_value: str | None
    reason: str | None


@dataclass(slots=True)
class ActionAt:
    """An action as it stood at a moment. Named like a card's fields, so the board's overdue and stale
    rules read it unchanged."""

    id: int
    ref: str
    area_id: int
    outcome_id: int
    text: str
    status: str
    due_text: str
    due_date: date | None
    cadence: str | None
    created_at: datetime
    last_activity_at: datetime | None
    completed_at: datetime | None        # when it last became Complete, if it is
    due_at_completion: date | None       # the due in force then
    signed_off: bool                     # the plan owner signed off that completion
    latest_reason: str | None            # the reason given for its latest explained move
    closed_how: str | None = None        # closed with its plan by then (carried forward, merged...)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)


def _before(entries: list[_Entry], moment: datetime) -> list[_Entry]:
    return entries[:bisect.bisect_left([e.at for e in entries], moment)]


def _value_at(entries: list[_Entry], moment: datetime, now_value: str) -> str:
    """The value a chain of changes gave at `moment` (entries in time order)."""
    if not entries:
        return now_value
    before = _before(entries, moment)
    return (before[-1].to_value if before else entries[0].from_value) or now_value


class PlanHistory:
    """Every card of a plan and its history, read once; `at(moment)` replays it."""

    def __init__(self, plan: Plan):
        self.plan = plan
        # Each card as it is now (rows named like its columns): the replay starts from these. A row that
        # only points at other actions ("See actions 1.5-1.8") is not work of its own and is not counted.
        owned = select(action_owners.c.action_id).where(action_owners.c.action_id == Action.id).exists()
        self.cards: list[Row] = [card for card in db.session.execute(
            select(Action.id, Action.ref, Action.area_id, Action.outcome_id, Action.text, Action.status,
                   Action.due_text, Action.created_at, Action.closed_at, Action.closed_how, Action.see_also,
                   owned.label("owned"))
            .where(Action.plan_id == plan.id).order_by(Action.plan_order)) if card.owned or not card.see_also]
        self._status: dict[int, list[_Entry]] = defaultdict(list)
        self._due: dict[int, list[_Entry]] = defaultdict(list)
        self._activity: dict[int, list[datetime]] = defaultdict(list)
        self._sign_offs: dict[int, list[datetime]] = defaultdict(list)
        self._reasons: dict[int, list[_Entry]] = defaultdict(list)
        rows = db.session.execute(
            select(ActionEvent.action_id, ActionEvent.at, ActionEvent.kind, ActionEvent.from_value,
                   ActionEvent.to_value, ActionEvent.reason)
            .join(Action, Action.id == ActionEvent.action_id)
            .where(Action.plan_id == plan.id, ActionEvent.kind.in_([*DECISION_KINDS, EventKind.PLAN_DUE]))
            .order_by(ActionEvent.at, ActionEvent.id))
        for action_id, at, kind, from_value, to_value, reason in rows:
            entry = _Entry(at, kind, from_value, to_value, reason)
            if kind is EventKind.STATUS:
                self._status[action_id].append(entry)
            elif kind in DUE_KINDS:
                self._due[action_id].append(entry)
            elif kind is EventKind.SIGN_OFF:
                self._sign_offs[action_id].append(at)
            elif kind is EventKind.REASON:
                self._reasons[action_id].append(entry)
            if kind in DECISION_KINDS:
                self._activity[action_id].append(at)
        self._dues: dict[str, Due] = {}

    def _parsed(self, text: str) -> Due:
        if text not in self._dues:
            try:
                self._dues[text] = parse_due(text)
            except ValueError:  # a due kept from before the rules: shown as written, no date
                self._dues[text] = Due(text=text)
        return self._dues[text]

    def status_at(self, card: Row, moment: datetime) -> str:
        return _value_at(self._status[card.id], moment, card.status)

    def at(self, moment: datetime) -> list[ActionAt]:
        """Every action of the plan as it stood at `moment`, in plan order."""
        return [self._action_at(card, moment) for card in self.cards]

    def _action_at(self, card: Row, moment: datetime) -> ActionAt:
        status = self.status_at(card, moment)
        due = self._parsed(_value_at(self._due[card.id], moment, card.due_text))
        activity = self._activity[card.id]
        done = bisect.bisect_left(activity, moment)
        completed_at = due_then = None
        signed_off = False
        if status == Status.COMPLETE.value:
            moves = [e for e in _before(self._status[card.id], moment) if e.to_value == Status.COMPLETE.value]
            if moves:
                completed_at = moves[-1].at
                due_then = self._parsed(_value_at(self._due[card.id], completed_at, card.due_text)).date
                signed_off = any(completed_at <= at < moment for at in self._sign_offs[card.id])
        reasons = _before(self._reasons[card.id], moment)
        closed = card.closed_how if card.closed_at is not None and card.closed_at < moment else None
        return ActionAt(card.id, card.ref, card.area_id, card.outcome_id, card.text, status, due.text,
                        due.date, due.cadence, card.created_at, activity[done - 1] if done else None,
                        completed_at, due_then, signed_off, reasons[-1].reason if reasons else None, closed)

    def status_counts(self, moments: list[datetime]) -> list[Counter]:
        """How many actions stood in each status at each moment."""
        return [Counter(self.status_at(card, moment) for card in self.cards) for moment in moments]


def plan_start(plan: Plan) -> date:
    """When the plan began: the first month named in its period ("September 2023 - 2024" began on
    1 September 2023), else the day it was imported."""
    for word, year in re.findall(r"([A-Za-z]+)\.?\s+(\d{4})", plan.period or ""):
        month = MONTHS.get(word.lower())
        if month:
            return date(int(year), month, 1)
    return plan.imported_at.date()


def weekly_counts(history: PlanHistory, until: date) -> list[tuple[date, Counter]]:
    """Status counts at the end of each week since the plan began, and at the end of `until`."""
    start = min(plan_start(history.plan), until)
    days = [start + timedelta(days=7 * week) for week in range((until - start).days // 7 + 1)]
    if days[-1] != until:
        days.append(until)
    return list(zip(days, history.status_counts([day_end(day) for day in days]), strict=True))


@dataclass(frozen=True)
class RatingAt:
    """An outcome's impact rating at a moment: the newest comment in force then, as it was worded."""

    rating: str
    text: str
    author: User
    written_at: datetime


def _comment_at(comment: ImpactComment, moment: datetime) -> RatingAt | None:
    if comment.created_at >= moment or (comment.withdrawn_at and comment.withdrawn_at < moment):
        return None
    for revision in sorted(comment.revisions, key=lambda r: r.replaced_at):
        if revision.replaced_at > moment:  # this wording was the one in force at the moment
            return RatingAt(revision.rating, revision.text, comment.author, revision.written_at)
    return RatingAt(comment.rating, comment.text, comment.author, comment.edited_at or comment.created_at)


def ratings_at(plan: Plan, moments: list[datetime]) -> dict[int, list[RatingAt | None]]:
    """Per outcome of the plan that has actions: its impact rating at each moment (None: not rated)."""
    comments = db.session.scalars(
        select(ImpactComment).join(Outcome).join(Area).where(Area.plan_id == plan.id)
        .options(selectinload(ImpactComment.author), selectinload(ImpactComment.revisions)
                 .selectinload(CommentRevision.replaced_by))
        .order_by(ImpactComment.id.desc())).all()
    by_outcome: dict[int, list[ImpactComment]] = defaultdict(list)
    for comment in comments:
        by_outcome[comment.outcome_id].append(comment)
    return {outcome_id: [next((found for c in newest_first if (found := _comment_at(c, moment))), None)
                         for moment in moments]
            for outcome_id, newest_first in by_outcome.items()}


def committee_notes(plan: Plan, moment: datetime) -> dict[int, list[EvidenceNote]]:
    """Per action: the evidence notes a committee may read that existed at `moment`, newest first.
    Never a note withdrawn (then or since), never one its author marked internal."""
    notes = db.session.scalars(
        select(EvidenceNote).join(Action).where(
            Action.plan_id == plan.id, EvidenceNote.created_at < moment, shown_outside_the_team())
        .order_by(EvidenceNote.id.desc())).all()
    by_action: dict[int, list[EvidenceNote]] = defaultdict(list)
    for note in notes:
        by_action[note.action_id].append(note)
    return by_action
