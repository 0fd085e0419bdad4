"""Lineage between plans: next year's actions carried forward from this year's, and this year's closed.

An action of a new plan may say where it comes from (`"carried_from": {"plan": "2023-24", "ref": "1.4"}`).
The new action links to the old one (its history, notes and evidence stay where they were recorded and are
read from there, never copied) and the old action is closed as "Carried forward to 2024-25 2.3". Old
actions nobody carries forward are closed together with how (completed, no longer needed, merged) and why.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from board.clock import now
from board.services.moves import mark_plan_changed
from board.services.plan_file import Problem
from board.services.plans import plan_by_slug
from models import Action, ActionEvent, Closure, EventKind, Plan, User, db


class LineageRefused(ValueError):
    """Closing actions could not be done; the message says why."""


def action_paths(data: dict):
    """(JSON path, action) for every action of a plan file, in document order."""
    for a, area in enumerate(data.get("areas", [])):
        for o, outcome in enumerate(area.get("outcomes", [])):
            for i, action in enumerate(outcome.get("actions", [])):
                yield f"areas[{a}].outcomes[{o}].actions[{i}]", action


def lineage_problems(data: dict, target: Plan | None) -> list[Problem]:
    """What is wrong with the file's `carried_from` keys, checked against the plans in the database:
    an unknown plan or ref, the plan being imported itself, or an old action carried forward twice."""
    problems: list[Problem] = []
    claimed: dict[tuple[int, str], str] = {}
    for path, action_data in action_paths(data):
        carried = action_data.get("carried_from")
        if not carried:
            continue
        where = f"{path}.carried_from"
        source = plan_by_slug(carried["plan"])
        if source is None:
            problems.append(Problem(f"{where}.plan", f"there is no plan named {carried['plan']!r} in this "
                                                     "database (import it first, or correct the name)"))
            continue
        if target is not None and source.id == target.id:
            problems.append(Problem(f"{where}.plan", "an action cannot be carried from the plan it is in"))
            continue
        old = db.session.scalars(select(Action).where(Action.plan_id == source.id,
                                                      Action.ref == carried["ref"])).first()
        if old is None:
            problems.append(Problem(f"{where}.ref", f"{source.slug} has no action {carried['ref']}"))
            continue
        key = (source.id, old.ref)
        if key in claimed:
            problems.append(Problem(where, f"{source.slug} {old.ref} is already carried forward by "
                                           f"{claimed[key]} in this file"))
            continue
        claimed[key] = f"{action_data.get('ref')} ({path})"
        taken = db.session.scalars(select(Action).where(Action.carried_from_id == old.id)).first()
        if taken is not None and not (target is not None and taken.plan_id == target.id
                                      and taken.ref == action_data.get("ref")):
            problems.append(Problem(where, f"{source.slug} {old.ref} was already carried forward to "
                                           f"{taken_plan_slug(taken)} {taken.ref}"))
    return problems


def taken_plan_slug(action: Action) -> str:
    return db.session.get(Plan, action.plan_id).slug


def carried_source(carried: dict) -> Action:
    """The old action a (checked) `carried_from` names."""
    source = plan_by_slug(carried["plan"])
    return db.session.scalars(select(Action).where(Action.plan_id == source.id,
                                                   Action.ref == carried["ref"])).one()


def record_carry(old: Action, new: Action, new_plan: Plan, actor_label: str) -> None:
    """Link `new` to `old`, close `old` as carried forward, and say so in both histories; the caller marks
    the old plan changed (an import carries many actions and marks each plan once)."""
    old_plan = db.session.get(Plan, old.plan_id)
    new.carried_from_id = old.id
    old.closed_at = now()
    old.closed_how = Closure.CARRIED_FORWARD.value
    old.closed_note = f"{new_plan.slug} {new.ref}"
    db.session.add(ActionEvent(action=old, kind=EventKind.CARRIED_TO, actor_label=actor_label,
                               to_value=f"{new_plan.slug} {new.ref}"))
    db.session.add(ActionEvent(action=new, kind=EventKind.CARRIED_FROM, actor_label=actor_label,
                               from_value=f"{old_plan.slug} {old.ref}", to_value=new.status))


def close_actions(plan: Plan, refs: list[str], how: Closure, note: str, user: User | None,
                  actor_label: str = "") -> list[Action]:
    """Close the plan's open actions `refs` together, with how and why, in one transaction (by `user`, or
    by `actor_label` for the command line)."""
    if how is Closure.CARRIED_FORWARD:
        raise LineageRefused("An action is carried forward by importing the next plan with its carried_from.")
    note = " ".join(note.split())
    if how is Closure.MERGED and not note:
        raise LineageRefused("Say what they were merged into.")
    actions = db.session.scalars(select(Action).where(Action.plan_id == plan.id, Action.ref.in_(refs))).all()
    missing = sorted(set(refs) - {action.ref for action in actions})
    if missing:
        raise LineageRefused(f"{plan.slug} has no action {', '.join(missing)}.")
    closed = [action.ref for action in actions if action.closed_at]
    if closed:
        raise LineageRefused(f"Already closed: {', '.join(sorted(closed))}.")
    for action in actions:
        action.closed_at = now()
        action.closed_how = how.value
        action.closed_note = note
        db.session.add(ActionEvent(action=action, kind=EventKind.CLOSED, user=user,
                                   actor_label=user.name if user else actor_label,
                                   to_value=how.label, reason=note or None))
    db.session.flush()
    mark_plan_changed(plan.id)
    db.session.commit()
    return actions


def closed_label(how: str | None, note: str) -> str | None:
    """A closed action in words: "Carried forward to 2024-25 2.3", "Closed: no longer needed (why)"."""
    if not how:
        return None
    closure = Closure(how)
    if closure is Closure.CARRIED_FORWARD:
        return f"Carried forward to {note}"
    if closure is Closure.MERGED:
        return f"Closed: merged into {note}" if note else "Closed: merged"
    return f"Closed: {closure.label.lower()}" + (f" ({note})" if note else "")


@dataclass(frozen=True)
class LineageRow:
    """One line of the lineage page: an earlier action, a later one, or both."""

    old: Action | None
    old_plan: str | None
    new: Action | None
    new_plan: str | None


def _with_linked(plan: Plan, linked, on) -> list:
    """(action, the action linked to it by `on` or None, that action's plan slug) for `plan`, in plan order."""
    return db.session.execute(
        select(Action, linked, Plan.slug).outerjoin(linked, on).outerjoin(Plan, Plan.id == linked.plan_id)
        .where(Action.plan_id == plan.id).order_by(Action.plan_order)
    ).all()


def lineage_rows(plan: Plan) -> tuple[list[LineageRow], list[LineageRow]]:
    """For a plan: where its actions came from (carried or new), and where they went (carried forward,
    closed, or still open), each in plan order."""
    earlier, later = aliased(Action), aliased(Action)
    incoming = [LineageRow(old=source, old_plan=slug, new=action, new_plan=plan.slug)
                for action, source, slug in _with_linked(plan, earlier, earlier.id == Action.carried_from_id)]
    outgoing = [LineageRow(old=action, old_plan=plan.slug, new=successor, new_plan=slug)
                for action, successor, slug in _with_linked(plan, later, later.carried_from_id == Action.id)]
    return incoming, outgoing


def carried_from(action: Action) -> tuple[Action, Plan] | None:
    """The action this one continues, and its plan (its history is read there, not copied)."""
    if action.carried_from_id is None:
        return None
    source = db.session.get(Action, action.carried_from_id)
    return source, db.session.get(Plan, source.plan_id)


def carried_to(action: Action) -> tuple[Action, Plan] | None:
    """The later plan's action that continues this one, and its plan."""
    successor = db.session.scalars(select(Action).where(Action.carried_from_id == action.id)).first()
    return (successor, db.session.get(Plan, successor.plan_id)) if successor else None
