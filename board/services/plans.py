"""The plans of an install: which one is live, finding one by its slug, archiving.

An install holds a plan per year (or per service). Each has a slug that names it in URLs
(`/plans/2023-24/...`); the live plan is also the one served at `/`. An archived plan is read-only:
nothing on its board, evidence, reports or clinics changes any more (`board/views/viewer.py` refuses the
writes, and views show no controls), but everything stays readable and linkable.
"""
from __future__ import annotations

import re

from sqlalchemy import select, update

from board.clock import now
from models import Plan, db

# Lower-case letters, digits and single hyphens; starts with a letter or digit. "template.xlsx" is not one,
# so `/plans/template.xlsx` stays free for other routes.
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SLUG = re.compile(rf"^{SLUG_PATTERN}$")
MAX_SLUG = 60


class PlanChoiceError(ValueError):
    """A request about plans that cannot be done; the message says why in plain words."""


def is_valid_slug(slug: str) -> bool:
    return len(slug or "") <= MAX_SLUG and bool(_SLUG.match(slug or ""))


def slug_from_period(period: str) -> str:
    """A slug from the plan's period: 'September 2023 - 2024' gives '2023-24', '2024' gives '2024'."""
    years = re.findall(r"(?<!\d)(20\d\d|19\d\d)(?!\d)", period or "")
    if len(years) >= 2 and int(years[1]) == int(years[0]) + 1:
        return f"{years[0]}-{years[1][2:]}"
    return years[0] if len(years) == 1 else ""


# Built once: every request showing a plan asks it (building it cost more than running it).
_ALL_PLANS = select(Plan).order_by(Plan.id.desc())


def all_plans() -> list[Plan]:
    """Every plan, the live one first, then the newest."""
    plans = db.session.scalars(_ALL_PLANS).all()
    return sorted(plans, key=lambda plan: not plan.live)


# Built once: the nothing-changed poll asks it every few seconds from every open board.
_COUNTERS = select(Plan.id, Plan.slug, Plan.live, Plan.change_counter)


def change_counter_of(slug: str | None) -> int | None:
    """The change counter of the plan named `slug`, else of the live plan (else the first): the plan
    `request_plan` would find, read as plain values (no plan objects) for the nothing-changed poll."""
    rows = db.session.connection().execute(_COUNTERS).all()  # Core: no ORM result processing
    if slug:
        found = next((row for row in rows if row.slug == slug), None)
    else:
        found = next((row for row in rows if row.live), min(rows, key=lambda row: row.id, default=None))
    return None if found is None else found.change_counter


def live_plan() -> Plan | None:
    """The plan served at `/`: the one marked live, else the first there is (an install with one plan)."""
    return (db.session.scalars(select(Plan).where(Plan.live.is_(True)).limit(1)).first()
            or db.session.scalars(select(Plan).order_by(Plan.id).limit(1)).first())


def plan_by_slug(slug: str) -> Plan | None:
    if not is_valid_slug(slug):
        return None
    return db.session.scalars(select(Plan).where(Plan.slug == slug)).first()


def free_slug(slug: str) -> None:
    """Refuse a slug that cannot name a new plan, saying why."""
    if not is_valid_slug(slug):
        raise PlanChoiceError(f"'{slug}' cannot name a plan: use lower-case letters, digits and hyphens "
                              "(for example 2024-25), at most 60 characters.")
    if plan_by_slug(slug) is not None:
        raise PlanChoiceError(f"A plan named {slug} already exists.")


def make_live(plan: Plan) -> None:
    """Serve `plan` at `/` (one live plan at a time). An archived plan cannot be live."""
    if plan.archived:
        raise PlanChoiceError(f"{plan.slug} is archived: bring it back before making it the live plan.")
    db.session.execute(update(Plan).where(Plan.id != plan.id).values(live=False))
    plan.live = True
    db.session.commit()


def archive(plan: Plan, by: str) -> None:
    """Make `plan` read-only. The live plan passes to the newest plan still open, if there is one."""
    if plan.archived:
        return
    plan.archived_at = now()
    plan.archived_by = by
    if plan.live:
        plan.live = False
        successor = db.session.scalars(select(Plan).where(Plan.archived_at.is_(None), Plan.id != plan.id)
                                       .order_by(Plan.id.desc()).limit(1)).first()
        if successor is not None:
            successor.live = True
        else:
            plan.live = True  # the only plan stays at `/`, read-only
    db.session.commit()


def reopen(plan: Plan) -> None:
    """Undo an archive: the plan can be changed again."""
    plan.archived_at = None
    plan.archived_by = ""
    db.session.commit()
