"""Performance clinics: a meeting whose decisions (moves, due changes, notes) are tagged to it, with its
own notes and actions arising. Notes, actions arising and what becomes of them are never changed or
deleted: a correction is a new row that says what it corrects."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.clock import now
from models import db
from models.user import User

clinic_participants = Table(
    "clinic_participant",
    db.metadata,
    Column("clinic_id", ForeignKey("clinic.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True),
)


class Clinic(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    held_on: Mapped[date] = mapped_column()
    # The chair's name as minuted (the account's name when the clinic started).
    chair: Mapped[str] = mapped_column(String(200))
    # The chair's account: the chair (or an admin) ends the clinic. None only for clinics started
    # before chairs were chosen from the users; an admin ends those.
    chair_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    attendees: Mapped[str] = mapped_column(Text, default="")
    # Area numbers the clinic covers; empty means the whole plan.
    area_numbers: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=now)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    chair_user: Mapped[User | None] = relationship(foreign_keys=[chair_user_id])
    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    # Who said on the board that they are in the room: the attendance, and who may add notes below editor.
    participants: Mapped[list[User]] = relationship(secondary=clinic_participants, order_by=User.name)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def whole_plan(self) -> bool:
        return not self.area_numbers

    def covers(self, area_number: int) -> bool:
        return self.whole_plan or area_number in self.area_numbers

    def covers_all(self, area_numbers: list[int]) -> bool:
        """Does this clinic cover every one of `area_numbers` (empty: the whole plan)?"""
        return self.whole_plan or (bool(area_numbers) and set(area_numbers) <= set(self.area_numbers))

    def overlaps(self, area_numbers: list[int]) -> bool:
        """Would a clinic for `area_numbers` (empty: the whole plan) cover an area this one covers?"""
        return self.whole_plan or not area_numbers or bool(set(area_numbers) & set(self.area_numbers))


class ClinicNote(db.Model):
    """A note in a clinic's minutes: what was said, who wrote it, when. A correction is a new note
    pointing at the one it corrects (`corrects_id`, always the first wording); the latest one reads."""

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    written_at: Mapped[datetime] = mapped_column(default=now)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("clinic_note.id"), index=True)

    author: Mapped[User] = relationship()


class ActionArising(db.Model):
    """Something a clinic asked someone to do by a date, as first written. What became of it (a
    correction, done, carried again) is an `ArisingUpdate`; until it is done it is carried to the next
    clinic covering the same areas."""

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    # Who is to do it: always a name as minuted, and the person's account when they have one.
    owner_name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[date] = mapped_column(Date)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    raised_at: Mapped[datetime] = mapped_column(default=now)

    clinic: Mapped[Clinic] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    updates: Mapped[list[ArisingUpdate]] = relationship(back_populates="arising", order_by="ArisingUpdate.id")


class ArisingUpdateKind(str, enum.Enum):
    CORRECTED = "corrected"    # new wording, owner and date (all three, as now minuted)
    DONE = "done"
    CARRIED = "carried"        # carried again on purpose, perhaps to a new date


class ArisingUpdate(db.Model):
    """What a clinic recorded about an action arising: who, when, in which clinic, and the new values."""

    id: Mapped[int] = mapped_column(primary_key=True)
    arising_id: Mapped[int] = mapped_column(ForeignKey("action_arising.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    what: Mapped[str | None] = mapped_column(Text)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    arising: Mapped[ActionArising] = relationship(back_populates="updates")
    by: Mapped[User] = relationship(foreign_keys=[by_id])

    @property
    def kind_enum(self) -> ArisingUpdateKind:
        return ArisingUpdateKind(self.kind)


@event.listens_for(ClinicNote, "before_update")
@event.listens_for(ClinicNote, "before_delete")
@event.listens_for(ActionArising, "before_update")
@event.listens_for(ActionArising, "before_delete")
@event.listens_for(ArisingUpdate, "before_update")
@event.listens_for(ArisingUpdate, "before_delete")
def _refuse_change(mapper, connection, target):
    from models.action import HistoryIsAppendOnly

    raise HistoryIsAppendOnly(f"{type(target).__name__} rows are never changed or deleted")
