"""Impact measures: their definitions, who may record their values, and values recorded append-only.

The plan's own figures are seeded as measures (`ensure_baseline_measures`); the scorecard that rates
them is in `scorecard.py`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from board.services import audit, periods
from models import (
    Area,
    Frequency,
    KpiMeasure,
    KpiValue,
    Outcome,
    OwnerRole,
    Plan,
    Polarity,
    Role,
    Unit,
    User,
    db,
)

PLAN_SOURCE_NOTE = "As printed in the plan"


class KpiRefused(ValueError):
    """Nothing was recorded; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


class NotAnOwner(KpiRefused):
    def __init__(self, measure: KpiMeasure):
        super().__init__(f"Only the owners of “{measure.name}” and admins record its values.", "measure")


class KpiConflict(KpiRefused):
    """The period has a value the person did not see (someone recorded or corrected it first);
    `current` is that value."""

    def __init__(self, message: str, current: KpiValue):
        super().__init__(message, "value")
        self.current = current


# --- who may record ----------------------------------------------------------------------------------

def may_record(user: User | None, measure: KpiMeasure) -> bool:
    """Admins, and contributors or above holding one of the measure's owner roles."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.ADMIN):
        return True
    mine = {role.id for role in user.owner_roles}
    return user.has_role(Role.CONTRIBUTOR) and any(role.id in mine for role in measure.owner_roles)


def recordable_measures(plan: Plan, user: User | None) -> list[KpiMeasure]:
    return [measure for measure in plan_measures(plan) if may_record(user, measure)]


def plan_measures(plan: Plan) -> list[KpiMeasure]:
    return list(db.session.scalars(select(KpiMeasure).where(KpiMeasure.plan_id == plan.id)
                                   .order_by(KpiMeasure.position, KpiMeasure.id)))


def measure_query(plan: Plan, measure_id: int):
    """One measure of this plan (an id from another plan finds nothing)."""
    return select(KpiMeasure).where(KpiMeasure.id == measure_id, KpiMeasure.plan_id == plan.id)


# --- values ------------------------------------------------------------------------------------------

def current_values(values: list[KpiValue]) -> dict[str, KpiValue]:
    """Per period, the value nobody has corrected."""
    corrected = {value.corrects_id for value in values if value.corrects_id}
    return {value.period: value for value in sorted(values, key=lambda v: v.id) if value.id not in corrected}


def _current(measure: KpiMeasure, period: str) -> KpiValue | None:
    values = db.session.scalars(select(KpiValue).where(KpiValue.measure_id == measure.id,
                                                       KpiValue.period == period)).all()
    return current_values(list(values)).get(period)


def check_value(measure: KpiMeasure, value: float) -> None:
    if measure.unit == Unit.PERCENT.value and not 0 <= value <= 100:
        raise KpiRefused("A percentage is between 0 and 100.", "value")
    if value < 0:
        raise KpiRefused(f"{measure.unit_enum.label} cannot be negative.", "value")


def record_value(measure: KpiMeasure, period: str, value: float, user: User, source_note: str,
                 replaces: int | None = None, reason: str | None = None) -> KpiValue:
    """Record a measure's value for a period, with where it came from.

    A period with a value already is corrected only by naming that value (`replaces`, its id) and
    saying why: the earlier value is kept. A period whose value is not the one the person saw (someone
    recorded or corrected it first) is refused with KpiConflict, never overwritten.
    """
    if not may_record(user, measure):
        raise NotAnOwner(measure)
    try:
        period = periods.check(measure.frequency, period)
    except periods.PeriodRefused as refused:
        raise KpiRefused(str(refused), "period") from None
    check_value(measure, value)
    source_note = " ".join((source_note or "").split())
    if not source_note:
        raise KpiRefused("Say where the figure comes from (the report, system or audit).", "source_note")
    reason = " ".join((reason or "").split()) or None
    current = _current(measure, period)
    if (current.id if current else None) != replaces:
        if current is None:
            raise KpiRefused("That value is no longer there to correct: reload the page.", "value")
        raise _conflict(current)
    if current is not None and not reason:
        raise KpiRefused(f"Say why {periods.label(period)} is corrected (the earlier value is kept).", "reason")
    entry = KpiValue(measure_id=measure.id, period=period, value=value, source_note=source_note,
                     recorded_by=user, corrects_id=replaces, correction_reason=reason if current else None)
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:  # someone recorded or corrected this period at the same moment
        db.session.rollback()
        raise _conflict(_current(measure, period)) from None
    return entry


def _conflict(current: KpiValue) -> KpiConflict:
    return KpiConflict(
        f"{periods.label(current.period)} already has the value {current.value:g} (recorded by "
        f"{current.recorded_by_name}). To correct it, check your value, say why, and record it again.",
        current)


# --- definitions -------------------------------------------------------------------------------------

@dataclass
class MeasureDefinition:
    """What the admin's form says a measure is."""

    name: str
    unit: str = Unit.COUNT.value
    polarity: str = Polarity.CONTEXT.value
    target: float | None = None
    tolerance: float | None = None
    frequency: str = Frequency.QUARTERLY.value
    source: str = ""
    owner_roles: list[OwnerRole] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def checked(self) -> MeasureDefinition:
        self.name = " ".join(self.name.split())
        self.source = " ".join((self.source or "").split())
        if not self.name:
            raise KpiRefused("Name the measure.", "name")
        if self.unit == Unit.PERCENT.value and self.target is not None and not 0 <= self.target <= 100:
            raise KpiRefused("A percentage target is between 0 and 100.", "target")
        if self.tolerance is not None and self.tolerance < 0:
            raise KpiRefused("The tolerance is how far from the target is still Amber: 0 or more.", "tolerance")
        if self.tolerance and self.target is None:
            raise KpiRefused("Set a target for the tolerance to be measured from.", "target")
        return self

    def summary(self) -> str:
        target = "no target" if self.target is None else f"target {self.target:g}"
        tolerance = f", tolerance {self.tolerance:g}" if self.tolerance else ""
        return f"{Unit(self.unit).label}, {Polarity(self.polarity).label}, {target}{tolerance}, {self.frequency}"


def _same_name(plan: Plan, name: str, other_than: int | None = None) -> bool:
    query = select(KpiMeasure.id).where(KpiMeasure.plan_id == plan.id, func.lower(KpiMeasure.name) == name.lower())
    return any(found != other_than for found in db.session.scalars(query))


def _apply(measure: KpiMeasure, definition: MeasureDefinition) -> None:
    for name in ("name", "unit", "polarity", "target", "tolerance", "frequency", "source", "owner_roles",
                 "areas", "outcomes"):
        setattr(measure, name, getattr(definition, name))


def add_measure(plan: Plan, definition: MeasureDefinition, user: User) -> KpiMeasure:
    definition.checked()
    if _same_name(plan, definition.name):
        raise KpiRefused("There is already a measure with that name.", "name")
    position = db.session.scalar(select(func.count(KpiMeasure.id)).where(KpiMeasure.plan_id == plan.id))
    measure = KpiMeasure(plan_id=plan.id, position=position)
    _apply(measure, definition)
    db.session.add(measure)
    audit.record("kpi_measure", definition.name, by=user, to_value=definition.summary())
    db.session.commit()
    return measure


class MeasureConflict(KpiRefused):
    def __init__(self, measure: KpiMeasure):
        super().__init__("Someone changed this measure since you opened it: it now shows their version. "
                         "Check it and save again.", "name")
        self.measure = measure


def change_measure(measure: KpiMeasure, definition: MeasureDefinition, user: User,
                   expected_version: int) -> KpiMeasure:
    """Change a measure's definition (admins); a form older than the measure is refused."""
    definition.checked()
    plan = db.session.get(Plan, measure.plan_id)
    if _same_name(plan, definition.name, other_than=measure.id):
        raise KpiRefused("There is already a measure with that name.", "name")
    if measure.version != expected_version:
        raise MeasureConflict(measure)
    before = MeasureDefinition(measure.name, measure.unit, measure.polarity, measure.target, measure.tolerance,
                               measure.frequency).summary()
    _apply(measure, definition)
    measure.version += 1
    audit.record("kpi_measure_changed", definition.name, by=user, from_value=before, to_value=definition.summary())
    db.session.commit()
    return measure


# --- the plan's own measures -------------------------------------------------------------------------

@dataclass
class _Seed:
    name: str
    unit: str
    polarity: str
    frequency: str
    source: str
    target: float | None = None
    value: float | None = None
    period: str | None = None
    quality_note: str | None = None
    part_of: str | None = None

    def __post_init__(self) -> None:
        # Labels in a plan file may be as long as the file allows: a name built from one ("...: of which ...",
        # "Audit: cases graded ...") and a source are clipped to their columns (PostgreSQL refuses longer).
        limit = KpiMeasure.__table__.c.name.type.length
        self.name, self.source = self.name[:limit], self.source[:KpiMeasure.__table__.c.source.type.length]
        self.part_of = self.part_of[:limit] if self.part_of else self.part_of


def baseline_quarter(plan: Plan) -> str | None:
    """'Q1 2023/24' in the plan header becomes '2023/24 Q1'."""
    period = (plan.header or {}).get("performance", {}).get("period", "")
    match = re.match(r"^Q([1-4]) (\d{4}/\d{2})$", period)
    return f"{match[2]} Q{match[1]}" if match else None


def measure_name(label: str) -> str:
    """'cared for children, of which 55 are UASC' measures cared for children."""
    name = re.split(r",\s*of which", label)[0]
    return name[:1].upper() + name[1:]


def _figure_seeds(plan: Plan) -> list[_Seed]:
    """The performance figures (volumes: context only) and their "of which" figures."""
    performance = (plan.header or {}).get("performance", {})
    quarter, printed = baseline_quarter(plan), performance.get("period", "")
    seeds = []
    for figure in performance.get("figures", []):
        name = measure_name(figure["label"])
        source = f"The plan's performance figures at {printed}".strip()
        seeds.append(_Seed(name, Unit.COUNT.value, Polarity.CONTEXT.value, Frequency.QUARTERLY.value, source,
                           value=float(figure["value"]), period=quarter))
        if figure.get("of_which"):
            part = figure["of_which"]
            seeds.append(_Seed(f"{name}: of which {part['label']}", Unit.COUNT.value, Polarity.CONTEXT.value,
                               Frequency.QUARTERLY.value, source, value=float(part["value"]), period=quarter,
                               part_of=name))
    return seeds


COMPLIANCE = re.compile(r"(?P<target>\d{1,3}(?:\.\d+)?)%\s+achieved for all compliance measures", re.IGNORECASE)


def _compliance_seeds(plan: Plan) -> list[_Seed]:
    """The pillars' "90% achieved for all compliance measures": a target, no value yet."""
    for pillar in (plan.header or {}).get("pillars", []):
        match = COMPLIANCE.search(pillar.get("impact_kpis", ""))
        if match and float(match["target"]) <= 100:
            return [_Seed("Compliance measures achieved", Unit.PERCENT.value, Polarity.HIGHER.value,
                          Frequency.QUARTERLY.value, f"The plan's pillar: {pillar['statement']}"[:300],
                          target=float(match["target"]))]
    return []


# "more good practice and less inadequate practice": the plan names a direction for these two grades only.
GRADE_POLARITY = {"good": Polarity.HIGHER.value, "inadequate": Polarity.LOWER.value}
AUDIT_MONTHS = re.compile(r"first (?P<months>\d{1,2}) months of (?P<start>\d{4})/\d{2}", re.IGNORECASE)


def audit_quality_notes(results: list[dict]) -> list[str | None]:
    """Where the audit as printed does not add up: the percentages' total, and each grade's cases
    against the cases audited."""
    percents = [r.get("percent") for r in results]
    cases = [r.get("cases") for r in results]
    total_percent = sum(p for p in percents if p is not None)
    total_cases = sum(cases) if results and all(c is not None for c in cases) else None
    notes = []
    for percent, count in zip(percents, cases):
        words = []
        if total_cases and count is not None and percent is not None and round(100 * count / total_cases) != percent:
            words.append(f"{count} of {total_cases} cases is {round(100 * count / total_cases)}%, "
                         f"not the {percent:g}% printed.")
        if None not in percents and total_percent != 100:
            words.append(f"The printed percentages add up to {total_percent:g}%, not 100%.")
        notes.append(" ".join(words) or None)
    return notes


def _audit_seeds(plan: Plan) -> list[_Seed]:
    section = (plan.header or {}).get("audit", {})
    results = [r for r in section.get("results", []) if r.get("grade") and r.get("percent") is not None]
    months = AUDIT_MONTHS.search(section.get("intro", ""))
    if months and 1 <= int(months["months"]) <= 12:
        month = 3 + int(months["months"])  # the financial year starts in April
        year = int(months["start"]) + (month - 1) // 12
        frequency, period = Frequency.MONTHLY.value, f"{year:04d}-{(month - 1) % 12 + 1:02d}"
    else:
        frequency, period = Frequency.QUARTERLY.value, baseline_quarter(plan)
    source = "The plan's children's social care audit" + (f" ({months[0]})" if months else "")
    return [_Seed(f"Audit: cases graded {result['grade']}", Unit.PERCENT.value,
                  GRADE_POLARITY.get(result["grade"].lower(), Polarity.CONTEXT.value), frequency, source,
                  value=float(result["percent"]), period=period, quality_note=note)
            for result, note in zip(results, audit_quality_notes(results))]


def ensure_baseline_measures(plan: Plan) -> int:
    """The plan's own measures, as printed: its performance figures (with their "of which" figures) as
    context, its compliance target, and its audit grades (with a note where they do not add up).

    Safe to run again: a measure that exists (by name) is left as it is, with its values. Returns how
    many were added. The caller commits.
    """
    existing = {m.name: m for m in plan_measures(plan)}
    position = len(existing)
    added = 0
    for seed in [*_figure_seeds(plan), *_compliance_seeds(plan), *_audit_seeds(plan)]:
        if seed.name in existing:
            continue
        measure = KpiMeasure(plan_id=plan.id, name=seed.name, unit=seed.unit, polarity=seed.polarity,
                             frequency=seed.frequency, source=seed.source, target=seed.target,
                             position=position + added, part_of=existing.get(seed.part_of or ""))
        if seed.value is not None and seed.period:
            measure.values.append(KpiValue(period=seed.period, value=seed.value, source_note=PLAN_SOURCE_NOTE,
                                           quality_note=seed.quality_note))
        db.session.add(measure)
        existing[seed.name] = measure
        added += 1
    return added
