"""Reading an action's history: the timeline on its detail, and moves nobody explained."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from models import Action, ActionEvent, Status, User, db

KIND_WORDS = {"status": "Status", "reorder": "Reordered", "imported": "Imported from the plan",
              "note": "Added an evidence note", "note_edited": "Edited an evidence note",
              "note_withdrawn": "Withdrew an evidence note",
              "plan_text": "Plan text updated", "plan_due": "Due updated from the plan",
              "plan_owners": "Owners updated from the plan"}


@dataclass
class TimelineEntry:
    event: ActionEvent
    reason: str | None
    reason_by: str | None

    @property
    def summary(self) -> str:
        event = self.event
        if event.kind == "status":
            return f"Moved from {Status(event.from_value).label} to {Status(event.to_value).label}"
        if event.kind == "reorder":
            return f"Reordered from position {event.from_value} to {event.to_value}"
        if event.kind == "due":
            return f"Due changed from {event.from_value or 'none'} to {event.to_value}"
        return KIND_WORDS.get(event.kind, event.kind)


def latest_move(action: Action) -> ActionEvent | None:
    return db.session.scalars(
        select(ActionEvent).where(ActionEvent.action_id == action.id,
                                  ActionEvent.kind.in_(("status", "reorder")))
        .options(selectinload(ActionEvent.user)).order_by(ActionEvent.id.desc()).limit(1)
    ).first()


def timeline(action: Action) -> list[TimelineEntry]:
    """History newest first; each reason is shown on the move it explains."""
    events = db.session.scalars(
        select(ActionEvent).where(ActionEvent.action_id == action.id)
        .options(selectinload(ActionEvent.user)).order_by(ActionEvent.id.desc())
    ).all()
    reasons = {e.explains_event_id: e for e in events if e.kind == "reason"}
    entries = []
    for event in events:
        if event.kind == "reason":
            continue
        reason = reasons.get(event.id)
        entries.append(TimelineEntry(event, reason.reason if reason else None,
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
        .outerjoin(reason, (reason.explains_event_id == ActionEvent.id) & (reason.kind == "reason"))
        .where(Action.plan_id == plan_id, ActionEvent.kind == "status", reason.id.is_(None))
        .order_by(ActionEvent.id.desc()).limit(limit)
    ).all()
    return [UnexplainedMove(ref, at, by or "Unknown", Status(a), Status(b)) for ref, at, by, a, b in rows]
