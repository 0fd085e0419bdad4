"""The plan owner's overview: counts by area and status, exceptions, what is due, outcome ratings."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from board.services.board_view import STATUSES, Card, is_overdue, is_stale, load_board
from board.services.evidence import comments_for, in_force
from models import Area, ImpactRating, Outcome, Plan, Status, db


@dataclass
class AreaRow:
    area: Area
    counts: Counter
    total: int
    overdue: int
    stale: int

    @property
    def complete_percent(self) -> int:
        return round(100 * self.counts[Status.COMPLETE] / self.total) if self.total else 0


@dataclass
class Overview:
    rows: list[AreaRow]
    due_soon: list[tuple[Card, Area]]
    ratings: list[tuple[str, str, list[Outcome]]] = field(default_factory=list)  # (value, label, outcomes)

    @property
    def totals(self) -> Counter:
        return sum((row.counts for row in self.rows), Counter())

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.rows)

    @property
    def stale(self) -> int:
        return sum(row.stale for row in self.rows)

    @property
    def complete_percent(self) -> int:
        return round(100 * self.totals[Status.COMPLETE] / self.total) if self.total else 0


def build_overview(plan: Plan, on: date, due_within: int = 30, board=None) -> Overview:
    board = board or load_board(plan, on=on)
    rows, due_soon = [], []
    for lane in board.swimlanes:
        cards = [card for cards in lane.columns.values() for card in cards]
        rows.append(AreaRow(
            lane.area, Counter({s: lane.count(s) for s in STATUSES}), len(cards),
            sum(is_overdue(card, on) for card in cards), sum(is_stale(card, on) for card in cards)))
        for card in cards:
            if card.due_date and on <= card.due_date <= on + timedelta(days=due_within) \
                    and card.status != Status.COMPLETE.value:
                due_soon.append((card, lane.area))
    due_soon.sort(key=lambda pair: (pair[0].due_date, ref_sort_key(pair[0].ref)))
    return Overview(rows, due_soon, _ratings(plan))


def ref_sort_key(ref: str):
    """Refs in plan order: 2.10 after 2.9."""
    return [int(part) if part.isdigit() else part for part in ref.split(".")]


def _ratings(plan: Plan) -> list[tuple[str, str, list[Outcome]]]:
    outcomes = db.session.scalars(select(Outcome).join(Area).where(Area.plan_id == plan.id)
                                  .order_by(Area.number, Outcome.position)).all()
    outcomes = [o for o in outcomes if o.actions]
    comments = comments_for([o.id for o in outcomes])
    groups: dict[str, list[Outcome]] = {r.value: [] for r in ImpactRating}
    groups["none"] = []
    for outcome in outcomes:
        latest = in_force(comments[outcome.id])
        groups[latest.rating if latest else "none"].append(outcome)
    labels = {r.value: r.label for r in ImpactRating} | {"none": "Not rated yet"}
    order = ["clear", "emerging", "no_evidence", "none"]
    return [(value, labels[value], groups[value]) for value in order]
