"""What changed across the plan: moves, due changes, notes and impact comments, newest first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from board.services.history import describe, describe_event
from models import Action, ActionEvent, ActivityRecord, EventKind, ImpactComment, User, db
from models.action import MOVE_KINDS, NOTE_KINDS

# Filter value -> (label, the kinds it covers).
KINDS = {
    "move": ("Status changes", (*MOVE_KINDS, EventKind.REASON, EventKind.SIGN_OFF)),
    "due": ("Due changes", (EventKind.DUE,)),
    "note": ("Evidence notes", NOTE_KINDS),
    "impact": ("Impact comments", (EventKind.IMPACT_COMMENT,)),
}
PER_PAGE = 50


@dataclass
class ActivityEntry:
    at: datetime
    who: str
    kind: EventKind
    summary: str
    detail: str | None
    ref: str | None          # the card it links to
    outcome_id: int | None
    area_number: int


@dataclass
class ActivityPage:
    entries: list[ActivityEntry]
    pagination: Pagination      # page, pages, total, has_next, next_num, has_prev, prev_num


@dataclass(frozen=True)
class ActivityFilter:
    area_number: int | None = None
    user_id: int | None = None
    kind: str | None = None          # a key of KINDS
    since: date | None = None


def activity(plan_id: int, chosen: ActivityFilter | None = None, page: int = 1,
             per_page: int = PER_PAGE) -> ActivityPage:
    """One page of plan-wide activity (filters combine), and its entries in words."""
    chosen = chosen or ActivityFilter()
    query = select(ActivityRecord).where(ActivityRecord.plan_id == plan_id)
    if chosen.area_number:
        query = query.where(ActivityRecord.area_number == chosen.area_number)
    if chosen.user_id:
        query = query.where(ActivityRecord.user_id == chosen.user_id)
    if chosen.kind in KINDS:
        query = query.where(ActivityRecord.kind.in_(KINDS[chosen.kind][1]))
    else:
        query = query.where(ActivityRecord.kind.in_([k for _, kinds in KINDS.values() for k in kinds]))
    if chosen.since:
        query = query.where(ActivityRecord.at >= datetime.combine(chosen.since, time.min))
    pagination = db.paginate(query.order_by(ActivityRecord.at.desc(), ActivityRecord.id.desc()),
                             page=page, per_page=per_page, error_out=False)
    return ActivityPage(_entries(pagination.items), pagination)


def _entries(records: list[ActivityRecord]) -> list[ActivityEntry]:
    """The page's records in words: one query for history entries, one for impact comments."""
    event_ids = [r.id for r in records if r.source == "event"]
    comment_ids = [r.id for r in records if r.source == "comment"]
    events = {event.id: (event, ref, name) for event, ref, name in db.session.execute(
        select(ActionEvent, Action.ref, User.name).join(Action, Action.id == ActionEvent.action_id)
        .outerjoin(User, User.id == ActionEvent.user_id).where(ActionEvent.id.in_(event_ids)))} if event_ids else {}
    comments = {comment.id: (comment, name) for comment, name in db.session.execute(
        select(ImpactComment, User.name).join(User, User.id == ImpactComment.author_id)
        .where(ImpactComment.id.in_(comment_ids)))} if comment_ids else {}
    entries = []
    for record in records:
        if record.source == "event":
            event, ref, name = events[record.id]
            words = describe_event(event)
            entries.append(ActivityEntry(event.at, name or event.actor_label, event.kind, words.summary,
                                         words.detail, ref, None, record.area_number))
        else:
            comment, name = comments[record.id]
            words = describe(EventKind.IMPACT_COMMENT, to_value=comment.rating, reason=comment.text)
            entries.append(ActivityEntry(comment.created_at, name, EventKind.IMPACT_COMMENT, words.summary,
                                         words.detail, None, comment.outcome_id, record.area_number))
    return entries
