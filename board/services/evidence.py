"""Evidence notes on actions, due-date changes, and impact comments on outcomes.

Each change is attributed and kept: an edit keeps the earlier wording, a withdrawal keeps the note or
comment, a due change appends history with its reason. Every change names what its author saw (the
note's or comment's version, the due as it was): if someone changed it first, nothing is applied and
a conflict says what it is now, so no edit silently overwrites another.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import selectinload

from board import clock
from board.services.due import Due, DueNotUnderstood, parse_due
from board.services.moves import bump_change_counter, lock_area
from board.services.note_rows import excerpt, new_note
from models import (
    Action,
    ActionEvent,
    CommentRevision,
    EventKind,
    EvidenceNote,
    ImpactComment,
    ImpactRating,
    NoteRevision,
    Outcome,
    Role,
    User,
    db,
    plain_rows,
)

MAX_REASON = 500


class EvidenceRefused(ValueError):
    """The change cannot be made; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class EditConflict(EvidenceRefused):
    """Someone changed the note, comment or due first; `current` is what it is now."""

    def __init__(self, message: str, current, field: str | None = None):
        super().__init__(message, field)
        self.current = current


def _touch(action: Action, user: User, when) -> None:
    action.last_activity_at, action.last_activity_by_id = when, user.id
    bump_change_counter(action)


def _claim(model, row, expected_version: int) -> bool:
    """Take the row's next version if it is still `expected_version` and not withdrawn."""
    claimed = db.session.execute(
        update(model).where(model.id == row.id, model.version == expected_version, model.withdrawn_at.is_(None))
        .values(version=model.version + 1).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(row)
        return False
    db.session.refresh(row)  # what it says now, read inside this change
    return True


# --- evidence notes -------------------------------------------------------------------------------

def add_note(action: Action, text: str, link_url: str | None, user: User, *,
             internal: bool = False) -> EvidenceNote:
    """Add a note; an internal one is for the board only (committees never see it)."""
    note = stage_note(action, text, link_url, user, internal=internal)
    db.session.commit()
    return note


def stage_note(action: Action, text: str, link_url: str | None, user: User, *,
               internal: bool = False) -> EvidenceNote:
    """`add_note` without the commit, for a change made of several parts."""
    lock_area(action.area_id)
    now = clock.now()
    note = new_note(action.id, text, link_url, user, now, internal=internal)
    _touch(action, user, now)
    return note


def may_change_note(note: EvidenceNote, user) -> bool:
    """Its author or an admin, while it is not withdrawn."""
    return (note.withdrawn_at is None and getattr(user, "is_authenticated", False)
            and (note.author_id == user.id or user.has_role(Role.ADMIN)))


def _note_conflict(note: EvidenceNote) -> EditConflict:
    who = note.withdrawn_by.name if note.withdrawn_at else (note.revisions[0].replaced_by.name
                                                           if note.revisions else note.author.name)
    if note.withdrawn_at:
        return EditConflict(f"{who} withdrew this note while you were working on it; nothing was changed.",
                            note, "text")
    return EditConflict(f"{who} changed this note while you were editing it: their wording is shown above, "
                        "yours is still in the form. Save again to replace theirs with yours.", note, "text")


def edit_note(note: EvidenceNote, text: str, link_url: str | None, user: User,
              expected_version: int | None = None) -> EvidenceNote:
    """Change a note's wording; the earlier wording is kept as a revision."""
    text, link_url = text.strip(), link_url or None
    action = db.session.get(Action, note.action_id)
    lock_area(action.area_id)
    if not _claim(EvidenceNote, note, note.version if expected_version is None else expected_version):
        raise _note_conflict(note)
    if (text, link_url) == (note.text, note.link_url):
        db.session.rollback()
        raise EvidenceRefused("Nothing changed: edit the text or the link first.", "text")
    now = clock.now()
    db.session.add(NoteRevision(note=note, text=note.text, link_url=note.link_url,
                                written_at=note.edited_at or note.created_at, replaced_at=now,
                                replaced_by_id=user.id))
    note.text, note.link_url, note.edited_at = text, link_url, now
    db.session.add(ActionEvent(action_id=action.id, user=user, at=now, kind=EventKind.NOTE_EDITED,
                               to_value=excerpt(text)))
    _touch(action, user, now)
    db.session.commit()
    return note


def withdraw_note(note: EvidenceNote, reason: str, user: User,
                  expected_version: int | None = None) -> EvidenceNote:
    """Withdraw a note: it stays, shown as withdrawn with the reason."""
    reason = " ".join(reason.split())
    if not reason:
        raise EvidenceRefused("Say why the note is withdrawn.", "reason")
    action = db.session.get(Action, note.action_id)
    lock_area(action.area_id)
    if not _claim(EvidenceNote, note, note.version if expected_version is None else expected_version):
        conflict = _note_conflict(note)
        conflict.field = "reason"
        raise conflict
    now = clock.now()
    note.withdrawn_at, note.withdrawn_by_id, note.withdraw_reason = now, user.id, reason
    db.session.add(ActionEvent(action_id=action.id, user=user, at=now, kind=EventKind.NOTE_WITHDRAWN,
                               from_value=excerpt(note.text), reason=reason))
    _touch(action, user, now)
    db.session.commit()
    return note


def notes_for(action: Action, *, outside_the_team: bool = False) -> list[EvidenceNote]:
    """Newest first, with their authors and earlier wordings; for readers outside the team (a committee)
    only the notes they may read (`shown_outside_the_team`)."""
    query = (select(EvidenceNote).where(EvidenceNote.action_id == action.id)
             .options(selectinload(EvidenceNote.author), selectinload(EvidenceNote.withdrawn_by),
                      selectinload(EvidenceNote.revisions).selectinload(NoteRevision.replaced_by))
             .order_by(EvidenceNote.id.desc()))
    if outside_the_team:
        query = query.where(shown_outside_the_team())
    return list(db.session.scalars(query))


def shown_outside_the_team():
    """The notes anyone outside the team may read (committees, the API): neither withdrawn nor marked
    internal by their author. The one place that says so."""
    return EvidenceNote.withdrawn_at.is_(None) & EvidenceNote.internal.is_(False)


def _notes_counted(outside_the_team: bool):
    return shown_outside_the_team() if outside_the_team else EvidenceNote.withdrawn_at.is_(None)


def note_count_column(outside_the_team: bool):
    """The notes `note_counts` counts, as a column of a statement reading actions (correlated to `Action`)."""
    return (select(func.count(EvidenceNote.id)).where(EvidenceNote.action_id == Action.id, _notes_counted(outside_the_team))
            .scalar_subquery().label("note_count"))


def _note_counts_query(outside_the_team: bool, of_areas: bool):
    shown = _notes_counted(outside_the_team)
    query = (select(EvidenceNote.action_id, func.count(EvidenceNote.id)).join(Action, Action.id == EvidenceNote.action_id)
             .where(shown, Action.plan_id == bindparam("plan_id")).group_by(EvidenceNote.action_id))
    return query.where(Action.area_id.in_(bindparam("area_ids", expanding=True))) if of_areas else query


# Built once (every board drawn from nothing, every move and live refresh runs one).
_NOTE_COUNTS = {(outside, of_areas): _note_counts_query(outside, of_areas) for outside in (False, True)
                for of_areas in (False, True)}


def note_counts(plan_id: int, only_area_ids: set[int] | None = None, *,
                outside_the_team: bool = False) -> dict[int, int]:
    """Notes in force (not withdrawn) per action of the plan (or of these areas), in one query; for readers
    outside the team (a committee), only the notes they may read."""
    query = _NOTE_COUNTS[(outside_the_team, only_area_ids is not None)]
    params = {"plan_id": plan_id} if only_area_ids is None else {"plan_id": plan_id, "area_ids": list(only_area_ids)}
    return dict(plain_rows(query, params))


# --- due changes ----------------------------------------------------------------------------------

@dataclass
class DueConflict:
    """The due as it is now, and the change that made it so."""

    due_text: str
    by_event: ActionEvent | None


def change_due(action: Action, new_due: str, reason: str, user: User, today: date,
               expected_due: str | None = None) -> ActionEvent:
    """Set a new due month, date, cadence or TBC, with a required reason; history keeps old -> new.

    `expected_due` is the due the person saw; if it has changed since, nothing is applied
    (EditConflict). The change and the count of changes are made in one conditional UPDATE, so each
    entry's "from" is exactly the previous entry's "to" whoever changes the due at the same time.
    """
    due, reason = check_due_change(action, new_due, reason, today, expected_due)
    event = stage_due_change(action, due, reason, user, expected_due)
    db.session.commit()
    return event


def check_due_change(action: Action, new_due: str, reason: str, today: date,
                     expected_due: str | None = None) -> tuple[Due, str]:
    """The new due understood and its reason tidied, or EvidenceRefused saying what will not do."""
    try:
        due = parse_due(new_due)
    except DueNotUnderstood as problem:
        raise EvidenceRefused(str(problem), "new_due") from None
    if not due.text:
        raise EvidenceRefused("Enter the new due: a month, a date, a cadence or TBC.", "new_due")
    if due.text == (action.due_text if expected_due is None else expected_due):
        raise EvidenceRefused(f"The action is already due {due.text}.", "new_due")
    if due.date is not None and due.date < today:
        raise EvidenceRefused(f"{due.text} has already passed: choose a due date from today on.", "new_due")
    reason = " ".join(reason.split())
    if not reason:
        raise EvidenceRefused("Say why the due date moves.", "reason")
    return due, reason


def stage_due_change(action: Action, due: Due, reason: str, user: User,
                     expected_due: str | None = None) -> ActionEvent:
    """Apply a checked due change without committing (EditConflict, all rolled back, if the due is no
    longer `expected_due`)."""
    lock_area(action.area_id)
    seen = action.due_text if expected_due is None else expected_due
    changed = db.session.execute(
        update(Action).where(Action.id == action.id, Action.due_text == seen)
        .values(due_text=due.text, due_date=due.date, cadence=due.cadence, due_moves=Action.due_moves + 1)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        db.session.refresh(action)
        latest = db.session.scalars(select(ActionEvent).where(
            ActionEvent.action_id == action.id, ActionEvent.kind == EventKind.DUE)
            .order_by(ActionEvent.id.desc()).limit(1)).first()
        who = f" by {latest.actor_name} at {clock.local_time(latest.at)}" if latest else ""
        raise EditConflict(f"{action.ref}'s due was changed to {action.due_text}{who} while you were "
                           "changing it; yours was not applied. Your new due and reason are still in the form.",
                           DueConflict(action.due_text, latest), "new_due")
    db.session.refresh(action)
    now = clock.now()
    event = ActionEvent(action_id=action.id, user=user, at=now, kind=EventKind.DUE,
                        from_value=seen, to_value=due.text, reason=reason)
    db.session.add(event)
    _touch(action, user, now)
    return event


# --- impact comments ------------------------------------------------------------------------------

def _rating(rating: str) -> str:
    try:
        return ImpactRating(rating).value
    except ValueError:
        raise EvidenceRefused("Choose an impact rating.", "rating") from None


def add_impact_comment(outcome: Outcome, text: str, rating: str, user: User) -> ImpactComment:
    comment = ImpactComment(outcome_id=outcome.id, author=user, text=text.strip(), rating=_rating(rating),
                            created_at=clock.now())
    db.session.add(comment)
    db.session.commit()
    return comment


def may_change_comment(comment: ImpactComment, user) -> bool:
    """Its author or an admin, while it is not withdrawn."""
    return may_change_note(comment, user)


def _comment_conflict(comment: ImpactComment, field: str) -> EditConflict:
    if comment.withdrawn_at:
        return EditConflict(f"{comment.withdrawn_by.name} withdrew this comment while you were working on it; "
                            "nothing was changed.", comment, field)
    return EditConflict("Someone changed this comment while you were editing it: their wording is shown above, "
                        "yours is still in the form. Save again to replace theirs with yours.", comment, field)


def edit_impact_comment(comment: ImpactComment, text: str, rating: str, user: User,
                        expected_version: int | None = None) -> ImpactComment:
    """Change a comment's wording or rating; the earlier ones are kept as a revision."""
    text, rating = text.strip(), _rating(rating)
    if not _claim(ImpactComment, comment, comment.version if expected_version is None else expected_version):
        raise _comment_conflict(comment, "text")
    if (text, rating) == (comment.text, comment.rating):
        db.session.rollback()
        raise EvidenceRefused("Nothing changed: edit the words or the rating first.", "text")
    now = clock.now()
    db.session.add(CommentRevision(comment=comment, text=comment.text, rating=comment.rating,
                                   written_at=comment.edited_at or comment.created_at, replaced_at=now,
                                   replaced_by_id=user.id))
    comment.text, comment.rating, comment.edited_at = text, rating, now
    db.session.commit()
    return comment


def withdraw_impact_comment(comment: ImpactComment, reason: str, user: User,
                            expected_version: int | None = None) -> ImpactComment:
    reason = " ".join(reason.split())
    if not reason:
        raise EvidenceRefused("Say why the comment is withdrawn.", "reason")
    if not _claim(ImpactComment, comment, comment.version if expected_version is None else expected_version):
        raise _comment_conflict(comment, "reason")
    comment.withdrawn_at, comment.withdrawn_by_id, comment.withdraw_reason = clock.now(), user.id, reason
    db.session.commit()
    return comment


def comments_for(outcome_ids, *, include_withdrawn: bool = True) -> dict[int, list[ImpactComment]]:
    """Impact comments per outcome, newest first, in one query (with their earlier wordings)."""
    by_outcome: dict[int, list[ImpactComment]] = {oid: [] for oid in outcome_ids}
    query = (select(ImpactComment).where(ImpactComment.outcome_id.in_(list(outcome_ids)))
             .options(selectinload(ImpactComment.author), selectinload(ImpactComment.withdrawn_by),
                      selectinload(ImpactComment.revisions).selectinload(CommentRevision.replaced_by))
             .order_by(ImpactComment.id.desc()))
    if not include_withdrawn:
        query = query.where(ImpactComment.withdrawn_at.is_(None))
    for comment in db.session.scalars(query):
        by_outcome[comment.outcome_id].append(comment)
    return by_outcome


def in_force(comments: list[ImpactComment]) -> ImpactComment | None:
    """The newest comment not withdrawn: its rating is the outcome's impact rating."""
    return next((comment for comment in comments if comment.withdrawn_at is None), None)


def latest_comment(outcome: Outcome) -> ImpactComment | None:
    """The latest comment in force: its rating is the outcome's impact rating."""
    return db.session.scalars(
        select(ImpactComment).where(ImpactComment.outcome_id == outcome.id, ImpactComment.withdrawn_at.is_(None))
        .options(selectinload(ImpactComment.author)).order_by(ImpactComment.id.desc()).limit(1)).first()
