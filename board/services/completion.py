"""Complete means evidenced: completion against the due date, and the plan owner's sign-off.

Moving a card to Complete carries its evidence (see `move_action`). When the plan owner requires
sign-off (a plan setting), a completed card is "Complete, awaiting sign-off" until they sign it off;
the sign-off is a history entry, and any later change of status clears it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import update

from board import clock
from board.services import audit
from board.services.moves import bump_change_counter, lock_area
from models import Action, ActionEvent, EventKind, Plan, Status, User, db


def completion_words(completed_on: date | None, due: date | None) -> str | None:
    """'completed on time', 'completed 3 days late' or 'completed 6 weeks late' against the due in
    force; None when it has no due date or is not complete."""
    if completed_on is None or due is None:
        return None
    late = (completed_on - due).days
    if late <= 0:
        return "completed on time"
    if late < 7:
        return f"completed {late} day{'s' if late != 1 else ''} late"
    weeks = late // 7
    return f"completed {weeks} week{'s' if weeks != 1 else ''} late"


def card_completion(card, plan: Plan) -> tuple[str | None, bool]:
    """What a Complete card says beside its status: how it finished against its due, and whether it
    awaits the plan owner's sign-off."""
    if card.status != Status.COMPLETE.value:
        return None, False
    finished = clock.local_date(card.status_changed_at) if card.status_changed_at else None
    return completion_words(finished, card.due_date), bool(plan.require_sign_off and not card.signed_off_at)


def unevidenced(card) -> bool:
    """Green or Complete with no evidence note in force (that its reader may see): boards and committees
    do not accept green without evidence. A row that only points at other actions has no evidence of its
    own to give."""
    return (card.status in (Status.GREEN.value, Status.COMPLETE.value) and not card.note_count
            and not card.is_pointer)


class SignOffRefused(ValueError):
    """The sign-off cannot be made (the card is not complete, is signed off, or changed since)."""


def sign_off(action: Action, user: User, expected_version: int) -> ActionEvent:
    """The plan owner accepts a completion and its evidence. Refused when the card changed since the
    person saw it, is not complete, or is signed off already."""
    lock_area(action.area_id)
    now = clock.now()
    signed = db.session.execute(
        update(Action).where(Action.id == action.id, Action.version == expected_version,
                             Action.status == Status.COMPLETE.value, Action.signed_off_at.is_(None))
        .values(signed_off_at=now).execution_options(synchronize_session=False)).rowcount
    if signed != 1:
        db.session.rollback()
        db.session.refresh(action)
        if action.status != Status.COMPLETE.value:
            raise SignOffRefused(f"{action.ref} is {Status(action.status).label} now: only a Complete action "
                                 "is signed off. Nothing was changed.")
        if action.signed_off_at:
            raise SignOffRefused(f"{action.ref} was signed off already. Nothing was changed.")
        raise SignOffRefused(f"{action.ref} changed since you loaded it: look at it again, then sign it off.")
    db.session.refresh(action)
    event = ActionEvent(action_id=action.id, user=user, at=now, kind=EventKind.SIGN_OFF,
                        to_value=Status.COMPLETE.value)
    db.session.add(event)
    action.last_activity_at, action.last_activity_by_id = now, user.id
    bump_change_counter(action)
    db.session.commit()
    return event


def set_require_sign_off(plan: Plan, required: bool, user: User) -> bool:
    """Turn the plan owner's sign-off of completions on or off; True when it changed (audited)."""
    if plan.require_sign_off == required:
        return False
    audit.record("plan_sign_off", plan.title, by=user, from_value="on" if plan.require_sign_off else "off",
                 to_value="on" if required else "off")
    plan.require_sign_off = required
    db.session.commit()
    return True
