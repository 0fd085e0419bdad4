"""Performance clinics: start, take part, end, who may do what, and the board changes they minute.

Several clinics may be open at once, one per area or team, but never two covering the same area: a
clinic for the whole plan covers every area. A change made on the board by a signed-in person, on an
action in the areas of an open clinic, is tagged to that clinic when its history entry is written,
whether or not the person clicked "Take part" (one listener below, so no service can forget it).
Should two open clinics ever cover the same area (the start rule forbids it; a database edited by hand
could hold it), the change goes to the clinic the person takes part in, else the one covering fewer
areas, else the one started last.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, event, exists, select, update
from sqlalchemy.orm import selectinload

from board import clock
from board.services import audit
from board.services.history import describe_event
from models import (
    Action,
    ActionEvent,
    Area,
    Clinic,
    EventKind,
    Plan,
    Role,
    User,
    clinic_participants,
    db,
    plain_rows,
)
from models.action import DECISION_KINDS

ENDED = "This clinic has ended: its minutes are closed."


class ClinicRefused(ValueError):
    """The clinic cannot do this now (it has ended, its areas are taken...); the message says why.
    `field` names the form field the message belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotAllowed(PermissionError):
    """This person may not do this in this clinic; the message says who may."""


# --- which clinics, and what they cover -----------------------------------------------------------

# Built once: every board asks it (twice: its banners and who may ask for updates), and building the
# statement with its loader options cost more than running it on a plan with no clinic open.
_OPEN_CLINICS = (select(Clinic).where(Clinic.plan_id == bindparam("plan_id"), Clinic.ended_at.is_(None))
                 .order_by(Clinic.id).options(selectinload(Clinic.participants), selectinload(Clinic.chair_user)))


# Most boards are read with no clinic in progress: whether one is open is asked first through Core (no
# ORM result processing, no loader options), and the clinics with their people are read only then.
_ANY_OPEN_CLINIC = (select(Clinic.id).where(Clinic.plan_id == bindparam("plan_id"), Clinic.ended_at.is_(None))
                    .limit(1))


def open_clinics(plan: Plan) -> list[Clinic]:
    """The clinics in progress, oldest first."""
    if not plain_rows(_ANY_OPEN_CLINIC, {"plan_id": plan.id}):
        return []
    return list(db.session.scalars(_OPEN_CLINICS, {"plan_id": plan.id}))


def clinics_showing(open_now: list[Clinic], area_numbers: list[int]) -> list[Clinic]:
    """The open clinics (`open_now`) covering any of `area_numbers` (empty: the whole board is shown, so all of them)."""
    return [clinic for clinic in open_now
            if not area_numbers or any(clinic.covers(number) for number in area_numbers)]


def areas_words(area_numbers: list[int]) -> str:
    """"the whole plan", "area 2", "areas 2, 3"."""
    if not area_numbers:
        return "the whole plan"
    return ("area " if len(area_numbers) == 1 else "areas ") + ", ".join(str(n) for n in sorted(area_numbers))


def clinic_title(clinic: Clinic) -> str:
    """How a person tells clinics apart: its date, its areas and its chair."""
    return (f"The clinic of {clinic.held_on.day} {clinic.held_on:%B %Y} for {areas_words(clinic.area_numbers)}, "
            f"chaired by {clinic.chair}")


def past_clinics(plan: Plan) -> list[Clinic]:
    return list(db.session.scalars(select(Clinic).where(Clinic.plan_id == plan.id)
                                   .order_by(Clinic.started_at.desc(), Clinic.id.desc())))


def chair_candidates() -> list[User]:
    """Who may chair: active people who can write (a chair ends the clinic and adds to its minutes)."""
    writers = [role.value for role in Role if role.rank >= Role.CONTRIBUTOR.rank]
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(writers))
                                   .order_by(User.name, User.id)))


def people() -> list[User]:
    """Everyone with an active account: who an action arising may be given to."""
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name, User.id)))


# --- who may do what ------------------------------------------------------------------------------

def may_record(clinic: Clinic, user) -> bool:
    """Notes and actions arising: while it is open, anyone taking part, the chair, or any editor."""
    if not (clinic.is_open and getattr(user, "is_authenticated", False)):
        return False
    return user.has_role(Role.EDITOR) or user.id == clinic.chair_user_id or user in clinic.participants


def check_may_record(clinic: Clinic, user) -> None:
    if clinic.is_open and not may_record(clinic, user):
        raise NotAllowed("Only people taking part in this clinic, and editors, can add to its minutes: "
                         "choose Take part on the board first.")


def may_end(clinic: Clinic, user) -> bool:
    """Its chair or an admin, while it is open."""
    return (clinic.is_open and getattr(user, "is_authenticated", False)
            and (user.id == clinic.chair_user_id or user.has_role(Role.ADMIN)))


def check_may_end(clinic: Clinic, user) -> None:
    if clinic.is_open and not may_end(clinic, user):
        who = f"its chair ({clinic.chair}) or an admin" if clinic.chair_user_id else "an admin"
        raise NotAllowed(f"Only {who} can end this clinic.")


def lock_open_clinic(clinic: Clinic) -> None:
    """Take the clinic one change at a time (a write: see `moves.lock_area`), then check it is still open."""
    db.session.execute(update(Clinic).where(Clinic.id == clinic.id).values(plan_id=Clinic.plan_id)
                       .execution_options(synchronize_session=False))
    db.session.refresh(clinic)
    if not clinic.is_open:
        db.session.rollback()
        raise ClinicRefused(ENDED)


# --- start, take part, end ------------------------------------------------------------------------

def start_clinic(plan: Plan, held_on: date, chair: User, attendees: str, area_numbers: list[int],
                 user: User) -> Clinic:
    """Open a clinic for `area_numbers` (empty: the whole plan), chaired by `chair`; whoever starts it
    and the chair take part. Refused when an open clinic already covers one of those areas."""
    area_numbers = sorted(set(area_numbers))
    known = set(db.session.scalars(select(Area.number).where(Area.plan_id == plan.id)))
    if not set(area_numbers) <= known:
        raise ClinicRefused("Choose areas of this plan.", "areas")
    if not (chair.active and chair.has_role(Role.CONTRIBUTOR)):
        raise ClinicRefused("Choose a chair from the list.", "chair")
    # One start at a time per plan, so two clinics for the same area can never both pass the check.
    db.session.execute(update(Plan).where(Plan.id == plan.id).values(updated_at=Plan.updated_at)
                       .execution_options(synchronize_session=False))
    taken = next((clinic for clinic in open_clinics(plan) if clinic.overlaps(area_numbers)), None)
    if taken:
        db.session.rollback()
        raise ClinicRefused(f"{clinic_title(taken)}, is still in progress "
                            f"and covers {areas_words(_shared(taken, area_numbers))}: end it first, "
                            "or choose other areas.", "areas")
    clinic = Clinic(plan_id=plan.id, held_on=held_on, chair=chair.name, chair_user_id=chair.id,
                    attendees=(attendees or "").strip(), area_numbers=area_numbers, started_by=user,
                    participants=list({user.id: user, chair.id: chair}.values()))
    db.session.add(clinic)
    audit.record("clinic_started", f"clinic {held_on.isoformat()} ({areas_words(area_numbers)})", by=user)
    db.session.commit()
    return clinic


def _shared(taken: Clinic, area_numbers: list[int]) -> list[int]:
    if taken.whole_plan:
        return area_numbers
    return taken.area_numbers if not area_numbers else sorted(set(area_numbers) & set(taken.area_numbers))


def join_clinic(clinic: Clinic, user: User) -> None:
    """Say you are in the room: you are listed as taking part (and, below editor, may add notes)."""
    if not clinic.is_open:
        raise ClinicRefused("This clinic has ended.")
    if user not in clinic.participants:
        clinic.participants.append(user)
        db.session.commit()


def end_clinic(clinic: Clinic, user: User) -> None:
    """Close the clinic (its chair or an admin); its minutes are then complete."""
    if not clinic.is_open:
        raise ClinicRefused("This clinic has already ended.")
    check_may_end(clinic, user)
    lock_open_clinic(clinic)
    clinic.ended_at, clinic.ended_by_id = clock.now(), user.id
    audit.record("clinic_ended", f"clinic {clinic.held_on.isoformat()} ({areas_words(clinic.area_numbers)})",
                 by=user)
    db.session.commit()


# --- the board changes a clinic minuted -----------------------------------------------------------

@dataclass
class MinuteLine:
    ref: str
    text: str
    at: object
    who: str
    kind: EventKind
    summary: str
    why: str | None


def board_changes(clinic: Clinic) -> list[tuple[Area, list[MinuteLine]]]:
    """Every board change tagged to the clinic, grouped by area, in the order it was made. A reason
    reads with its move; a reason for a move made before the clinic is a line of its own."""
    rows = db.session.execute(
        select(ActionEvent, Action.ref, Action.text, Area, User.name)
        .join(Action, Action.id == ActionEvent.action_id).join(Area, Area.id == Action.area_id)
        .outerjoin(User, User.id == ActionEvent.user_id)
        .where(ActionEvent.clinic_id == clinic.id).order_by(Area.number, ActionEvent.id)).all()
    minuted = {entry.id for entry, *_ in rows}
    reasons = {e.explains_event_id: e.reason for e, *_ in rows
               if e.kind is EventKind.REASON and e.explains_event_id in minuted}
    grouped: dict[int, tuple[Area, list[MinuteLine]]] = {}
    for entry, ref, text, area, name in rows:
        if entry.kind is EventKind.REASON and entry.explains_event_id in minuted:
            continue
        words = describe_event(entry, reasons.get(entry.id))
        why = words.detail or ("no reason given" if entry.kind is EventKind.STATUS else None)
        grouped.setdefault(area.id, (area, []))[1].append(
            MinuteLine(ref, text, entry.at, name or "Unknown", entry.kind, words.summary, why))
    return list(grouped.values())


# --- the one place a board change is tagged to a clinic -------------------------------------------

@event.listens_for(ActionEvent, "before_insert")
def _tag_with_open_clinic(mapper, connection, target: ActionEvent) -> None:
    if target.user_id is None and target.user is not None:
        target.user_id = target.user.id
    if target.action_id is None and target.action is not None:
        target.action_id = target.action.id
    if target.clinic_id is None:
        target.clinic_id = clinic_for_change(connection, target.action_id, target.user_id, target.kind)


def clinic_for_change(connection, action_id: int, user_id: int | None, kind: EventKind) -> int | None:
    """The clinic a history entry of `kind` by `user_id` on the action is tagged to (None: no decision by a
    person, or no open clinic covers it). The listener above asks it for every entry the ORM inserts; a
    service inserting one through Core (a move) asks it itself."""
    if user_id is None or kind not in DECISION_KINDS:
        return None
    return _clinic_for_change(connection, action_id, user_id)


# Built once: every change on the board asks it (building it cost more than running it). The open clinics
# of the action's plan with the action's area number, in one statement: none, most of the time.
_OPEN_CLINICS_FOR = (select(Clinic.id, Clinic.area_numbers, exists().where(
    clinic_participants.c.clinic_id == Clinic.id, clinic_participants.c.user_id == bindparam("user_id")
).label("taking_part"), Area.number.label("area_number")).select_from(Action).join(Area, Area.id == Action.area_id)
    .join(Clinic, (Clinic.plan_id == Action.plan_id) & Clinic.ended_at.is_(None))
    .where(Action.id == bindparam("action_id")))


def _clinic_for_change(connection, action_id: int, user_id: int) -> int | None:
    """The open clinic covering the action's area (see the module's docstring when two do)."""
    candidates = [row for row in connection.execute(_OPEN_CLINICS_FOR, {"user_id": user_id, "action_id": action_id})
                  if not row.area_numbers or row.area_number in row.area_numbers]
    if not candidates:
        return None
    return min(candidates, key=lambda row: (not row.taking_part, len(row.area_numbers) or float("inf"),
                                            -row.id)).id
