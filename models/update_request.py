"""Update requests: the plan owner (or an editor in a clinic) asks the owners of some actions for an
update by a date; each owner gets one email with a link per action. Requests and links are never
deleted: a link records when it was used."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.clock import now
from models import db
from models.action import Action
from models.plan import Plan
from models.user import User


class UpdateRequest(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    asked_at: Mapped[datetime] = mapped_column(default=now)
    reply_by: Mapped[date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    # The clinic an editor asked from (the plan owner may ask at any time).
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"))
    # The board's filters when it was asked ("?area=2&overdue=1"), for the record.
    filters: Mapped[str] = mapped_column(String(1000), default="")

    plan: Mapped[Plan] = relationship()
    asked_by: Mapped[User] = relationship()
    links: Mapped[list[UpdateLink]] = relationship(back_populates="request", order_by="UpdateLink.id")


class UpdateLink(db.Model):
    """The link one person got for one action of a request: signed (the token names this row), for
    giving that action an update only, until `expires_on`, and once."""

    __table_args__ = (UniqueConstraint("request_id", "action_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("update_request.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The link works through the whole of this day.
    expires_on: Mapped[date] = mapped_column(Date)
    used_at: Mapped[datetime | None] = mapped_column()

    request: Mapped[UpdateRequest] = relationship(back_populates="links")
    action: Mapped[Action] = relationship()
    user: Mapped[User] = relationship()
