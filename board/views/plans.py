"""Template contexts for the list of plans and a plan's lineage page."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from board.forms import ConfirmForm
from board.plans.forms import CloseActionsForm
from board.services import lineage
from board.services.plans import all_plans
from models import Action, Plan, Role, User, db


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    actions: int
    closed: int


def plans_page(user: User) -> dict:
    counts = dict(db.session.execute(select(Action.plan_id, func.count()).group_by(Action.plan_id)).all())
    closed = dict(db.session.execute(select(Action.plan_id, func.count()).where(Action.closed_at.is_not(None))
                                     .group_by(Action.plan_id)).all())
    rows = [PlanRow(plan, counts.get(plan.id, 0), closed.get(plan.id, 0)) for plan in all_plans()]
    return {"rows": rows, "confirm": ConfirmForm(), "may_manage": user.has_role(Role.ADMIN)}


def close_form(plan: Plan, formdata=None) -> CloseActionsForm:
    form = CloseActionsForm(formdata=formdata)
    open_actions = db.session.scalars(select(Action).where(Action.plan_id == plan.id, Action.closed_at.is_(None))
                                      .order_by(Action.plan_order)).all()
    form.refs.choices = [(action.ref, f"{action.ref} {action.text[:90]}") for action in open_actions]
    return form


def lineage_page(plan: Plan, user: User, form: CloseActionsForm) -> dict:
    incoming, outgoing = lineage.lineage_rows(plan)
    return {"plan": plan, "incoming": incoming, "outgoing": outgoing,
            "carried_in": sum(row.old is not None for row in incoming),
            "carried_out": sum(row.new is not None for row in outgoing),
            "closed_label": lineage.closed_label, "form": form,
            "may_close": user.has_role(Role.ADMIN) and bool(form.refs.choices)}
