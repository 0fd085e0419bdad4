"""Evidence notes on actions, due-date changes, and impact comments on outcomes.

Each change is attributed and kept: an edit keeps the earlier wording, a withdrawal keeps the note,
a due change appends history with its reason.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from board import clock
from board.services.due import DueNotUnderstood, parse_due
from board.services.moves import bump_change_counter
from models import (
    Action,
    ActionEvent,
    EventKind,
    EvidenceNote,
    ImpactComment,
    ImpactRating,
    NoteRevision,
    Outcome,
    Role,
    User,
    db,
)

MAX_REASON = 500


class EvidenceRefused(ValueError):
    """The change cannot be made; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _touch(action: Action, user: User, when) -> None:
    action.last_activity_at, action.last_activity_by_id = when, user.id
    bump_change_counter(action)


def _excerpt(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def add_note(action: Action, text: str, link_url: str | None, user: User) -> EvidenceNote:
    now = clock.now()
    note = EvidenceNote(action_id=action.id, author=user, text=text.strip(), link_url=link_url or None,
                        created_at=now)
    db.session.add(note)
    db.session.add(ActionEvent(action_id=action.id, user=user, at=now, kind=EventKind.NOTE,
                               to_value=_excerpt(note.text)))
    _touch(action, user, now)
    db.session.commit()
    return note


def may_change_note(note: EvidenceNote, user) -> bool:
    """Its author or an admin, while it is not withdrawn."""
    return (note.withdrawn_at is None and getattr(user, "is_authenticated", False)
            and (note.author_id == user.id or user.has_role(Role.ADMIN)))


def edit_note(note: EvidenceNote, text: str, link_url: str | None, user: User) -> EvidenceNote:
    """Change a note's wording; the earlier wording is kept as a revision."""
    text, link_url = text.strip(), link_url or None
    if (text, link_url) == (note.text, note.link_url):
        raise EvidenceRefused("Nothing changed: edit the text or the link first.", "text")
    now = clock.now()
    db.session.add(NoteRevision(note=note, text=note.text, link_url=note.link_url,
                                written_at=note.edited_at or note.created_at, replaced_at=now,
                                replaced_by_id=user.id))
    note.text, note.link_url, note.edited_at = text, link_url, now
    action = db.session.get(Action, note.action_id)
    db.session.add(ActionEvent(action_id=action.id, user=user, at=now, kind=EventKind.NOTE_EDITED,
                               to_value=_excerpt(text)))
    _touch(action, user, now)
    db.session.commit()
    return note


def withdraw_note(note: EvidenceNote, reason: str, user: User) -> EvidenceNote:
    """Withdraw a note: it stays, shown as withdrawn with the reason."""
    reason = " ".join(reason.split())
    if not reason:
        raise EvidenceRefused("Say why the note is withdrawn.", "reason")
    now = clock.now()
    note.withdrawn_at, note.withdrawn_by_id, note.withdraw_reason = now, user.id, reason
    action = db.session.get(Action, note.action_id)
    db.session.add(ActionEvent(action_id=action.id, user=user, at=now, kind=EventKind.NOTE_WITHDRAWN,
                               from_value=_excerpt(note.text), reason=reason))
    _touch(action, user, now)
    db.session.commit()
    return note


def notes_for(action: Action) -> list[EvidenceNote]:
    """Newest first, with their authors and earlier wordings."""
    return list(db.session.scalars(
        select(EvidenceNote).where(EvidenceNote.action_id == action.id)
        .options(selectinload(EvidenceNote.author), selectinload(EvidenceNote.withdrawn_by),
                 selectinload(EvidenceNote.revisions).selectinload(NoteRevision.replaced_by))
        .order_by(EvidenceNote.id.desc())))


def note_counts() -> dict[int, int]:
    """Notes in force (not withdrawn) per action, in one query."""
    query = (select(EvidenceNote.action_id, func.count(EvidenceNote.id))
             .where(EvidenceNote.withdrawn_at.is_(None)).group_by(EvidenceNote.action_id))
    return dict(db.session.execute(query).all())


def change_due(action: Action, new_due: str, reason: str, user: User, today: date) -> ActionEvent:
    """Set a new due month, date, cadence or TBC, with a required reason; history keeps old -> new."""
    try:
        due = parse_due(new_due)
    except DueNotUnderstood as problem:
        raise EvidenceRefused(str(problem), "new_due") from None
    if not due.text:
        raise EvidenceRefused("Enter the new due: a month, a date, a cadence or TBC.", "new_due")
    if due.text == action.due_text:
        raise EvidenceRefused(f"The action is already due {due.text}.", "new_due")
    if due.date is not None and due.date < today:
        raise EvidenceRefused(f"{due.text} has already passed: choose a due date from today on.", "new_due")
    reason = " ".join(reason.split())
    if not reason:
        raise EvidenceRefused("Say why the due date moves.", "reason")
    now = clock.now()
    event = ActionEvent(action_id=action.id, user=user, at=now, kind=EventKind.DUE,
                        from_value=action.due_text, to_value=due.text, reason=reason)
    db.session.add(event)
    action.due_text, action.due_date, action.cadence = due.text, due.date, due.cadence
    action.due_moves = (action.due_moves or 0) + 1
    _touch(action, user, now)
    db.session.commit()
    return event


def due_history(action: Action) -> list[ActionEvent]:
    return list(db.session.scalars(
        select(ActionEvent).where(ActionEvent.action_id == action.id, ActionEvent.kind == EventKind.DUE)
        .options(selectinload(ActionEvent.user)).order_by(ActionEvent.id.desc())))


def add_impact_comment(outcome: Outcome, text: str, rating: str, user: User) -> ImpactComment:
    try:
        rating = ImpactRating(rating).value
    except ValueError:
        raise EvidenceRefused("Choose an impact rating.", "rating") from None
    comment = ImpactComment(outcome_id=outcome.id, author=user, text=text.strip(), rating=rating)
    db.session.add(comment)
    db.session.commit()
    return comment


def comments_for(outcome_ids) -> dict[int, list[ImpactComment]]:
    """Impact comments per outcome, newest first, in one query."""
    by_outcome: dict[int, list[ImpactComment]] = {oid: [] for oid in outcome_ids}
    rows = db.session.scalars(
        select(ImpactComment).where(ImpactComment.outcome_id.in_(list(outcome_ids)))
        .options(selectinload(ImpactComment.author)).order_by(ImpactComment.id.desc()))
    for comment in rows:
        by_outcome[comment.outcome_id].append(comment)
    return by_outcome


def latest_comment(outcome: Outcome) -> ImpactComment | None:
    return db.session.scalars(
        select(ImpactComment).where(ImpactComment.outcome_id == outcome.id)
        .options(selectinload(ImpactComment.author)).order_by(ImpactComment.id.desc()).limit(1)).first()
