"""A stored plan written back as plan-file data (docs/plan-format.md): what the spreadsheet export
fills in, what an upload is compared with, and what a spreadsheet cannot say is kept from."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from board.services.plan_file import expand_see_also
from board.services.plan_import import HEADER_KEYS
from models import Action, Plan, db


def plan_as_data(plan: Plan) -> dict:
    """The plan as a plan file holds it, with each action's board status under "status".

    Owners come in their printed order; the due is the plan's own (as printed), not one moved since on
    the board; an action carried forward from an earlier plan says which (`carried_from`). Outcomes whose
    actions have all left them are not written.
    """
    data: dict = {"title": plan.title, "organisation": plan.organisation, "period": plan.period,
                  "objective": plan.objective}
    if plan.owner_name or plan.owner_role:
        data["plan_owner"] = {"name": plan.owner_name, "role": plan.owner_role}
    data.update({key: value for key, value in (plan.header or {}).items() if key in HEADER_KEYS})
    actions = db.session.scalars(
        select(Action).where(Action.plan_id == plan.id).order_by(Action.plan_order)
        .options(selectinload(Action.owners))).all()
    sources = _carried_sources({a.carried_from_id for a in actions if a.carried_from_id})
    by_outcome: dict[int, list[Action]] = {}
    for action in actions:
        by_outcome.setdefault(action.outcome_id, []).append(action)
    data["areas"] = []
    for area in plan.areas:
        outcomes = [{"text": outcome.text, "actions": [_action(a, sources) for a in by_outcome[outcome.id]]}
                    for outcome in area.outcomes if by_outcome.get(outcome.id)]
        if outcomes:
            data["areas"].append({"number": area.number, "title": area.title,
                                  "overall_effectiveness": area.overall_effectiveness or "",
                                  "outcomes": outcomes})
    return data


def _carried_sources(ids: set[int]) -> dict[int, dict]:
    """Action id -> {"plan": slug, "ref": ref}, for the earlier plans' actions these ids name."""
    if not ids:
        return {}
    rows = db.session.execute(select(Action.id, Plan.slug, Action.ref).join(Plan, Plan.id == Action.plan_id)
                              .where(Action.id.in_(ids)))
    return {action_id: {"plan": slug, "ref": ref} for action_id, slug, ref in rows}


def _action(action: Action, sources: dict[int, dict]) -> dict:
    entry = {"ref": action.ref, "text": action.text, "owners": [role.name for role in action.owners],
             "due": action.plan_due_text or ""}
    if action.see_also and action.see_also != expand_see_also(action.text):
        entry["see_also"] = list(action.see_also)
    if action.parts:
        entry["parts"] = action.parts
    if action.carried_from_id in sources:
        entry["carried_from"] = sources[action.carried_from_id]
    entry["status"] = action.status
    return entry


def without_statuses(data: dict) -> dict:
    """A copy of plan data with no action statuses (what an import may change)."""
    copied = json.loads(json.dumps(data))
    for area in copied.get("areas", []):
        for outcome in area.get("outcomes", []):
            for action in outcome.get("actions", []):
                action.pop("status", None)
    return copied


def fingerprint(plan: Plan) -> str:
    """A short digest of everything an import may change in the plan (not statuses): a preview made
    against one fingerprint is stale once the plan's texts have changed."""
    text = json.dumps(without_statuses(plan_as_data(plan)), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
