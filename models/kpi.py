"""Impact measures (KPIs): what is measured, its target and tolerance, and its values per period.

Values are append-only: a correction is a new value pointing at the one it corrects, with the reason.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.clock import now
from models import db
from models.plan import Area, Outcome, OwnerRole
from models.user import User


class Unit(str, enum.Enum):
    COUNT = "count"
    PERCENT = "percent"
    DAYS = "days"

    @property
    def label(self) -> str:
        return {"count": "A count", "percent": "A percentage", "days": "Days"}[self.value]


class Polarity(str, enum.Enum):
    """Which way is better; a context measure (a volume, like children in need) is never rated."""

    HIGHER = "higher"
    LOWER = "lower"
    CONTEXT = "context"

    @property
    def label(self) -> str:
        return {"higher": "Higher is better", "lower": "Lower is better",
                "context": "Context only (never rated)"}[self.value]


class Frequency(str, enum.Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def _values(kinds) -> list[str]:
    return [kind.value for kind in kinds]


measure_owner_roles = Table(
    "kpi_measure_owner_role",
    db.metadata,
    Column("measure_id", ForeignKey("kpi_measure.id", ondelete="CASCADE"), primary_key=True),
    Column("owner_role_id", ForeignKey("owner_role.id", ondelete="CASCADE"), primary_key=True),
)
measure_areas = Table(
    "kpi_measure_area",
    db.metadata,
    Column("measure_id", ForeignKey("kpi_measure.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
)
measure_outcomes = Table(
    "kpi_measure_outcome",
    db.metadata,
    Column("measure_id", ForeignKey("kpi_measure.id", ondelete="CASCADE"), primary_key=True),
    Column("outcome_id", ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
)


class KpiMeasure(db.Model):
    """A measure of the plan: what it counts, which way is better, its target and amber band."""

    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(20), default=Unit.COUNT.value)
    polarity: Mapped[str] = mapped_column(String(20), default=Polarity.CONTEXT.value,
                                          server_default=Polarity.CONTEXT.value)
    target: Mapped[float | None] = mapped_column(Float)
    # The amber band: how far on the wrong side of the target still counts as Amber (0 or none: none).
    tolerance: Mapped[float | None] = mapped_column(Float)
    frequency: Mapped[str] = mapped_column(String(20), default=Frequency.QUARTERLY.value,
                                           server_default=Frequency.QUARTERLY.value)
    source: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # "Of which" figures (cared for children, of which UASC) belong to the measure they are part of.
    part_of_id: Mapped[int | None] = mapped_column(ForeignKey("kpi_measure.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic lock for the admin's changes to the definition.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    values: Mapped[list[KpiValue]] = relationship(back_populates="measure", order_by="KpiValue.id")
    owner_roles: Mapped[list[OwnerRole]] = relationship(secondary=measure_owner_roles, order_by=OwnerRole.name)
    areas: Mapped[list[Area]] = relationship(secondary=measure_areas, order_by=Area.number)
    outcomes: Mapped[list[Outcome]] = relationship(secondary=measure_outcomes, order_by=Outcome.id)
    part_of: Mapped[KpiMeasure | None] = relationship(remote_side=[id])

    @property
    def unit_enum(self) -> Unit:
        return Unit(self.unit)

    @property
    def polarity_enum(self) -> Polarity:
        return Polarity(self.polarity)

    @property
    def frequency_enum(self) -> Frequency:
        return Frequency(self.frequency)


class KpiValue(db.Model):
    """A measure's value for one period, with where it came from. Never changed: a correction is a new
    row naming the value it corrects (`corrects_id`) and why; the value nobody corrected is current."""

    __table_args__ = (
        # One first value per period; each value corrected at most once (a second correction of the same
        # value is someone who did not see the first: refused, not stacked).
        Index("uq_kpi_value_first_per_period", "measure_id", "period", unique=True,
              sqlite_where=text("corrects_id IS NULL"), postgresql_where=text("corrects_id IS NULL")),
        UniqueConstraint("corrects_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("kpi_measure.id"), index=True)
    # "2023-08" (monthly), "2023/24 Q1" (quarterly) or "2023/24" (yearly): each sorts in time order.
    period: Mapped[str] = mapped_column(String(12))
    value: Mapped[float] = mapped_column(Float)
    source_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Where the figure as printed does not add up (the plan's audit), said beside it.
    quality_note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("kpi_value.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)

    measure: Mapped[KpiMeasure] = relationship(back_populates="values")
    recorded_by: Mapped[User | None] = relationship()

    @property
    def recorded_by_name(self) -> str:
        return self.recorded_by.name if self.recorded_by else "the plan's import"


@event.listens_for(KpiValue, "before_update")
@event.listens_for(KpiValue, "before_delete")
def _refuse_change(mapper, connection, target):
    from models.action import HistoryIsAppendOnly

    raise HistoryIsAppendOnly("measure values are never changed or deleted: record a correction")
