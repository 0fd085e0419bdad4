"""Reading history: one description of every kind of event, an action's timeline, unexplained moves.

`describe` is the only place that puts an event into words: the timeline, the activity page, clinic
minutes and the exports all use it, so an event reads the same wherever it is shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from models import Action, ActionEvent, EventKind, ImpactRating, Status, User, db
from models.action import MOVE_KINDS


@dataclass(frozen=True)
class Described:
    """An event in words: what happened, and the words that go with it (a reason, a note)."""

    summary: str
    detail: str | None = None


def _status(value: str | None) -> str:
    return Status(value).label if value else "none"


def describe(kind: EventKind, from_value: str | None = None, to_value: str | None = None,
             reason: str | None = None) -> Described:
    """What an event of `kind` says. For a status change, `reason` is the reason given for it."""
    kind = EventKind(kind)
    if kind is EventKind.STATUS:
        return Described(f"Moved from {_status(from_value)} to {_status(to_value)}", reason)
    if kind is EventKind.REORDER:
        return Described(f"Reordered from position {from_value} to {to_value}")
    if kind is EventKind.REASON:
        return Described(f"Reason given for the move to {_status(to_value)}", reason)
    if kind is EventKind.DUE:
        return Described(f"Due changed from {from_value or 'none'} to {to_value}", reason)
    if kind is EventKind.NOTE:
        return Described("Evidence note added", to_value)
    if kind is EventKind.NOTE_EDITED:
        return Described("Evidence note edited", to_value)
    if kind is EventKind.NOTE_WITHDRAWN:
        return Described("Evidence note withdrawn", reason)
    if kind is EventKind.IMPORTED:
        return Described("Added from the plan")
    if kind is EventKind.PLAN_TEXT:
        return Described("Action text updated from the plan")
    if kind is EventKind.PLAN_DUE:
        return Described(f"Due updated from the plan: {from_value or 'none'} to {to_value}")
    if kind is EventKind.PLAN_OWNERS:
        return Described("Owners updated from the plan", to_value)
    if kind is EventKind.SIGN_OFF:
        return Described("Completion signed off by the plan owner")
    if kind is EventKind.CARRIED_FROM:
        return Described(f"Carried forward from {from_value}, as {_status(to_value)}")
    if kind is EventKind.CARRIED_TO:
        return Described(f"Carried forward to {to_value}")
    if kind is EventKind.CLOSED:
        return Described(f"Closed: {(to_value or '').lower()}", reason)
    return Described(f"Impact rated “{ImpactRating(to_value).label}”", reason)


def describe_event(event: ActionEvent, reason: str | None = None) -> Described:
    return describe(event.kind, event.from_value, event.to_value, reason or event.reason)


@dataclass
class TimelineEntry:
    event: ActionEvent
    described: Described
    reason_by: str | None       # who gave a status change its reason (may differ from the mover)

    @property
    def words(self) -> str | None:
        """Words shown with the entry: reasons, not a note's text (the notes section shows notes whole)."""
        if self.event.kind in (EventKind.NOTE, EventKind.NOTE_EDITED):
            return None
        return self.described.detail


def latest_move(action: Action) -> ActionEvent | None:
    return db.session.scalars(
        select(ActionEvent).where(ActionEvent.action_id == action.id, ActionEvent.kind.in_(MOVE_KINDS))
        .options(selectinload(ActionEvent.user)).order_by(ActionEvent.id.desc()).limit(1)
    ).first()


def timeline(action: Action) -> list[TimelineEntry]:
    """History newest first; each reason is shown on the move it explains."""
    events = db.session.scalars(
        select(ActionEvent).where(ActionEvent.action_id == action.id)
        .options(selectinload(ActionEvent.user)).order_by(ActionEvent.id.desc())
    ).all()
    reasons = {e.explains_event_id: e for e in events if e.kind is EventKind.REASON}
    entries = []
    for event in events:
        if event.kind is EventKind.REASON:
            continue
        reason = reasons.get(event.id)
        entries.append(TimelineEntry(event, describe_event(event, reason.reason if reason else None),
                                     reason.actor_name if reason else None))
    return entries


@dataclass
class UnexplainedMove:
    ref: str
    at: datetime
    by: str
    from_status: Status
    to_status: Status


def unexplained_moves(plan_id: int, limit: int = 200) -> list[UnexplainedMove]:
    """Status changes with no reason, newest first: the plan owner follows these up."""
    reason = aliased(ActionEvent)
    rows = db.session.execute(
        select(Action.ref, ActionEvent.at, User.name, ActionEvent.from_value, ActionEvent.to_value)
        .join(Action, Action.id == ActionEvent.action_id)
        .outerjoin(User, User.id == ActionEvent.user_id)
        .outerjoin(reason, (reason.explains_event_id == ActionEvent.id) & (reason.kind == EventKind.REASON))
        .where(Action.plan_id == plan_id, ActionEvent.kind == EventKind.STATUS, reason.id.is_(None))
        .order_by(ActionEvent.id.desc()).limit(limit)
    ).all()
    return [UnexplainedMove(ref, at, by or "Unknown", Status(a), Status(b)) for ref, at, by, a, b in rows]
