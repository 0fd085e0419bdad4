"""The scorecard: each measure's current values by period, rated against target and tolerance (RAG),
with its direction of travel and the geometry of a small trend line (drawn as SVG on the server)."""
from __future__ import annotations

import enum
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from board.services.kpis import current_values
from board.services.periods import label as period_label
from models import Frequency, KpiMeasure, KpiValue, Plan, Polarity, Unit, db
from models.kpi import measure_areas, measure_outcomes


class Rag(str, enum.Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    CONTEXT = "context"
    NO_TARGET = "no_target"

    @property
    def label(self) -> str:
        return {"green": "Green", "amber": "Amber", "red": "Red", "context": "Context",
                "no_target": "No target"}[self.value]

    @property
    def meaning(self) -> str:
        return {"green": "on target", "amber": "within tolerance", "red": "outside tolerance",
                "context": "not rated", "no_target": "not rated"}[self.value]


def _at_most(a: float, b: float) -> bool:
    """a <= b, with a value exactly on a boundary counted on it despite floating point."""
    return a <= b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def rate(polarity: str, target: float | None, tolerance: float | None, value: float) -> Rag:
    """Green at or past the target; Amber short of it by at most the tolerance; Red beyond that.
    A context measure, or one without a target, is not rated."""
    if polarity == Polarity.CONTEXT.value:
        return Rag.CONTEXT
    if target is None:
        return Rag.NO_TARGET
    shortfall = target - value if polarity == Polarity.HIGHER.value else value - target
    if _at_most(shortfall, 0):
        return Rag.GREEN
    if tolerance and _at_most(shortfall, tolerance):
        return Rag.AMBER
    return Rag.RED


def shown(unit: str, value: float | None) -> str:
    """A value as people read it: "2,031", "61%", "12 days"."""
    if value is None:
        return "—"
    number = f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit == Unit.PERCENT.value:
        return f"{number}%"
    if unit == Unit.DAYS.value:
        return f"{number} day{'' if value == 1 else 's'}"
    return number


@dataclass(frozen=True)
class Travel:
    """Direction of travel since the previous period, in words (the arrow is decoration)."""

    arrow: str
    word: str
    detail: str
    kind: str  # improving, worsening, steady, up, down, none

    def __str__(self) -> str:
        return f"{self.word}: {self.detail}" if self.detail else self.word


def travel(measure: KpiMeasure, previous: KpiValue | None, latest: KpiValue | None) -> Travel:
    if latest is None:
        return Travel("", "No values yet", "", "none")
    if previous is None:
        return Travel("", "First value", f"{period_label(latest.period)}", "none")
    since = f"since {period_label(previous.period)}"
    change = latest.value - previous.value
    if math.isclose(change, 0, abs_tol=1e-9):
        return Travel("→", "No change", since, "steady")
    up = change > 0
    if measure.unit == Unit.PERCENT.value:
        amount = f"{abs(change):g} points"
    else:
        amount = f"{abs(change):g}" + (f" ({abs(change) / previous.value:.0%})" if previous.value else "")
    detail = f"{'up' if up else 'down'} {amount} {since}"
    if measure.polarity == Polarity.CONTEXT.value:
        return Travel("↑" if up else "↓", "Up" if up else "Down", detail, "up" if up else "down")
    better = up == (measure.polarity == Polarity.HIGHER.value)
    return Travel("↑" if up else "↓", "Improving" if better else "Worsening", detail,
                  "improving" if better else "worsening")


@dataclass(frozen=True)
class Trend:
    """A small line of the current values, scaled to a box with the target (and its amber band) in view."""

    points: str
    dots: list[tuple[float, float, str]]
    target_y: float | None
    band: tuple[float, float] | None  # top and height of the amber band
    width: int
    height: int


@dataclass
class MeasureSeries:
    measure: KpiMeasure
    values: list[KpiValue]  # every row, corrections and all, oldest first
    current: dict[str, KpiValue] = field(init=False)

    def __post_init__(self) -> None:
        self.current = current_values(self.values)

    @property
    def points(self) -> list[KpiValue]:
        return [self.current[period] for period in sorted(self.current)]

    @property
    def latest(self) -> KpiValue | None:
        return self.points[-1] if self.current else None

    @property
    def previous(self) -> KpiValue | None:
        return self.points[-2] if len(self.current) > 1 else None

    def rag(self, value: KpiValue | None) -> Rag | None:
        if value is None:
            return None
        return rate(self.measure.polarity, self.measure.target, self.measure.tolerance, value.value)

    @property
    def latest_rag(self) -> Rag | None:
        return self.rag(self.latest)

    @property
    def travel(self) -> Travel:
        return travel(self.measure, self.previous, self.latest)

    def shown(self, value: float | None) -> str:
        return shown(self.measure.unit, value)

    def earlier(self, value: KpiValue) -> list[KpiValue]:
        """The values `value` replaced, newest first (a chain of corrections)."""
        by_id = {v.id: v for v in self.values}
        chain = []
        while value.corrects_id and value.corrects_id in by_id:
            value = by_id[value.corrects_id]
            chain.append(value)
        return chain

    @property
    def target_words(self) -> str:
        measure = self.measure
        if measure.polarity == Polarity.CONTEXT.value:
            return "Context only: not rated"
        if measure.target is None:
            return f"{measure.polarity_enum.label}; no target set"
        tolerance = f", Amber within {self.shown(measure.tolerance)}" if measure.tolerance else ""
        return f"Target {self.shown(measure.target)} ({measure.polarity_enum.label.lower()}{tolerance})"

    @property
    def trend_words(self) -> str:
        values = ", ".join(f"{period_label(v.period)} {self.shown(v.value)}" for v in self.points)
        target = f"; target {self.shown(self.measure.target)}" if self.measure.target is not None and \
            self.measure.polarity != Polarity.CONTEXT.value else ""
        return f"Trend of {self.measure.name}: {values}{target}"

    def trend(self, width: int = 160, height: int = 40, pad: int = 5) -> Trend | None:
        points = self.points
        if len(points) < 2:
            return None
        measure = self.measure
        rated = measure.polarity != Polarity.CONTEXT.value and measure.target is not None
        edge = None
        if rated and measure.tolerance:
            edge = measure.target - measure.tolerance if measure.polarity == Polarity.HIGHER.value \
                else measure.target + measure.tolerance
        scale = [p.value for p in points] + ([measure.target] if rated else []) + ([edge] if edge is not None else [])
        low, high = min(scale), max(scale)
        span = (high - low) or 1

        def y(value: float) -> float:
            return round(height - pad - (value - low) / span * (height - 2 * pad), 1)

        step = (width - 2 * pad) / (len(points) - 1)
        dots = [(round(pad + i * step, 1), y(p.value), (self.rag(p) or Rag.CONTEXT).value)
                for i, p in enumerate(points)]
        band = None
        if edge is not None:
            top, bottom = sorted((y(measure.target), y(edge)))
            band = (top, round(bottom - top, 1))
        return Trend(" ".join(f"{x},{y_}" for x, y_, _ in dots), dots, y(measure.target) if rated else None,
                     band, width, height)


@dataclass
class ScorecardGroup:
    """Measures reported at one frequency, with the periods shown as columns (the latest few)."""

    frequency: Frequency
    periods: list[str]
    rows: list[MeasureSeries]

    def period_label(self, period: str) -> str:
        return period_label(period)


def _load(query, as_at: datetime | None = None) -> list[MeasureSeries]:
    """Each measure with its values, or only those recorded before `as_at` (the scorecard as it stood then:
    a later value or correction is left out)."""
    measures = db.session.scalars(query.options(
        selectinload(KpiMeasure.values).selectinload(KpiValue.recorded_by), selectinload(KpiMeasure.owner_roles),
        selectinload(KpiMeasure.areas), selectinload(KpiMeasure.outcomes))
        .order_by(KpiMeasure.position, KpiMeasure.id)).all()
    return [MeasureSeries(measure, sorted((v for v in measure.values if as_at is None or v.recorded_at < as_at),
                                          key=lambda v: v.id)) for measure in measures]


def plan_series(plan: Plan, area_id: int | None = None, as_at: datetime | None = None) -> list[MeasureSeries]:
    query = select(KpiMeasure).where(KpiMeasure.plan_id == plan.id)
    if area_id is not None:
        query = query.where(KpiMeasure.id.in_(select(measure_areas.c.measure_id)
                                              .where(measure_areas.c.area_id == area_id)))
    return _load(query, as_at)


def one_series(measure: KpiMeasure) -> MeasureSeries:
    return _load(select(KpiMeasure).where(KpiMeasure.id == measure.id))[0]


def scorecard(plan: Plan, area_id: int | None = None, columns: int = 4,
              as_at: datetime | None = None) -> list[ScorecardGroup]:
    """The plan's measures grouped by frequency (the group of the first measure first); each group shows
    its latest `columns` periods (as recorded by `as_at`, when given: a report's period end)."""
    by_frequency: dict[Frequency, list[MeasureSeries]] = defaultdict(list)
    for series in plan_series(plan, area_id, as_at):
        by_frequency[series.measure.frequency_enum].append(series)
    groups = []
    for frequency, rows in by_frequency.items():  # in the order of each frequency's first measure
        periods = sorted({period for row in rows for period in row.current})[-columns:]
        groups.append(ScorecardGroup(frequency, periods, rows))
    return groups


def series_for_outcomes(outcome_ids: list[int]) -> dict[int, list[MeasureSeries]]:
    """The measures that evidence each outcome."""
    if not outcome_ids:
        return {}
    links = db.session.execute(select(measure_outcomes.c.outcome_id, measure_outcomes.c.measure_id)
                               .where(measure_outcomes.c.outcome_id.in_(outcome_ids))).all()
    if not links:
        return {}
    series = {s.measure.id: s for s in _load(select(KpiMeasure).where(
        KpiMeasure.id.in_({measure_id for _, measure_id in links})))}
    found: dict[int, list[MeasureSeries]] = defaultdict(list)
    for outcome_id, measure_id in links:
        found[outcome_id].append(series[measure_id])
    for rows in found.values():
        rows.sort(key=lambda s: (s.measure.position, s.measure.id))
    return found
