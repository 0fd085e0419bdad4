"""The committee highlight report for a period, as at its end, beside its start.

Statuses, dues and impact ratings are rebuilt from the append-only history (`as_at`), so a report for
a past period says what the board said then, not today. Exceptions (Red, overdue, Amber, stale, Green
or Complete with no evidence a committee may read, completions awaiting sign-off) are grouped by area,
worst first, a few in full and the rest by ref, so the paper stays short. Nothing here names a
withdrawn or internal note: the report is a committee's paper.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from sqlalchemy import select

from board import clock
from board.services.as_at import (
    ActionAt,
    PlanHistory,
    committee_notes,
    day_end,
    day_start,
    ratings_at,
    weekly_counts,
)
from board.services.board_view import days_overdue, is_overdue, is_stale, one_off_stale_days
from board.services.completion import completion_words
from board.services.direction import Direction, direction
from board.services.glossary import short_forms
from board.services.overview import ref_sort_key
from board.services.owner_roles import abbreviate_role
from board.services.people import role_title
from board.services.report_model import (
    ActionLine,
    AreaLine,
    CompletedLine,
    ExceptionGroup,
    ExceptionLine,
    MeasureCell,
    MeasureGroup,
    MeasureLine,
    Narrative,
    OutcomeLine,
    RagWords,
    ReportSnapshot,
    ShortForm,
    TravelWords,
    TrendPoint,
    TrendShape,
)
from board.services.scorecard import scorecard
from models import Action, Area, EvidenceNote, Outcome, OwnerRole, Plan, Status, action_owners, db

# Exceptions shown in full per area; the rest are listed by ref with what is wrong in a word or two.
IN_FULL_PER_AREA = 3
STATUS_VALUES = [status.value for status in Status]


def build_report(plan: Plan, start: date, end: date, narrative: Narrative | None = None) -> ReportSnapshot:
    """The report for `start`..`end` (whole days, the council's dates) as at the end of `end`."""
    history = PlanHistory(plan)
    start_at, end_at = day_start(start), day_end(end)
    before = {action.id: action for action in history.at(start_at)}
    after = history.at(end_at)
    notes = committee_notes(plan, end_at)
    owners = _owners(plan)
    areas = db.session.scalars(select(Area).where(Area.plan_id == plan.id).order_by(Area.number)).all()
    number_of = {area.id: area.number for area in areas}
    narrative = narrative or Narrative()
    lines, exceptions, completed = [], defaultdict(list), []
    for action in after:
        then = before[action.id]
        line = _action_line(action, then, end, number_of[action.area_id], owners.get(action.id, []),
                            bool(notes.get(action.id)), plan.require_sign_off)
        lines.append(line)
        flagged = _exception(line, action, notes.get(action.id, []), end)
        if flagged:
            exceptions[line.area].append(flagged)
        if action.completed_at and start_at <= action.completed_at < end_at:
            completed.append(_completed_line(line, action, notes.get(action.id, [])))
    return ReportSnapshot(
        plan_title=plan.title, organisation=plan.organisation, plan_period=plan.period, objective=plan.objective,
        owner_name=plan.owner_name, owner_role=plan.owner_role, start=start, end=end, built_at=clock.now(),
        stale_days=one_off_stale_days(), require_sign_off=plan.require_sign_off, narrative=narrative,
        areas=[_area_line(area, [line for line in lines if line.area == area.number]) for area in areas],
        actions=lines, exceptions=_groups(exceptions, {area.number: area.title for area in areas}),
        completed=completed, **_outcomes(plan, start_at, end_at),
        measures=_measures(plan, end_at),
        trend=[TrendPoint(on=day, counts={s: counts[s] for s in STATUS_VALUES})
               for day, counts in weekly_counts(history, end)],
        short_forms=[ShortForm(short=row.short, initials=row.initials, name=row.name) for row in short_forms(plan)])


def _action_line(action: ActionAt, then: ActionAt, end: date, area: int, owners: list[str], evidenced: bool,
                 require_sign_off: bool) -> ActionLine:
    overdue = is_overdue(action, end) and not action.closed_how  # a closed action is overdue no more
    completed_on = clock.local_date(action.completed_at) if action.completed_at else None
    return ActionLine(
        ref=action.ref, area=area, text=action.text, owners=owners, status_start=then.status,
        status_end=action.status, direction=direction(then.status, action.status).value,
        due_start=then.due_text, due_end=action.due_text, overdue=overdue,
        not_started_overdue=overdue and action.status == Status.NOT_STARTED.value,
        days_overdue=days_overdue(action, end), stale=is_stale(action, end), completed_on=completed_on,
        completion=completion_words(completed_on, action.due_at_completion),
        awaiting_sign_off=bool(require_sign_off and completed_on and not action.signed_off), evidenced=evidenced)


def _weeks(days: int) -> str:
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{days // 7} weeks"


# Worst first: the rank of each kind of exception (a line ranks by its worst).
_RANKS = {"red": 0, "overdue": 1, "amber": 2, "stale": 3, "evidence": 4, "sign_off": 5}


def _exception(line: ActionLine, action: ActionAt, notes: list[EvidenceNote], end: date) -> tuple | None:
    """(rank, days overdue, kinds, the line) when the action needs a committee's attention, else None."""
    kinds, flags = [], []
    if line.status_end == Status.RED.value:
        kinds.append("red")
    if line.overdue:
        kinds.append("overdue")
        flags.append(f"overdue by {_weeks(line.days_overdue)}" + (", not started" if line.not_started_overdue else ""))
    if line.status_end == Status.AMBER.value:
        kinds.append("amber")
    if line.stale:
        kinds.append("stale")
        since = clock.local_date(action.last_activity_at or action.created_at)
        flags.append(f"stale: no update for {_weeks((end - since).days)}")
    if line.status_end in (Status.GREEN.value, Status.COMPLETE.value) and not line.evidenced:
        kinds.append("evidence")
        flags.append(f"{Status(line.status_end).label} without evidence")
    if line.awaiting_sign_off:
        kinds.append("sign_off")
        flags.append("awaiting sign-off")
    if not kinds:
        return None
    latest = action.latest_reason or (notes[0].text if notes else None)
    exception = ExceptionLine(ref=line.ref, text=line.text, status=line.status_end, flags=flags, latest=latest)
    return min(_RANKS[kind] for kind in kinds), -line.days_overdue, kinds, exception


def _groups(found: dict[int, list[tuple]], titles: dict[int, str]) -> list[ExceptionGroup]:
    """Each area's exceptions worst first, a few in full; the areas themselves worst first."""
    groups = []
    for number, items in found.items():
        items.sort(key=lambda item: (item[0], item[1], ref_sort_key(item[3].ref)))
        kinds = Counter(kind for item in items for kind in item[2])
        not_started = sum("not started" in flag for item in items for flag in item[3].flags)
        groups.append((tuple(-kinds[kind] for kind in _RANKS), number, ExceptionGroup(
            area=number, title=titles[number], summary=_summary(kinds, not_started),
            lines=[item[3] for item in items[:IN_FULL_PER_AREA]],
            more=[item[3] for item in items[IN_FULL_PER_AREA:]])))
    return [group for *_, group in sorted(groups, key=lambda entry: entry[:2])]


def _summary(kinds: Counter, not_started: int) -> str:
    parts = []
    if kinds["red"]:
        parts.append(f"{kinds['red']} Red")
    if kinds["overdue"]:
        parts.append(f"{kinds['overdue']} overdue" + (f" ({not_started} not started)" if not_started else ""))
    if kinds["amber"]:
        parts.append(f"{kinds['amber']} Amber")
    if kinds["stale"]:
        parts.append(f"{kinds['stale']} stale")
    if kinds["evidence"]:
        parts.append(f"{kinds['evidence']} without evidence")
    if kinds["sign_off"]:
        parts.append(f"{kinds['sign_off']} awaiting sign-off")
    return " · ".join(parts)


def _completed_line(line: ActionLine, action: ActionAt, notes: list[EvidenceNote]) -> CompletedLine:
    """A completion in the period with its evidence: the note given with it (or the latest before)."""
    evidence = next((note for note in notes if note.created_at <= action.completed_at), notes[0] if notes else None)
    return CompletedLine(ref=line.ref, text=line.text, completed_on=line.completed_on, completion=line.completion,
                         evidence=evidence.text if evidence else None,
                         evidence_link=evidence.link_url if evidence else None,
                         awaiting_sign_off=line.awaiting_sign_off)


def _area_line(area: Area, lines: list[ActionLine]) -> AreaLine:
    start, end = Counter(line.status_start for line in lines), Counter(line.status_end for line in lines)
    moved: dict[str, list[str]] = {d.value: [] for d in Direction if d is not Direction.NO_CHANGE}
    for line in lines:
        if line.direction in moved:
            moved[line.direction].append(line.ref)
    return AreaLine(number=area.number, title=area.title, start={s: start[s] for s in STATUS_VALUES},
                    end={s: end[s] for s in STATUS_VALUES}, total=len(lines),
                    overdue=sum(line.overdue for line in lines), stale=sum(line.stale for line in lines),
                    directions=moved)


def _outcomes(plan: Plan, start_at: datetime, end_at: datetime) -> dict:
    """Each outcome's impact rating at the start and the end; those never rated are only counted."""
    rows = db.session.execute(
        select(Outcome.id, Outcome.text, Area.number).join(Area).where(Area.plan_id == plan.id)
        .where(select(Action.id).where(Action.outcome_id == Outcome.id).exists())
        .order_by(Area.number, Outcome.position)).all()
    ratings = ratings_at(plan, [start_at, end_at])
    lines, not_rated = [], 0
    for outcome_id, text, number in rows:
        then, now = ratings.get(outcome_id, [None, None])
        if then is None and now is None:
            not_rated += 1
            continue
        lines.append(OutcomeLine(
            area=number, text=text, rating_start=then.rating if then else None, rating_end=now.rating if now else None,
            comment=now.text if now else None, comment_on=clock.local_date(now.written_at) if now else None,
            by_name=now.author.name if now else "", by_role=role_title(now.author) if now else ""))
    return {"outcomes": lines, "outcomes_not_rated": not_rated}


def _owners(plan: Plan) -> dict[int, list[str]]:
    """Each action's owner roles in their short forms."""
    owners: dict[int, list[str]] = defaultdict(list)
    for action_id, name in db.session.execute(
            select(action_owners.c.action_id, OwnerRole.name)
            .join(OwnerRole, OwnerRole.id == action_owners.c.owner_role_id)
            .where(OwnerRole.plan_id == plan.id).order_by(OwnerRole.name)):
        owners[action_id].append(abbreviate_role(name))
    return owners


def _measures(plan: Plan, end_at: datetime) -> list[MeasureGroup]:
    """The impact measures' scorecard as recorded by the period's end (a later value or correction is not
    in it), in words: each value, its rating and its direction of travel."""
    groups = []
    for group in scorecard(plan, as_at=end_at):
        rows = []
        for series in group.rows:
            cells = []
            for period in group.periods:
                value = series.current.get(period)
                rag = series.rag(value)
                cells.append(MeasureCell(value=series.shown(value.value), quality_note=value.quality_note,
                                         rag=RagWords(value=rag.value, label=rag.label, meaning=rag.meaning),
                                         corrected=bool(value.corrects_id)) if value else MeasureCell())
            trend = series.trend()
            rows.append(MeasureLine(
                name=series.measure.name, target_words=series.target_words, cells=cells,
                part_of=bool(series.measure.part_of_id), travel=TravelWords(**vars(series.travel)),
                trend_words=series.trend_words, trend_shape=TrendShape(**vars(trend)) if trend else None))
        notes = [f"{series.measure.name}, {group.period_label(value.period)} ({series.shown(value.value)} as printed): "
                 f"{value.quality_note}" for series in group.rows for value in series.points if value.quality_note]
        groups.append(MeasureGroup(frequency=group.frequency.label, periods=[group.period_label(p) for p in group.periods],
                                   rows=rows, notes=notes))
    return groups
