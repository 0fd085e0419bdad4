"""Importing a checked plan file into the database in one transaction.

A file is imported either as a new plan (named by its slug) or into an existing plan. Re-importing the
same file changes nothing. Re-importing an edited file updates texts, owners (in printed order) and due
text, and never resets a status, a position or anything users added. Nothing ever merges two plans by
ref: an action continues an earlier plan's only when the file says so (`carried_from`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from board.clock import now
from board.services import plans as plans_service
from board.services.due import parse_due
from board.services.kpis import ensure_baseline_measures
from board.services.lineage import action_paths, carried_source, lineage_problems, record_carry
from board.services.moves import mark_plan_changed
from board.services.owner_roles import canonical_role_name
from board.services.plan_file import PlanFileInvalid, action_see_also, validate_plan
from board.services.plans import PlanChoiceError
from models import Action, ActionEvent, Area, EventKind, Outcome, OwnerRole, Plan, Status, action_owners, db

HEADER_KEYS = ("principle", "pillars", "performance", "audit", "owner_aliases", "format")
IMPORT_ACTOR = "Plan import"


@dataclass
class ImportSummary:
    plan_id: int = 0
    slug: str = ""
    created_plan: bool = False
    areas_added: int = 0
    outcomes_added: int = 0
    actions_added: int = 0
    actions_updated: list[str] = field(default_factory=list)
    # Actions whose words are unchanged but whose place in the plan's order moved (an action added before them).
    actions_reordered: int = 0
    header_updated: bool = False
    kept_not_in_file: list[str] = field(default_factory=list)
    carried_forward: int = 0
    archived: list[str] = field(default_factory=list)   # plans this one succeeds
    made_live: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created_plan or self.areas_added or self.outcomes_added
                    or self.actions_added or self.actions_updated or self.actions_reordered or self.header_updated)

    def lines(self) -> list[str]:
        if not self.changed:
            return ["Nothing changed: the database already holds this plan."]
        out = [f"{'Created' if self.created_plan else 'Updated'} plan {self.slug}."]
        out.append(f"Areas added: {self.areas_added}; outcomes added: {self.outcomes_added}; "
                   f"actions added: {self.actions_added}.")
        if self.carried_forward:
            out.append(f"Actions carried forward from earlier plans: {self.carried_forward}.")
        for slug in self.archived:
            out.append(f"Archived {slug} (read-only): {self.slug} carries its actions forward.")
        if self.made_live:
            out.append(f"{self.slug} is the live plan (served at /).")
        if self.actions_updated:
            out.append("Actions updated: " + ", ".join(self.actions_updated))
        if self.actions_reordered:
            out.append(f"Actions moved in the plan's order only: {self.actions_reordered}.")
        if self.kept_not_in_file:
            out.append("Kept, not in the file (statuses and history untouched): "
                       + ", ".join(self.kept_not_in_file))
        return out


def import_plan(data: dict, actor_label: str = IMPORT_ACTOR, *, plan: Plan | None = None,
                new_slug: str | None = None) -> ImportSummary:
    """Check `data` and write it, all or nothing: as a new plan named `new_slug`, or into `plan`.

    With neither: into the install's only plan, or as its first plan (named from its period, e.g.
    2023-24); with several plans that is ambiguous and refused (PlanChoiceError).
    Raises PlanFileInvalid (database untouched) when the data does not pass `validate_plan`, or when a
    `carried_from` names a plan or action the database does not hold.
    """
    problems = validate_plan(data)
    if problems:
        raise PlanFileInvalid(problems)
    try:
        target, slug = _target(data, plan, new_slug)
        problems = lineage_problems(data, target)
        if problems:
            raise PlanFileInvalid(problems)
        summary = _apply(data, actor_label, target, slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return summary


def _target(data: dict, plan: Plan | None, new_slug: str | None) -> tuple[Plan | None, str | None]:
    """The plan to update, or None and the slug of the plan to create."""
    if new_slug is not None:
        plans_service.free_slug(new_slug)
        return None, new_slug
    if plan is not None:
        return plan, None
    existing = db.session.scalars(select(Plan).order_by(Plan.id)).all()
    if len(existing) == 1:
        return existing[0], None
    if existing:
        raise PlanChoiceError(f"This database holds plans {', '.join(p.slug for p in existing)}: say which to "
                              "update, or import the file as a new plan.")
    return None, plans_service.slug_from_period(data.get("period", "")) or "plan"


def _apply(data: dict, actor_label: str, plan: Plan | None, new_slug: str | None) -> ImportSummary:
    summary = ImportSummary()
    if plan is None:
        plan = Plan(slug=new_slug, title=data["title"], header={}, live=plans_service.live_plan() is None)
        db.session.add(plan)
        summary.created_plan = True
        summary.made_live = plan.live
    summary.header_updated = _update_header(plan, data) and not summary.created_plan
    db.session.flush()
    summary.plan_id = plan.id
    summary.slug = plan.slug

    roles = _RoleBook(plan, data.get("owner_aliases") or {})
    existing = {a.ref: a for a in db.session.scalars(
        select(Action).where(Action.plan_id == plan.id).options(selectinload(Action.owners)))}
    areas_by_number = {area.number: area for area in plan.areas}
    ends = _column_ends(plan)
    owner_orders: list[tuple[Action, list[OwnerRole]]] = []
    plans_carried_from: set[int] = set()
    seen_refs: set[str] = set()
    plan_order = 0
    for area_data in data["areas"]:
        area = areas_by_number.get(area_data["number"])
        if area is None:
            area = Area(plan=plan, number=area_data["number"], title=area_data["title"])
            db.session.add(area)
            db.session.flush()
            summary.areas_added += 1
        _set(area, "title", area_data["title"])
        _set(area, "overall_effectiveness", area_data.get("overall_effectiveness", ""))
        outcomes = _match_outcomes(area, area_data["outcomes"], summary)
        # The actions are written in one flush at the end: the queries inside (carried sources) read
        # rows this import does not change, and columns are counted in `ends`, not by asking the database.
        with db.session.no_autoflush:
            for outcome, outcome_data in zip(outcomes, area_data["outcomes"]):
                for action_data in outcome_data["actions"]:
                    plan_order += 1
                    seen_refs.add(action_data["ref"])
                    action = existing.get(action_data["ref"])
                    if action is None:
                        action = _add_action(plan, area, outcome, action_data, plan_order, roles, actor_label, ends)
                        owner_orders.append((action, action.owners))
                        summary.actions_added += 1
                    else:
                        reordered = _set(action, "plan_order", plan_order)
                        if _update_action(action, area, outcome, action_data, roles, actor_label, ends, owner_orders):
                            summary.actions_updated.append(action.ref)
                        elif reordered:
                            summary.actions_reordered += 1
                    if action_data.get("carried_from") and action.carried_from_id is None:
                        old = carried_source(action_data["carried_from"])
                        record_carry(old, action, plan, actor_label)
                        plans_carried_from.add(old.plan_id)
                        summary.carried_forward += 1
    db.session.flush()
    _write_owner_orders(owner_orders)
    for old_plan_id in sorted(plans_carried_from):
        mark_plan_changed(old_plan_id)
    summary.kept_not_in_file = sorted(set(existing) - seen_refs)
    if summary.created_plan:
        _succeed(plan, data, actor_label, summary)
    # The header's performance figures are the baselines of the KPI panel.
    ensure_baseline_measures(plan)
    if summary.changed:
        db.session.flush()
        mark_plan_changed(plan.id)
    return summary


def _succeed(plan: Plan, data: dict, actor_label: str, summary: ImportSummary) -> None:
    """A new plan that carries actions forward from earlier plans succeeds them: they are archived
    (read-only, still readable), and if one was live the new plan is live instead."""
    slugs = {action["carried_from"]["plan"] for _, action in action_paths(data) if action.get("carried_from")}
    for earlier in sorted(filter(None, map(plans_service.plan_by_slug, slugs)), key=lambda p: p.id):
        if earlier.archived:
            continue
        if earlier.live:
            earlier.live = False
            plan.live = summary.made_live = True
        earlier.archived_at = now()
        earlier.archived_by = actor_label
        summary.archived.append(earlier.slug)


def _set(obj, attr: str, value) -> bool:
    """Assign only when different, so an unchanged re-import writes nothing."""
    if getattr(obj, attr) != value:
        setattr(obj, attr, value)
        return True
    return False


def _update_header(plan: Plan, data: dict) -> bool:
    owner = data.get("plan_owner") or {}
    header = {key: data[key] for key in HEADER_KEYS if key in data}
    changes = [
        _set(plan, "title", data["title"]),
        _set(plan, "organisation", data.get("organisation", "")),
        _set(plan, "period", data.get("period", "")),
        _set(plan, "objective", data.get("objective", "")),
        _set(plan, "owner_name", owner.get("name", "")),
        _set(plan, "owner_role", owner.get("role", "")),
        _set(plan, "header", header),
    ]
    return any(changes)


def _match_outcomes(area: Area, outcomes_data: list[dict], summary: ImportSummary) -> list[Outcome]:
    """Pair each outcome in the file with a stored one: same text first, then same position.

    Matching by text keeps impact comments with their outcome when outcomes are reordered.
    """
    stored = list(area.outcomes)
    by_text = {o.text: o for o in stored}
    matched: list[Outcome | None] = [by_text.pop(d["text"], None) for d in outcomes_data]
    spare = [o for o in stored if o in by_text.values()]
    result = []
    for position, (outcome, outcome_data) in enumerate(zip(matched, outcomes_data)):
        if outcome is None:
            outcome = spare.pop(0) if spare else None
        if outcome is None:
            outcome = Outcome(area=area, position=position, text=outcome_data["text"])
            db.session.add(outcome)
            summary.outcomes_added += 1
        _set(outcome, "text", outcome_data["text"])
        _set(outcome, "position", position)
        result.append(outcome)
    db.session.flush()
    return result


class _RoleBook:
    """Owner roles of one plan, created on first use, one per canonical spelling."""

    def __init__(self, plan: Plan, aliases: dict[str, str]):
        self.plan = plan
        self.aliases = aliases
        self.by_key = {role.name.casefold(): role for role in plan.owner_roles}

    def roles_for(self, names: list[str]) -> list[OwnerRole]:
        roles: list[OwnerRole] = []
        for name in names:
            canonical = canonical_role_name(name, self.aliases)
            role = self.by_key.get(canonical.casefold())
            if role is None:
                role = OwnerRole(plan=self.plan, name=canonical)
                db.session.add(role)
                self.by_key[canonical.casefold()] = role
            if role not in roles:
                roles.append(role)
        return roles


def _due_fields(action_data: dict) -> dict:
    due = parse_due(action_data.get("due", ""))
    return {"due_text": due.text, "due_date": due.date, "cadence": due.cadence, "cadence_start": due.cadence_start}


def _plan_due_fields(action: Action | None, action_data: dict) -> dict:
    """The plan's due is always the file's; the current due follows it until someone moves it."""
    fields = {"plan_due_text": parse_due(action_data.get("due", "")).text}
    if action is None or not action.due_moves:
        fields.update(_due_fields(action_data))
    return fields


def starting_status(action_data: dict) -> str:
    """The file's status; else a carried action's status carries over; else Not started."""
    if action_data.get("status"):
        return action_data["status"]
    if action_data.get("carried_from"):
        return carried_source(action_data["carried_from"]).status
    return Status.NOT_STARTED.value


def _column_ends(plan: Plan) -> Counter:
    """How many cards each (area id, status) column of the plan holds: the next card's position there."""
    return Counter({(area_id, status): count for area_id, status, count in db.session.execute(
        select(Action.area_id, Action.status, func.count(Action.id))
        .where(Action.plan_id == plan.id).group_by(Action.area_id, Action.status))})


def _add_action(plan, area, outcome, action_data, plan_order, roles, actor_label, ends: Counter) -> Action:
    status = starting_status(action_data)
    position = ends[area.id, status]  # the end of its column, counting the cards this import added
    ends[area.id, status] += 1
    owners = roles.roles_for(action_data.get("owners", []))
    action = Action(
        plan_id=plan.id, area=area, outcome=outcome, ref=action_data["ref"],
        plan_order=plan_order, text=action_data["text"].strip(),
        parts=action_data.get("parts"), see_also=action_see_also(action_data),
        status=status, position=position, version=1,
        owners=owners, **_plan_due_fields(None, action_data),
    )
    db.session.add(action)
    db.session.add(ActionEvent(action=action, kind=EventKind.IMPORTED, actor_label=actor_label,
                               to_value=action.text))
    return action


def _write_owner_orders(owner_orders: list[tuple[Action, list[OwnerRole]]]) -> None:
    """Store the printed order of each action's owners (the first is the lead), in one statement;
    the actions and their owner rows are flushed already."""
    rows = [{"action": action.id, "role": role.id, "place": place}
            for action, owners in owner_orders for place, role in enumerate(owners)]
    if rows:
        db.session.execute(action_owners.update()
                           .where(action_owners.c.action_id == bindparam("action"),
                                  action_owners.c.owner_role_id == bindparam("role"))
                           .values(position=bindparam("place")), rows)


def _update_action(action, area, outcome, action_data, roles, actor_label, ends: Counter,
                   owner_orders: list) -> bool:
    """Bring an existing action's plan text up to date; status and position stay as users set them."""
    old = {"text": action.text, "due": action.due_text,
           "owners": "; ".join(r.name for r in action.owners)}
    fields = {"text": action_data["text"].strip(), "parts": action_data.get("parts"),
              "see_also": action_see_also(action_data), "outcome_id": outcome.id, **_plan_due_fields(action, action_data)}
    changed = [_set(action, name, value) for name, value in fields.items()]
    new_owners = roles.roles_for(action_data.get("owners", []))
    if [r.name for r in new_owners] != [r.name for r in action.owners]:
        action.owners = new_owners
        owner_orders.append((action, new_owners))
        changed.append(True)
    if action.area_id != area.id:
        # Moving area is rare (a renumbered plan): the card goes to the end of its column there.
        action.area = area
        action.position = ends[area.id, action.status]
        ends[area.id, action.status] += 1
        changed.append(True)
    if not any(changed):
        return False
    new = {"text": action.text, "due": action.due_text,
           "owners": "; ".join(r.name for r in action.owners)}
    for key, before in old.items():
        if before != new[key]:
            db.session.add(ActionEvent(action=action, kind=EventKind(f"plan_{key}"), actor_label=actor_label,
                                       from_value=before, to_value=new[key]))
    return True
