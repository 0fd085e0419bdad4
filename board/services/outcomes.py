"""The outcomes view: each intended outcome with its actions' statuses and its impact comments."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from board.services.evidence import comments_for, in_force
from board.services.scorecard import MeasureSeries, series_for_outcomes
from models import Action, Area, ImpactComment, Outcome, Plan, Status, db


@dataclass
class OutcomeView:
    outcome: Outcome
    actions: list[Action]
    comments: list[ImpactComment] = field(default_factory=list)
    measures: list[MeasureSeries] = field(default_factory=list)  # the measures that evidence it

    @property
    def latest(self) -> ImpactComment | None:
        return in_force(self.comments)

    @property
    def status_counts(self) -> list[tuple[Status, int]]:
        counts = Counter(action.status for action in self.actions)
        return [(status, counts[status.value]) for status in Status if counts[status.value]]


@dataclass
class AreaOutcomes:
    area: Area
    outcomes: list[OutcomeView]


def outcomes_overview(plan: Plan, only_outcome_id: int | None = None, *,
                      include_withdrawn: bool = True) -> list[AreaOutcomes]:
    """Areas in order with their outcomes (those that have actions) and the measures evidencing them."""
    query = (select(Area).where(Area.plan_id == plan.id).order_by(Area.number)
             .options(selectinload(Area.outcomes).selectinload(Outcome.actions)))
    areas = db.session.scalars(query).all()
    views = [AreaOutcomes(area, [OutcomeView(o, list(o.actions)) for o in area.outcomes
                                 if o.actions and (only_outcome_id is None or o.id == only_outcome_id)])
             for area in areas]
    views = [view for view in views if view.outcomes]
    ids = [o.outcome.id for view in views for o in view.outcomes]
    comments = comments_for(ids, include_withdrawn=include_withdrawn)
    measures = series_for_outcomes(ids)
    for view in views:
        for outcome_view in view.outcomes:
            outcome_view.comments = comments[outcome_view.outcome.id]
            outcome_view.measures = measures.get(outcome_view.outcome.id, [])
    return views



def outcome_query(plan: Plan, outcome_id: int) -> Select:
    """One intended outcome of this plan (an id from another plan finds nothing)."""
    return select(Outcome).join(Area).where(Outcome.id == outcome_id, Area.plan_id == plan.id)
