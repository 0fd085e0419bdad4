"""Performance clinics: a meeting whose decisions (moves, due changes, notes) are tagged to it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
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
    chair: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[str] = mapped_column(Text, default="")
    # Area numbers the clinic covers; empty means the whole plan.
    area_numbers: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=now)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    participants: Mapped[list[User]] = relationship(secondary=clinic_participants, order_by=User.name)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
