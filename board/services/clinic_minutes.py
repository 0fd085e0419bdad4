"""A clinic's own minutes: its notes and actions arising, what became of each, and the whole minutes
(board changes, notes, actions arising, those carried from earlier clinics) for its page, print and CSV.

Nothing here is changed or deleted: a correction is a new row, so the minutes keep what was written
first and every correction, each with who and when. An action arising that no clinic has marked done
is carried to every later clinic covering all the areas of the clinic that raised it (a clinic for the
whole plan covers every area), until one marks it done. A clinic's minutes show what was recorded up
to and in that clinic, never what later clinics decided, so they read the same whenever they are read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from board.clock import local_time, now
from board.services.clinics import (
    ClinicRefused,
    MinuteLine,
    board_changes,
    check_may_record,
    lock_open_clinic,
)
from models import ActionArising, Area, ArisingUpdate, ArisingUpdateKind, Clinic, ClinicNote, User, db


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _when(moment: datetime) -> str:
    return local_time(moment, "%-d %b %Y %H:%M")


# --- notes ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Wording:
    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class MinutedNote:
    """A note as the minutes read it: its latest wording, and every wording it had (first first)."""

    id: int
    wordings: list[Wording]

    @property
    def current(self) -> Wording:
        return self.wordings[-1]

    @property
    def first(self) -> Wording:
        return self.wordings[0]

    @property
    def earlier(self) -> list[Wording]:
        return self.wordings[:-1]


def _clean(text: str, field_name: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ClinicRefused(message, field_name)
    return text


def add_note(clinic: Clinic, text: str, user: User) -> ClinicNote:
    """Write a note in the clinic's minutes (anyone who may record, while it is open)."""
    text = _clean(text, "text", "Write the note.")
    check_may_record(clinic, user)
    lock_open_clinic(clinic)
    note = ClinicNote(clinic_id=clinic.id, text=text, author=user, written_at=now())
    db.session.add(note)
    db.session.commit()
    return note


def note_in(clinic: Clinic, note_id: int) -> MinutedNote | None:
    return next((note for note in notes(clinic) if note.id == note_id), None)


def correct_note(clinic: Clinic, note_id: int, text: str, user: User) -> ClinicNote:
    """Record a new wording for a note of this clinic; every earlier wording is kept."""
    text = _clean(text, "text", "Write the corrected note.")
    check_may_record(clinic, user)
    lock_open_clinic(clinic)
    note = note_in(clinic, note_id)
    if note is None:
        db.session.rollback()
        raise ClinicRefused("That note is not in this clinic's minutes.")
    if text == note.current.text:
        db.session.rollback()
        raise ClinicRefused("Nothing changed: change the wording first.", "text")
    correction = ClinicNote(clinic_id=clinic.id, text=text, author=user, written_at=now(), corrects_id=note.id)
    db.session.add(correction)
    db.session.commit()
    return correction


def notes(clinic: Clinic) -> list[MinutedNote]:
    """The clinic's notes in the order first written, each with its corrections."""
    rows = db.session.execute(select(ClinicNote, User.name).join(User, User.id == ClinicNote.author_id)
                              .where(ClinicNote.clinic_id == clinic.id).order_by(ClinicNote.id)).all()
    wordings: dict[int, list[Wording]] = {}
    for note, name in rows:
        wordings.setdefault(note.corrects_id or note.id, []).append(Wording(note.text, name, note.written_at))
    return [MinutedNote(note_id, found) for note_id, found in wordings.items()]


# --- actions arising ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One thing a clinic recorded about an action arising."""

    kind: ArisingUpdateKind
    words: str
    note: str | None
    by: str
    at: datetime
    clinic_id: int


@dataclass
class ArisingView:
    """An action arising as one clinic's page reads it: as it stands after what was recorded up to and
    in that clinic."""

    id: int
    what: str
    owner: str
    owner_id: int | None
    due_on: date
    raised_by: str
    raised_at: datetime
    raised_in: Clinic
    page_clinic_id: int
    first_written: str             # what, who and by when as first written
    steps: list[Step] = field(default_factory=list)

    @property
    def carried(self) -> bool:
        """On this page because an earlier clinic raised it."""
        return self.raised_in.id != self.page_clinic_id

    @property
    def done(self) -> Step | None:
        return next((step for step in self.steps if step.kind is ArisingUpdateKind.DONE), None)

    @property
    def decided_here(self) -> Step | None:
        """Marked done or carried again in this page's clinic (the latest, if both)."""
        return next((step for step in reversed(self.steps) if step.clinic_id == self.page_clinic_id
                     and step.kind is not ArisingUpdateKind.CORRECTED), None)

    @property
    def outcome(self) -> str:
        """What became of it in this clinic, in words, with who and when."""
        step = self.decided_here
        return f"{step.words}: {step.by}, {_when(step.at)}" if step else "Open"


def describe_update(update: ArisingUpdate) -> str:
    """The one description of what a clinic recorded about an action arising."""
    kind = update.kind_enum
    if kind is ArisingUpdateKind.DONE:
        return "Done"
    if kind is ArisingUpdateKind.CARRIED:
        return "Carried again" + (f", now by {long_date(update.due_on)}" if update.due_on else "")
    return f"Corrected to “{update.what}”, {update.owner_name}, by {long_date(update.due_on)}"


def _owner(owner: User | None, owner_name: str | None) -> tuple[int | None, str]:
    name = (owner_name or "").strip()
    if owner is not None and name:
        raise ClinicRefused("Choose a person or write a name, not both.", "owner_name")
    if owner is None and not name:
        raise ClinicRefused("Say who will do it: choose a person or write a name.", "owner_name")
    return (owner.id, owner.name) if owner is not None else (None, name)


def raise_arising(clinic: Clinic, what: str, owner: User | None, owner_name: str | None, due_on: date,
                  user: User) -> ActionArising:
    """Record an action arising: what, who (a person, or a name for someone without an account), by when."""
    what = _clean(what, "what", "Say what is to be done.")
    owner_id, name = _owner(owner, owner_name)
    check_may_record(clinic, user)
    lock_open_clinic(clinic)
    arising = ActionArising(clinic_id=clinic.id, what=what, owner_id=owner_id, owner_name=name, due_on=due_on,
                            raised_by=user, raised_at=now())
    db.session.add(arising)
    db.session.commit()
    return arising


def _on_page_locked(clinic: Clinic, arising_id: int, user: User) -> ArisingView:
    check_may_record(clinic, user)
    lock_open_clinic(clinic)
    found = arising_on_page(clinic, arising_id)
    if found is None:
        db.session.rollback()
        raise ClinicRefused("That action arising is not on this clinic's agenda.")
    return found


def _refuse_once_done(found: ArisingView) -> None:
    if found.done:
        db.session.rollback()
        raise ClinicRefused(f"This action arising was marked done by {found.done.by} at "
                            f"{_when(found.done.at)}.")


def correct_arising(clinic: Clinic, arising_id: int, what: str, owner: User | None, owner_name: str | None,
                    due_on: date, user: User) -> ArisingUpdate:
    """Record a new wording, owner and date for an action arising on this clinic's agenda."""
    what = _clean(what, "what", "Say what is to be done.")
    owner_id, name = _owner(owner, owner_name)
    found = _on_page_locked(clinic, arising_id, user)
    _refuse_once_done(found)
    if (what, owner_id, name, due_on) == (found.what, found.owner_id, found.owner, found.due_on):
        db.session.rollback()
        raise ClinicRefused("Nothing changed: change what, who or by when first.", "what")
    return _record(clinic, found, ArisingUpdateKind.CORRECTED, user, what=what, owner_id=owner_id,
                   owner_name=name, due_on=due_on)


def record_outcome(clinic: Clinic, arising_id: int, kind: ArisingUpdateKind, user: User,
                   due_on: date | None = None, note: str | None = None) -> ArisingUpdate:
    """Mark an action arising on this clinic's agenda done, or carry it again (perhaps to a new date)."""
    if kind is ArisingUpdateKind.CORRECTED:
        raise ClinicRefused("Choose Mark done or Carry again.")
    if kind is ArisingUpdateKind.DONE and due_on is not None:
        raise ClinicRefused("A new date is for carrying it again: clear the date to mark it done.", "due_on")
    found = _on_page_locked(clinic, arising_id, user)
    _refuse_once_done(found)
    if kind is ArisingUpdateKind.CARRIED and not found.carried:
        db.session.rollback()
        raise ClinicRefused("It was raised in this clinic: it goes to the next one unless marked done "
                            "(Correct changes its date).")
    return _record(clinic, found, kind, user, due_on=due_on, note=(note or "").strip() or None)


def _record(clinic: Clinic, found: ArisingView, kind: ArisingUpdateKind, user: User, **values) -> ArisingUpdate:
    update = ArisingUpdate(arising_id=found.id, clinic_id=clinic.id, kind=kind.value, by=user, at=now(), **values)
    db.session.add(update)
    db.session.commit()
    return update


def _arising_query():
    return (select(ActionArising, Clinic).join(Clinic, Clinic.id == ActionArising.clinic_id)
            .options(selectinload(ActionArising.raised_by),
                     selectinload(ActionArising.updates).selectinload(ArisingUpdate.by)))


def _view(arising: ActionArising, raised_in: Clinic, page: Clinic) -> ArisingView:
    view = ArisingView(arising.id, arising.what, arising.owner_name, arising.owner_id, arising.due_on,
                       arising.raised_by.name, arising.raised_at, raised_in, page.id,
                       f"“{arising.what}”, {arising.owner_name}, by {long_date(arising.due_on)}")
    for update in arising.updates:
        if update.clinic_id > page.id:
            continue  # a later clinic's decision is in its own minutes
        if update.kind_enum is ArisingUpdateKind.CORRECTED:
            view.what, view.owner, view.owner_id, view.due_on = (update.what, update.owner_name, update.owner_id,
                                                                 update.due_on)
        elif update.kind_enum is ArisingUpdateKind.CARRIED and update.due_on:
            view.due_on = update.due_on
        view.steps.append(Step(update.kind_enum, describe_update(update), update.note, update.by.name, update.at,
                               update.clinic_id))
    return view


def _soonest_first(views: list[ArisingView]) -> list[ArisingView]:
    return sorted(views, key=lambda view: (view.due_on, view.id))


def raised_in(clinic: Clinic) -> list[ArisingView]:
    """The actions arising this clinic raised, soonest due first."""
    return _soonest_first([_view(arising, raised, clinic) for arising, raised in
                           db.session.execute(_arising_query().where(ActionArising.clinic_id == clinic.id)).all()])


def carried_to(clinic: Clinic) -> list[ArisingView]:
    """Actions arising of earlier clinics still open when this one started and covered by it: its agenda."""
    done_before = exists().where(ArisingUpdate.arising_id == ActionArising.id,
                                 ArisingUpdate.kind == ArisingUpdateKind.DONE.value,
                                 ArisingUpdate.clinic_id < clinic.id)
    rows = db.session.execute(_arising_query().where(Clinic.plan_id == clinic.plan_id, Clinic.id < clinic.id,
                                                     ~done_before)).all()
    return _soonest_first([_view(arising, raised, clinic) for arising, raised in rows
                           if clinic.covers_all(raised.area_numbers)])


def arising_on_page(clinic: Clinic, arising_id: int) -> ArisingView | None:
    """The action arising if this clinic raised it or it was carried to this clinic, else None."""
    return next((found for found in (*raised_in(clinic), *carried_to(clinic)) if found.id == arising_id), None)


# --- the whole minutes ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Minutes:
    clinic: Clinic
    board_changes: list[tuple[Area, list[MinuteLine]]]
    notes: list[MinutedNote]
    arisings: list[ArisingView]        # raised in this clinic
    carried: list[ArisingView]         # carried from earlier clinics


def minutes(clinic: Clinic) -> Minutes:
    return Minutes(clinic, board_changes(clinic), notes(clinic), raised_in(clinic), carried_to(clinic))


CSV_HEADINGS = ["Section", "Area", "Ref", "Action", "When", "Who", "Decision", "Why", "Owner", "By when",
                "Outcome"]


def csv_rows(found: Minutes) -> list[list]:
    """The minutes as rows under CSV_HEADINGS: board changes, notes, actions arising, those carried."""
    rows: list[list] = []
    for area, lines in found.board_changes:
        rows += [["Board change", f"{area.number} {area.title}", line.ref, line.text,
                  local_time(line.at, "%Y-%m-%d %H:%M"), line.who, line.summary, line.why or "", "", "", ""]
                 for line in lines]
    for note in found.notes:
        corrected = (f"Corrected by {note.current.by}, {_when(note.current.at)}; first written: {note.first.text}"
                     if note.earlier else "")
        rows.append(["Note", "", "", "", local_time(note.first.at, "%Y-%m-%d %H:%M"), note.first.by,
                     note.current.text, corrected, "", "", ""])
    for section, arisings in (("Action arising", found.arisings), ("Carried from the last clinic", found.carried)):
        rows += [[section, "", "", "", local_time(item.raised_at, "%Y-%m-%d %H:%M"), item.raised_by, item.what,
                  f"Raised at the clinic of {long_date(item.raised_in.held_on)}" if item.carried else "",
                  item.owner, item.due_on, item.outcome] for item in arisings]
    return rows
