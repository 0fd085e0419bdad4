"""The plan aggregate: the plan header, its numbered areas, intended outcomes and owner roles."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.clock import now
from models import db


class Plan(db.Model):
    """One improvement and impact plan and its header (objective, owner, pillars, figures).

    An install holds several (one per year, say). Each is named in URLs by its slug (`/plans/2023-24/`);
    the live one is also served at `/`. An archived plan is read-only.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    live: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    archived_at: Mapped[datetime | None] = mapped_column()
    archived_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    title: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    period: Mapped[str] = mapped_column(String(100), default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    owner_role: Mapped[str] = mapped_column(String(300), default="")
    # Header sections kept as imported (pillars, Q1 performance, audit, principle):
    # they are shown, not queried, so one JSON document keeps them faithful.
    header: Mapped[dict] = mapped_column(JSON, default=dict)
    # Bumped on every change to the plan's cards; lets clients ask "anything new?" cheaply.
    change_counter: Mapped[int] = mapped_column(Integer, default=0)
    # The plan owner's setting: a card moved to Complete awaits their sign-off before it counts as done.
    require_sign_off: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    imported_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    areas: Mapped[list[Area]] = relationship(
        back_populates="plan", order_by="Area.number", cascade="all, delete-orphan"
    )
    owner_roles: Mapped[list[OwnerRole]] = relationship(
        back_populates="plan", order_by="OwnerRole.name", cascade="all, delete-orphan"
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Area(db.Model):
    """A numbered area of the plan (a swimlane on the board)."""

    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    overall_effectiveness: Mapped[str] = mapped_column(Text, default="")
    # The plan's change counter when a card of this area last changed: a poll swaps only newer lanes.
    changed_at_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    plan: Mapped[Plan] = relationship(back_populates="areas")
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="area", order_by="Outcome.position", cascade="all, delete-orphan"
    )


class Outcome(db.Model):
    """An intended impact, shared by one or more actions of its area."""

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    area: Mapped[Area] = relationship(back_populates="outcomes")
    actions: Mapped[list[Action]] = relationship(  # noqa: F821
        back_populates="outcome", order_by="Action.plan_order"
    )


class OwnerRole(db.Model):
    """A job role that owns actions (e.g. "Principal Social Worker")."""

    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))

    plan: Mapped[Plan] = relationship(back_populates="owner_roles")
