"""Data out for reporting tools: one plan's rows per resource, with stable field names, a page at a time.

Each resource names its fields once (`FIELDS`); its rows carry exactly those keys, in JSON and in CSV.
Times are ISO 8601 in UTC ("2023-12-15T10:32:05Z"), dates ISO 8601 ("2023-12-15"). Rows come in a stable
order (by plan order or by id), so pages never overlap or skip a row while nothing is added.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from board.services.board_view import is_overdue, is_stale, pointer_status
from board.services.due import cadence_label
from board.services.evidence import comments_for, in_force, shown_outside_the_team
from board.services.exports import latest_status_changes
from board.services.history import describe_event
from board.services.periods import bounds
from board.services.scorecard import MeasureSeries, rate
from models import (
    Action,
    ActionEvent,
    Area,
    EventKind,
    EvidenceNote,
    ImpactComment,
    ImpactRating,
    KpiMeasure,
    KpiValue,
    Outcome,
    Plan,
    Status,
    db,
)
from models.action import NOTE_KINDS

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 100


def iso(value):
    """ISO 8601: times in UTC with a Z (they are stored as naive UTC), dates as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Resource:
    name: str
    fields: tuple[str, ...]
    query: Callable[[Plan], Select]          # the plan's rows, in a stable order
    rows: Callable[[Plan, list, date], list[dict]]  # one page of query results -> rows of `fields`


def _plans(plan: Plan) -> Select:
    return select(Plan).where(Plan.id == plan.id)


def _plan_rows(plan: Plan, found: list, today: date) -> list[dict]:
    return [{"id": p.id, "slug": p.slug, "title": p.title, "organisation": p.organisation, "period": p.period,
             "objective": p.objective, "owner_name": p.owner_name, "owner_role": p.owner_role, "live": p.live,
             "archived_at": iso(p.archived_at), "imported_at": iso(p.imported_at), "updated_at": iso(p.updated_at)}
            for p in found]


def _areas(plan: Plan) -> Select:
    return select(Area).where(Area.plan_id == plan.id).order_by(Area.number, Area.id)


def _area_rows(plan: Plan, found: list, today: date) -> list[dict]:
    return [{"id": a.id, "plan_id": a.plan_id, "number": a.number, "title": a.title,
             "overall_effectiveness": a.overall_effectiveness} for a in found]


def _outcomes(plan: Plan) -> Select:
    return (select(Outcome).join(Area).where(Area.plan_id == plan.id).options(selectinload(Outcome.area))
            .order_by(Area.number, Outcome.position, Outcome.id))


def _outcome_rows(plan: Plan, found: list, today: date) -> list[dict]:
    comments = comments_for([o.id for o in found], include_withdrawn=False)
    rows = []
    for outcome in found:
        rating = in_force(comments[outcome.id])
        rows.append({"id": outcome.id, "plan_id": plan.id, "area_id": outcome.area_id,
                     "area_number": outcome.area.number, "position": outcome.position, "text": outcome.text,
                     "impact_rating": rating.rating if rating else None,
                     "impact_rating_label": rating.rating_enum.label if rating else None,
                     "impact_rated_at": iso(rating.created_at) if rating else None})
    return rows


def _actions(plan: Plan) -> Select:
    return (select(Action).where(Action.plan_id == plan.id)
            .options(selectinload(Action.owners), selectinload(Action.area), selectinload(Action.carried_from))
            .order_by(Action.plan_order, Action.id))


def _statuses_at_import(actions: list[Action]) -> dict[int, str]:
    """Each action's status when it was imported: what its first move moved it from, else what it is now
    (an import sets it: Not started, the file's status, or the status it was carried over with)."""
    first_moves = (select(func.min(ActionEvent.id)).where(
        ActionEvent.action_id.in_([a.id for a in actions]), ActionEvent.kind == EventKind.STATUS)
        .group_by(ActionEvent.action_id))
    moved_from = dict(db.session.execute(select(ActionEvent.action_id, ActionEvent.from_value)
                                         .where(ActionEvent.id.in_(first_moves))).all())
    return {a.id: moved_from.get(a.id, a.status) for a in actions}


def _action_rows(plan: Plan, found: list, today: date) -> list[dict]:
    changes = latest_status_changes(plan)
    at_import = _statuses_at_import(found)
    # A row that only points at other actions shows their status, as on the board.
    status_by_ref = dict(db.session.execute(select(Action.ref, Action.status).where(Action.plan_id == plan.id)).all())
    slugs = dict(db.session.execute(select(Plan.id, Plan.slug)).all())
    rows = []
    for a in found:
        status = pointer_status([status_by_ref[r] for r in a.see_also if r in status_by_ref]) if a.is_pointer \
            else a.status
        carried = a.carried_from
        rows.append({
            "id": a.id, "plan_id": a.plan_id, "ref": a.ref, "area_id": a.area_id, "area_number": a.area.number,
            "outcome_id": a.outcome_id, "text": a.text, "owners": [role.name for role in a.owners],
            "status": status, "status_label": Status(status).label, "status_at_import": at_import[a.id],
            "position": a.position, "due_as_printed": a.plan_due_text, "due": a.due_text,
            "due_date": iso(a.due_date), "cadence": cadence_label(a.cadence) if a.cadence else None,
            "overdue": is_overdue(a, today), "stale": is_stale(a, today),
            "status_changed_at": iso(a.status_changed_at),
            "last_status_change": changes.get(a.id, (None, None))[0],
            "last_status_change_reason": changes.get(a.id, (None, None))[1] or None,
            "last_activity_at": iso(a.last_activity_at), "points_to": list(a.see_also) if a.is_pointer else [],
            "carried_from": f"{slugs[carried.plan_id]} {carried.ref}" if carried else None,
            "closed_at": iso(a.closed_at), "closed_how": a.closed_how, "closed_note": a.closed_note or None,
            "version": a.version})
    return rows


def _history(plan: Plan) -> Select:
    return (select(ActionEvent).join(Action).where(Action.plan_id == plan.id)
            .options(selectinload(ActionEvent.user), selectinload(ActionEvent.action)).order_by(ActionEvent.id))


def _history_rows(plan: Plan, found: list, today: date) -> list[dict]:
    rows = []
    for event in found:
        # A note's words live with the note (evidence-notes shows only those anyone may read): its
        # events say that a note was added, edited or withdrawn, never what it said.
        note = event.kind in NOTE_KINDS
        rows.append({"id": event.id, "action_id": event.action_id, "action_ref": event.action.ref,
                     "at": iso(event.at), "kind": event.kind.value, "actor": event.actor_name,
                     "from_value": None if note else event.from_value,
                     "to_value": None if note else event.to_value,
                     "reason": None if event.kind is EventKind.NOTE_WITHDRAWN else event.reason,
                     "explains_event_id": event.explains_event_id, "clinic_id": event.clinic_id,
                     "summary": describe_event(event, "").summary})
    return rows


def _notes(plan: Plan) -> Select:
    return (select(EvidenceNote).join(Action).where(Action.plan_id == plan.id, shown_outside_the_team())
            .options(selectinload(EvidenceNote.author)).order_by(EvidenceNote.id))


def _note_rows(plan: Plan, found: list, today: date) -> list[dict]:
    refs = dict(db.session.execute(select(Action.id, Action.ref).where(
        Action.id.in_({note.action_id for note in found}))).all())
    return [{"id": n.id, "action_id": n.action_id, "action_ref": refs[n.action_id], "author": n.author.name,
             "text": n.text, "link_url": n.link_url, "created_at": iso(n.created_at),
             "edited_at": iso(n.edited_at)} for n in found]


def _comments(plan: Plan) -> Select:
    return (select(ImpactComment).join(Outcome).join(Area)
            .where(Area.plan_id == plan.id, ImpactComment.withdrawn_at.is_(None))
            .options(selectinload(ImpactComment.author), selectinload(ImpactComment.outcome).selectinload(Outcome.area))
            .order_by(ImpactComment.id))


def _comment_rows(plan: Plan, found: list, today: date) -> list[dict]:
    newer = aliased(ImpactComment)
    in_force_ids = set(db.session.scalars(select(ImpactComment.id).where(
        ImpactComment.id.in_([c.id for c in found]),
        ~exists().where(newer.outcome_id == ImpactComment.outcome_id, newer.id > ImpactComment.id,
                        newer.withdrawn_at.is_(None)))))
    return [{"id": c.id, "outcome_id": c.outcome_id, "area_number": c.outcome.area.number,
             "author": c.author.name, "rating": c.rating, "rating_label": ImpactRating(c.rating).label,
             "text": c.text, "created_at": iso(c.created_at), "edited_at": iso(c.edited_at),
             "is_current_rating": c.id in in_force_ids} for c in found]


def _measures(plan: Plan) -> Select:
    return (select(KpiMeasure).where(KpiMeasure.plan_id == plan.id)
            .options(selectinload(KpiMeasure.values).selectinload(KpiValue.recorded_by),
                     selectinload(KpiMeasure.owner_roles), selectinload(KpiMeasure.areas),
                     selectinload(KpiMeasure.outcomes))
            .order_by(KpiMeasure.position, KpiMeasure.id))


def _measure_rows(plan: Plan, found: list, today: date) -> list[dict]:
    rows = []
    for measure in found:
        series = MeasureSeries(measure, sorted(measure.values, key=lambda v: v.id))
        latest = series.latest
        rows.append({"id": measure.id, "plan_id": measure.plan_id, "name": measure.name, "unit": measure.unit,
                     "polarity": measure.polarity, "target": measure.target, "tolerance": measure.tolerance,
                     "frequency": measure.frequency, "source": measure.source, "part_of_id": measure.part_of_id,
                     "owner_roles": [role.name for role in measure.owner_roles],
                     "area_numbers": [area.number for area in measure.areas],
                     "outcome_ids": [outcome.id for outcome in measure.outcomes],
                     "latest_period": latest.period if latest else None,
                     "latest_value": latest.value if latest else None,
                     "latest_rag": series.latest_rag.value if latest else None,
                     "direction": series.travel.kind})
    return rows


def _values(plan: Plan) -> Select:
    return (select(KpiValue).join(KpiMeasure).where(KpiMeasure.plan_id == plan.id)
            .options(selectinload(KpiValue.measure), selectinload(KpiValue.recorded_by)).order_by(KpiValue.id))


def _value_rows(plan: Plan, found: list, today: date) -> list[dict]:
    successor = aliased(KpiValue)
    corrected = set(db.session.scalars(select(successor.corrects_id).where(
        successor.corrects_id.in_([v.id for v in found]))))
    rows = []
    for value in found:
        measure = value.measure
        start, end = bounds(value.period)
        rows.append({"id": value.id, "measure_id": value.measure_id, "measure_name": measure.name,
                     "period": value.period, "period_start": iso(start), "period_end": iso(end),
                     "value": value.value, "source_note": value.source_note, "quality_note": value.quality_note,
                     "recorded_at": iso(value.recorded_at),
                     "recorded_by": value.recorded_by.name if value.recorded_by else None,
                     "corrects_id": value.corrects_id, "correction_reason": value.correction_reason,
                     "is_current": value.id not in corrected,
                     "rag": rate(measure.polarity, measure.target, measure.tolerance, value.value).value})
    return rows


# Every resource's fields, in CSV column order: the contract (docs/openapi.yaml names the same).
FIELDS = {
    "plans": ("id", "slug", "title", "organisation", "period", "objective", "owner_name", "owner_role", "live",
              "archived_at", "imported_at", "updated_at"),
    "areas": ("id", "plan_id", "number", "title", "overall_effectiveness"),
    "outcomes": ("id", "plan_id", "area_id", "area_number", "position", "text", "impact_rating",
                 "impact_rating_label", "impact_rated_at"),
    "actions": ("id", "plan_id", "ref", "area_id", "area_number", "outcome_id", "text", "owners", "status",
                "status_label", "status_at_import", "position", "due_as_printed", "due", "due_date", "cadence",
                "overdue", "stale", "status_changed_at", "last_status_change", "last_status_change_reason",
                "last_activity_at", "points_to", "carried_from", "closed_at", "closed_how", "closed_note",
                "version"),
    "action-history": ("id", "action_id", "action_ref", "at", "kind", "actor", "from_value", "to_value", "reason",
                       "explains_event_id", "clinic_id", "summary"),
    "evidence-notes": ("id", "action_id", "action_ref", "author", "text", "link_url", "created_at", "edited_at"),
    "impact-comments": ("id", "outcome_id", "area_number", "author", "rating", "rating_label", "text", "created_at",
                        "edited_at", "is_current_rating"),
    "measures": ("id", "plan_id", "name", "unit", "polarity", "target", "tolerance", "frequency", "source",
                 "part_of_id", "owner_roles", "area_numbers", "outcome_ids", "latest_period", "latest_value",
                 "latest_rag", "direction"),
    "measure-values": ("id", "measure_id", "measure_name", "period", "period_start", "period_end", "value",
                       "source_note", "quality_note", "recorded_at", "recorded_by", "corrects_id",
                       "correction_reason", "is_current", "rag"),
}
RESOURCES = {name: Resource(name, FIELDS[name], query, rows) for name, query, rows in (
    ("plans", _plans, _plan_rows), ("areas", _areas, _area_rows), ("outcomes", _outcomes, _outcome_rows),
    ("actions", _actions, _action_rows), ("action-history", _history, _history_rows),
    ("evidence-notes", _notes, _note_rows), ("impact-comments", _comments, _comment_rows),
    ("measures", _measures, _measure_rows), ("measure-values", _values, _value_rows))}
# The collections under /plans/<id>/ (the plans themselves are listed at /plans).
PLAN_COLLECTIONS = tuple(name for name in RESOURCES if name != "plans")


@dataclass(frozen=True)
class ApiPage:
    rows: list[dict]
    total: int
    page: int
    per_page: int | None  # None: every row on one page

    @property
    def pages(self) -> int:
        if not self.per_page:
            return 1
        return max(1, -(-self.total // self.per_page))


def fetch(name: str, plan: Plan, today: date, page: int = 1, per_page: int | None = DEFAULT_PER_PAGE) -> ApiPage:
    """One page of a resource's rows for `plan` (every row when `per_page` is None)."""
    resource = RESOURCES[name]
    query = resource.query(plan)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    found = list(db.session.scalars(query).unique())
    return ApiPage(resource.rows(plan, found, today), total, page, per_page)


def csv_cell(value):
    """A JSON value as one CSV cell: lists joined with "; ", booleans as true/false."""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
