"""The KPI panel: the plan's Q1 figures as baselines, a value per quarter, and a trend line."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from board import clock
from board.services import audit
from models import KpiMeasure, KpiValue, Plan, User, db

QUARTER = re.compile(r"^(?P<start>\d{4})/(?P<end>\d{2}) Q(?P<q>[1-4])$")


class KpiRefused(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def baseline_quarter(plan: Plan) -> str | None:
    """'Q1 2023/24' in the plan header becomes '2023/24 Q1'."""
    period = (plan.header or {}).get("performance", {}).get("period", "")
    match = re.match(r"^Q([1-4]) (\d{4}/\d{2})$", period)
    return f"{match[2]} Q{match[1]}" if match else None


def ensure_baseline_measures(plan: Plan) -> int:
    """One measure per performance figure of the plan header, with its value as the baseline.

    Safe to run again: existing measures and values are left as they are. Returns how many were added.
    """
    quarter = baseline_quarter(plan)
    figures = (plan.header or {}).get("performance", {}).get("figures", [])
    existing = set(db.session.scalars(select(KpiMeasure.name).where(KpiMeasure.plan_id == plan.id)))
    position = db.session.scalar(select(func.count(KpiMeasure.id)).where(KpiMeasure.plan_id == plan.id))
    added = 0
    for figure in figures:
        name = measure_name(figure["label"])
        if name in existing:
            continue
        measure = KpiMeasure(plan_id=plan.id, name=name, unit="count", position=position + added)
        if quarter:
            measure.values.append(KpiValue(quarter=quarter, value=float(figure["value"])))
        db.session.add(measure)
        added += 1
    return added


def measure_name(label: str) -> str:
    """'cared for children, of which 55 are UASC' measures cared for children."""
    name = re.split(r",\s*of which", label)[0]
    return name[:1].upper() + name[1:]


def check_quarter(quarter: str) -> str:
    quarter = " ".join(quarter.split())
    match = QUARTER.match(quarter)
    if not match or (int(match["start"]) + 1) % 100 != int(match["end"]):
        raise KpiRefused("Write the quarter like 2023/24 Q2.", "quarter")
    return quarter


class KpiConflict(KpiRefused):
    """The quarter already has a value the person did not see; `current` is it."""

    def __init__(self, message: str, current: KpiValue):
        super().__init__(message, "value")
        self.current = current


def record_value(measure: KpiMeasure, quarter: str, value: float, user: User,
                 replaces: float | None = None) -> KpiValue:
    """Set a measure's value for a quarter. Correcting a value names the value it replaces
    (`replaces`): a quarter whose value is not the one the person saw (someone recorded it first) is
    refused with KpiConflict, never overwritten. Every change is audited with the old value."""
    quarter = check_quarter(quarter)
    if measure.unit == "percent" and not 0 <= value <= 100:
        raise KpiRefused("A percentage is between 0 and 100.", "value")
    if value < 0:
        raise KpiRefused("A count cannot be negative.", "value")
    found = db.session.scalars(select(KpiValue).where(KpiValue.measure_id == measure.id,
                                                      KpiValue.quarter == quarter)).first()
    if found is not None and replaces != found.value:
        raise _conflict(found)
    audit.record("kpi_value", f"{measure.name} {quarter}", by=user,
                 from_value=None if found is None else f"{found.value:g}", to_value=f"{value:g}")
    if found is None:
        found = KpiValue(measure=measure, quarter=quarter, value=value, recorded_by=user)
        db.session.add(found)
    else:
        changed = db.session.execute(update(KpiValue).where(KpiValue.id == found.id, KpiValue.value == replaces)
                                     .values(value=value, recorded_by_id=user.id, recorded_at=clock.now())
                                     .execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            db.session.rollback()
            db.session.refresh(found)
            raise _conflict(found)
    try:
        db.session.commit()
    except IntegrityError:  # someone recorded this quarter at the same moment
        db.session.rollback()
        raise _conflict(db.session.scalars(select(KpiValue).where(
            KpiValue.measure_id == measure.id, KpiValue.quarter == quarter)).one()) from None
    db.session.refresh(found)
    return found


def _conflict(current: KpiValue) -> KpiConflict:
    who = current.recorded_by.name if current.recorded_by else "the plan's import"
    return KpiConflict(f"{current.quarter} already has the value {current.value:g} (recorded by {who}). "
                       "To correct it, check your value and choose Record value again.", current)


def add_measure(plan: Plan, name: str, unit: str, target: float | None, user: User) -> KpiMeasure:
    name = " ".join(name.split())
    if db.session.scalars(select(KpiMeasure).where(KpiMeasure.plan_id == plan.id, KpiMeasure.name == name)).first():
        raise KpiRefused("There is already a measure with that name.", "name")
    position = db.session.scalar(select(func.count(KpiMeasure.id)).where(KpiMeasure.plan_id == plan.id))
    measure = KpiMeasure(plan_id=plan.id, name=name, unit=unit, target=target, position=position)
    db.session.add(measure)
    audit.record("kpi_measure", name, by=user, to_value=f"{unit}, target {target:g}" if target is not None else unit)
    db.session.commit()
    return measure


@dataclass
class KpiSeries:
    measure: KpiMeasure
    points: list[KpiValue]

    @property
    def latest(self) -> KpiValue | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> str:
        """The latest value against the first, in words (no colour needed)."""
        if len(self.points) < 2:
            return "baseline only" if self.points else "no values yet"
        first, last = self.points[0].value, self.points[-1].value
        if last == first:
            return f"no change since {self.points[0].quarter}"
        direction = "up" if last > first else "down"
        if self.measure.unit == "percent":
            return f"{direction} {abs(last - first):g} points since {self.points[0].quarter}"
        percent = f" ({abs(last - first) / first:.0%})" if first else ""
        return f"{direction} {abs(last - first):g}{percent} since {self.points[0].quarter}"

    def polyline(self, width: int = 160, height: int = 36, pad: int = 4) -> str:
        """SVG points for the trend, scaled to the box (the target, if any, is in the scale)."""
        values = [p.value for p in self.points]
        if not values:
            return ""
        low, high = min(values), max(values)
        if self.measure.target is not None:
            low, high = min(low, self.measure.target), max(high, self.measure.target)
        span = (high - low) or 1
        step = (width - 2 * pad) / max(1, len(values) - 1)
        return " ".join(f"{pad + i * step:.1f},{height - pad - (v - low) / span * (height - 2 * pad):.1f}"
                        for i, v in enumerate(values))

    def target_y(self, height: int = 36, pad: int = 4) -> float | None:
        if self.measure.target is None or not self.points:
            return None
        values = [p.value for p in self.points] + [self.measure.target]
        low, high = min(values), max(values)
        span = (high - low) or 1
        return height - pad - (self.measure.target - low) / span * (height - 2 * pad)


def kpi_panel(plan: Plan) -> list[KpiSeries]:
    measures = db.session.scalars(select(KpiMeasure).where(KpiMeasure.plan_id == plan.id)
                                  .options(selectinload(KpiMeasure.values)).order_by(KpiMeasure.position)).all()
    return [KpiSeries(measure, sorted(measure.values, key=lambda v: v.quarter)) for measure in measures]
