"""Performance clinics: start, join, end, and the minutes of what was decided in them.

A change made by a participant while their clinic is open, on an action in the clinic's areas, is
tagged to the clinic when its history entry is written (one listener below, so no service can
forget it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from board import clock
from board.services import audit
from board.services.history import describe_event
from models import Action, ActionEvent, Area, Clinic, EventKind, Plan, User, clinic_participants, db
from models.action import DECISION_KINDS


class ClinicRefused(ValueError):
    pass


def open_clinic(plan: Plan) -> Clinic | None:
    return db.session.scalars(select(Clinic).where(Clinic.plan_id == plan.id, Clinic.ended_at.is_(None))
                              .options(selectinload(Clinic.participants))).first()


def start_clinic(plan: Plan, held_on: date, chair: str, attendees: str, area_numbers: list[int],
                 user: User) -> Clinic:
    """Open a clinic (one at a time); whoever starts it takes part."""
    if open_clinic(plan):
        raise ClinicRefused("A clinic is already in progress: end it before starting another.")
    clinic = Clinic(plan_id=plan.id, held_on=held_on, chair=chair.strip(), attendees=(attendees or "").strip(),
                    area_numbers=sorted(set(area_numbers)), started_by=user, participants=[user])
    db.session.add(clinic)
    audit.record("clinic_started", f"clinic {held_on.isoformat()}", by=user)
    db.session.commit()
    return clinic


def join_clinic(clinic: Clinic, user: User) -> None:
    if not clinic.is_open:
        raise ClinicRefused("This clinic has ended.")
    if user not in clinic.participants:
        clinic.participants.append(user)
        db.session.commit()


def end_clinic(clinic: Clinic, user: User) -> None:
    if not clinic.is_open:
        raise ClinicRefused("This clinic has already ended.")
    clinic.ended_at, clinic.ended_by_id = clock.now(), user.id
    audit.record("clinic_ended", f"clinic {clinic.held_on.isoformat()}", by=user)
    db.session.commit()


def past_clinics(plan: Plan) -> list[Clinic]:
    return list(db.session.scalars(select(Clinic).where(Clinic.plan_id == plan.id)
                                   .order_by(Clinic.started_at.desc())))


@dataclass
class MinuteLine:
    ref: str
    text: str
    at: object
    who: str
    kind: EventKind
    summary: str
    why: str | None


def minutes(clinic: Clinic) -> list[tuple[Area, list[MinuteLine]]]:
    """Every decision tagged to the clinic, grouped by area, in the order it was made."""
    rows = db.session.execute(
        select(ActionEvent, Action.ref, Action.text, Area, User.name)
        .join(Action, Action.id == ActionEvent.action_id).join(Area, Area.id == Action.area_id)
        .outerjoin(User, User.id == ActionEvent.user_id)
        .where(ActionEvent.clinic_id == clinic.id).order_by(Area.number, ActionEvent.id)).all()
    reasons = {e.explains_event_id: e.reason for e, *_ in rows if e.kind is EventKind.REASON}
    grouped: dict[int, tuple[Area, list[MinuteLine]]] = {}
    for entry, ref, text, area, name in rows:
        if entry.kind is EventKind.REASON:
            continue
        words = describe_event(entry, reasons.get(entry.id))
        why = words.detail or ("no reason given" if entry.kind is EventKind.STATUS else None)
        grouped.setdefault(area.id, (area, []))[1].append(
            MinuteLine(ref, text, entry.at, name or "Unknown", entry.kind, words.summary, why))
    return list(grouped.values())


@event.listens_for(ActionEvent, "before_insert")
def _tag_with_open_clinic(mapper, connection, target: ActionEvent) -> None:
    if target.user_id is None and target.user is not None:
        target.user_id = target.user.id
    if target.user_id is None or target.kind not in DECISION_KINDS or target.clinic_id:
        return
    row = connection.execute(
        select(Clinic.id, Clinic.area_numbers, Area.number)
        .join(clinic_participants, clinic_participants.c.clinic_id == Clinic.id)
        .join(Action, Action.plan_id == Clinic.plan_id).join(Area, Area.id == Action.area_id)
        .where(clinic_participants.c.user_id == target.user_id, Clinic.ended_at.is_(None),
               Action.id == target.action_id)).first()
    if row and (not row.area_numbers or row.number in row.area_numbers):
        target.clinic_id = row.id
