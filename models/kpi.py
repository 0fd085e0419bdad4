"""Key performance indicators: measures from the plan's baseline figures, with a value per quarter."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.clock import now
from models import db
from models.user import User


class KpiMeasure(db.Model):
    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(20), default="count")  # "count" or "percent"
    target: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)

    values: Mapped[list[KpiValue]] = relationship(back_populates="measure", order_by="KpiValue.quarter")


class KpiValue(db.Model):
    """The value of a measure in one quarter, written like "2023/24 Q1" (sorts in time order)."""

    __table_args__ = (UniqueConstraint("measure_id", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("kpi_measure.id"), index=True)
    quarter: Mapped[str] = mapped_column(String(12))
    value: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(default=now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    measure: Mapped[KpiMeasure] = relationship(back_populates="values")
    recorded_by: Mapped[User | None] = relationship()
