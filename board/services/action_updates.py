"""Giving an action an update: a new status with its reason, an evidence note, a new due, in one submit.

Who may: editors and the plan owner on any action, and a contributor who holds one of the action's
owner roles (the person the plan names); and anyone through the link an update request emailed them
(`update_requests`), once. Everything given is applied in one transaction, or nothing is: a conflict
(someone moved the card or its due first) rolls back the whole update and says what changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from board.services import update_requests
from board.services.evidence import EvidenceRefused, check_due_change, stage_due_change, stage_note
from board.services.moves import MAX_REASON, Evidence, resolve_position, stage_move, stage_reason
from models import Action, Role, Status, UpdateLink, User, db

NOTHING_GIVEN = ("Nothing to save: choose a new status, write an evidence note or give a new due. "
                 "To say it is still on track, write a short evidence note.")


def may_update(action: Action, user) -> bool:
    """Editors and the plan owner; a contributor holding one of the action's owner roles."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.CONTRIBUTOR):
        return False
    if user.has_role(Role.EDITOR):
        return True
    return bool({role.id for role in user.owner_roles} & {role.id for role in action.owners})


@dataclass(frozen=True)
class UpdateForm:
    """What the person sent. `seen_status` and `seen_due` are what the form showed; `version` the card's."""

    status: str
    seen_status: str
    version: int
    status_reason: str = ""
    note: str = ""
    note_link: str | None = None
    new_due: str = ""
    due_reason: str = ""
    seen_due: str = ""


@dataclass
class UpdateGiven:
    action: Action
    status_from: str | None = None
    due_to: str | None = None
    note_added: bool = False

    def summary(self) -> str:
        """"2.7: Amber to Green, due Feb 2024, an evidence note."""
        parts = []
        if self.status_from:
            parts.append(f"{Status(self.status_from).label} to {self.action.status_enum.label}")
        if self.due_to:
            parts.append(f"due {self.due_to}")
        if self.note_added:
            parts.append("an evidence note")
        return f"{self.action.ref}: " + ", ".join(parts)


def give_update(action: Action, user: User, given: UpdateForm, today: date,
                link: UpdateLink | None = None) -> UpdateGiven:
    """Apply the update as `user` (through `link`, which is then used up). EvidenceRefused names the field
    that will not do; EditConflict (due) and MoveConflict (status) mean someone changed it first."""
    status_changed = given.status != given.seen_status
    if status_changed:
        try:
            Status(given.status)
        except ValueError:
            raise EvidenceRefused("Choose a status from the list.", "status") from None
        reason = " ".join(given.status_reason.split())
        if not reason:
            raise EvidenceRefused("Say why the status changes.", "status_reason")
        if len(reason) > MAX_REASON:
            raise EvidenceRefused(f"Keep the reason under {MAX_REASON} characters.", "status_reason")
    due = None
    if given.new_due.strip():
        try:
            due, due_reason = check_due_change(action, given.new_due, given.due_reason, today, given.seen_due)
        except EvidenceRefused as problem:
            raise EvidenceRefused(str(problem), "due_reason" if problem.field == "reason" else problem.field) from None
    note = given.note.strip()
    if not (status_changed or due or note):
        raise EvidenceRefused(NOTHING_GIVEN, "note")
    if status_changed and given.status == Status.COMPLETE.value and not note:
        raise EvidenceRefused(f"Complete means evidenced: say in the note what shows {action.ref} is done (and "
                              "link to it).", "note")

    done = UpdateGiven(action)
    if link is not None and not update_requests.use_link(link):
        db.session.rollback()
        raise EvidenceRefused("This link has already been used: nothing was changed.", "note")
    if due:
        stage_due_change(action, due, due_reason, user, given.seen_due)
        done.due_to = due.text
    # Complete means evidenced: the note given in the same update is the completion's evidence.
    completing = status_changed and given.status == Status.COMPLETE.value
    if status_changed:
        done.status_from = action.status
        moved = stage_move(action, given.status, resolve_position(action, given.status), given.version, user,
                           evidence=Evidence(note, given.note_link) if completing else None)
        db.session.flush()
        stage_reason(action, moved.event, reason, user)
    if note and not completing:
        stage_note(action, note, given.note_link, user)
    done.note_added = bool(note)
    db.session.commit()
    return done

