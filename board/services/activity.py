"""What changed across the plan: moves, due changes, notes and impact comments, newest first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from models import Action, ActionEvent, Area, ImpactComment, ImpactRating, Outcome, Status, User, db

# Filter value -> the history kinds it covers.
KINDS = {
    "move": ("status", "reorder", "reason"),
    "due": ("due",),
    "note": ("note", "note_edited", "note_withdrawn"),
    "impact": (),
}
KIND_LABELS = {"move": "Moves", "due": "Due changes", "note": "Evidence notes", "impact": "Impact comments"}


@dataclass
class ActivityEntry:
    at: datetime
    who: str
    kind: str
    summary: str
    detail: str | None
    ref: str | None          # the card it links to
    outcome_id: int | None
    area_number: int


@dataclass
class ActivityPage:
    entries: list[ActivityEntry]
    page: int
    has_next: bool


def _summary(event: ActionEvent) -> tuple[str, str | None]:
    kind = event.kind
    if kind == "status":
        return (f"moved from {Status(event.from_value).label} to {Status(event.to_value).label}", None)
    if kind == "reorder":
        return (f"reordered (position {event.from_value} → {event.to_value})", None)
    if kind == "reason":
        return ("explained a move", event.reason)
    if kind == "due":
        return (f"changed due from {event.from_value or 'none'} to {event.to_value}", event.reason)
    if kind == "note":
        return ("added an evidence note", event.to_value)
    if kind == "note_edited":
        return ("edited an evidence note", event.to_value)
    return ("withdrew an evidence note", event.reason)


def activity(plan_id: int, *, area_number: int | None = None, user_id: int | None = None,
             kind: str | None = None, since: date | None = None, page: int = 1,
             per_page: int = 50) -> ActivityPage:
    """One page of plan-wide activity; filters combine. Two bounded queries, merged by time."""
    wanted = page * per_page + 1
    entries: list[ActivityEntry] = []
    if kind != "impact":
        kinds = KINDS.get(kind) or tuple(k for ks in KINDS.values() for k in ks)
        query = (select(ActionEvent, Action.ref, Area.number, User.name)
                 .join(Action, Action.id == ActionEvent.action_id).join(Area, Area.id == Action.area_id)
                 .outerjoin(User, User.id == ActionEvent.user_id)
                 .where(Action.plan_id == plan_id, ActionEvent.kind.in_(kinds)))
        query = _filtered(query, ActionEvent, area_number, user_id, since)
        for event, ref, number, name in db.session.execute(query.order_by(ActionEvent.at.desc()).limit(wanted)):
            summary, detail = _summary(event)
            entries.append(ActivityEntry(event.at, name or event.actor_label, event.kind, summary, detail,
                                         ref, None, number))
    if kind in (None, "", "impact"):
        query = (select(ImpactComment, Area.number, User.name)
                 .join(Outcome, Outcome.id == ImpactComment.outcome_id).join(Area, Area.id == Outcome.area_id)
                 .join(User, User.id == ImpactComment.author_id).where(Area.plan_id == plan_id))
        query = _filtered(query, ImpactComment, area_number, user_id, since, user_column="author_id",
                          at_column="created_at")
        for comment, number, name in db.session.execute(
                query.order_by(ImpactComment.created_at.desc()).limit(wanted)):
            entries.append(ActivityEntry(
                comment.created_at, name, "impact",
                f"rated an outcome “{ImpactRating(comment.rating).label}”", comment.text, None,
                comment.outcome_id, number))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    start = (page - 1) * per_page
    return ActivityPage(entries[start:start + per_page], page, len(entries) > start + per_page)


def _filtered(query, model, area_number, user_id, since, user_column="user_id", at_column="at"):
    if area_number:
        query = query.where(Area.number == area_number)
    if user_id:
        query = query.where(getattr(model, user_column) == user_id)
    if since:
        query = query.where(getattr(model, at_column) >= datetime.combine(since, datetime.min.time()))
    return query
