"""Moving a card: a new RAG status and/or a new position in its column, in one transaction.

The client says which version of the card it saw. If the card's status or position has changed
since (someone moved it first), nothing is applied and the caller gets `MoveConflict` with the card's
current state, so no move silently overwrites another.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Text, bindparam, cast, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from board import clock
from board.services.clinics import clinic_for_change
from board.services.history import latest_move
from board.services.note_rows import new_note
from models import Action, ActionEvent, Area, Clinic, EventKind, Plan, Status, User, db

MAX_REASON = 300


class MoveRefused(ValueError):
    """The move cannot be made as asked (bad status, wrong area); the message says why."""


class EvidenceNeeded(MoveRefused):
    """Complete means evidenced: a move to Complete carries its evidence, or nothing is applied."""


@dataclass(frozen=True)
class Evidence:
    """What shows an action is done: a note, and a link to the document when there is one."""

    text: str
    link_url: str | None = None


class MoveConflict(Exception):
    """The card changed since the client saw it; `action` is its current state, `by_event` the change."""

    def __init__(self, action: Action, by_event: ActionEvent | None):
        super().__init__(f"{action.ref} changed since it was loaded")
        self.action = action
        self.by_event = by_event


@dataclass
class MoveResult:
    action: Action
    event: ActionEvent | None  # None when nothing changed (dropped where it was)
    status_changed: bool


# A move's statements, built once: building a statement and its cache key cost more than running it
# (about 0.5 ms each), and a move runs a dozen of them.
_COLUMN = (select(Action).where(Action.area_id == bindparam("area_id"), Action.status == bindparam("status"),
                                Action.id != bindparam("excluding")).order_by(Action.position, Action.plan_order))
_ACTIONS = Action.__table__
# The area's cards as they are after its lock, the moved card among them, ids, places and versions only:
# the card's own state (fresh, whatever was read before the lock) and both columns a move touches, in
# one statement.
_AREA_CARDS = (select(_ACTIONS.c.id, _ACTIONS.c.status, _ACTIONS.c.position, _ACTIONS.c.version,
                      _ACTIONS.c.status_changed_at, _ACTIONS.c.signed_off_at)
               .where(_ACTIONS.c.area_id == bindparam("area_id")).order_by(_ACTIONS.c.position, _ACTIONS.c.plan_order))
# The moved card and the neighbours whose place changed, written through Core (the ORM's unit of work for
# them cost more than the statements): the session's card is set to what was written. The card's write
# claims its version: of two concurrent moves of a card exactly one matches, the other conflicts. It also
# says whether any clinic of the plan is in progress (most moves happen with none): only then is the
# history entry's clinic looked for.
_WRITE_CARD = (update(_ACTIONS).where(_ACTIONS.c.id == bindparam("card_id"), _ACTIONS.c.version == bindparam("expected"))
               .values(status=bindparam("new_status"), position=bindparam("new_position"), version=_ACTIONS.c.version + 1,
                       updated_at=bindparam("now"), status_changed_at=bindparam("changed_at"),
                       signed_off_at=bindparam("signed_off"), last_activity_at=bindparam("now"),
                       last_activity_by_id=bindparam("by"))
               .returning(exists().where(Clinic.__table__.c.plan_id == _ACTIONS.c.plan_id,
                                         Clinic.__table__.c.ended_at.is_(None))))
_RENUMBER = (update(_ACTIONS).where(_ACTIONS.c.id == bindparam("card_id"))
             .values(position=bindparam("new_position"), updated_at=bindparam("now")))
_ADD_EVENT = insert(ActionEvent.__table__)
# The area's lock, the counter and the stamps through Core, on the session's connection: the ORM's handling
# of an UPDATE (none needed: the session is told what it holds) cost more than running it.
_AREAS, _PLANS = Area.__table__, Plan.__table__
_LOCK_AREA = update(_AREAS).where(_AREAS.c.id == bindparam("area_id")).values(changed_at_counter=_AREAS.c.changed_at_counter)
_COUNT_A_CHANGE = (update(_PLANS).where(_PLANS.c.id == bindparam("plan_id"))
                   .values(change_counter=_PLANS.c.change_counter + 1).returning(_PLANS.c.change_counter, _PLANS.c.updated_at))
# The moved card's area and every area holding a row whose list names its ref (its status follows), found
# in SQL by the ref as JSON writes it in the list's text, in one statement: a move costs the same whatever
# the size of the plan. (A text naming the ref otherwise would only refresh a lane for nothing.)
_STAMP_AREAS = (update(_AREAS).where(or_(_AREAS.c.id == bindparam("moved_area_id"), _AREAS.c.id.in_(
    select(_ACTIONS.c.area_id).where(_ACTIONS.c.plan_id == bindparam("of_plan"),
                                     cast(_ACTIONS.c.see_also, Text).like(bindparam("ref_pattern"), escape="\\")))))
    .values(changed_at_counter=bindparam("new_counter")))


def _flushed_connection():
    """The session's connection once what the session holds is flushed, as the ORM's own execute would (a
    change staged before a move or a lock is written first, never lost to the lock's expiry)."""
    session = db.session
    if session.autoflush:
        session.flush()
    return session.connection()


def _holding(text: str) -> str:
    """A LIKE pattern for JSON text holding `text` as a JSON string."""
    needle = json.dumps(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{needle}%"


def column(area_id: int, status: str, excluding: int | None = None) -> list[Action]:
    return list(db.session.scalars(_COLUMN, {"area_id": area_id, "status": status,
                                             "excluding": -1 if excluding is None else excluding}))


def move_action(action: Action, to_status: str, to_position: int, expected_version: int,
                user: User, to_area_id: int | None = None, evidence: Evidence | None = None) -> MoveResult:
    """Put `action` at `to_position` (0-based, clamped) of its area's `to_status` column. A move into
    Complete adds its `evidence` as an evidence note in the same transaction.

    Raises MoveRefused for an unknown status or another area, EvidenceNeeded for a Complete without
    evidence, MoveConflict for a stale version.
    """
    result = stage_move(action, to_status, to_position, expected_version, user, to_area_id, evidence)
    commit_keeping_loaded()
    return result


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds: the card, its history entry and the person are
    as this transaction wrote them, and the answer (its message, the reason form, who may move) reads
    them again otherwise, a statement each. The lane itself is read afresh from the database."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def stage_move(action: Action, to_status: str, to_position: int, expected_version: int,
               user: User, to_area_id: int | None = None, evidence: Evidence | None = None) -> MoveResult:
    """`move_action` without the commit, for a change made of several parts (see `action_updates`):
    on a refusal or a conflict everything not committed is rolled back."""
    try:
        status = Status(to_status)
    except ValueError:
        raise MoveRefused(f"{to_status!r} is not a status.") from None
    if to_area_id is not None and to_area_id != action.area_id:
        raise MoveRefused(f"{action.ref} belongs to area {action.area.number}: "
                          "a card cannot move to another area.")
    if action.is_pointer:
        raise MoveRefused(f"{action.ref} points to {', '.join(action.see_also)}: its status follows theirs, "
                          "so move those.")
    if action.closed_at is not None:
        raise MoveRefused(f"{action.ref} is closed: it keeps the status it ended with.")
    action_id, area_id = action.id, action.area_id
    lock_area(area_id, keeping=action)
    rows = _flushed_connection().execute(_AREA_CARDS, {"area_id": area_id}).all()
    card = next((row for row in rows if row.id == action_id), None)
    if card is None or card.version != expected_version:
        _conflict(action)
    old_status, old_position = card.status, card.position
    target = [row for row in rows if row.status == status.value and row.id != action_id]
    to_position = max(0, min(int(to_position), len(target)))
    if status.value == old_status and to_position == old_position:
        db.session.rollback()  # dropped where it was: nothing to record, version unchanged
        db.session.refresh(action)
        return MoveResult(action, None, False)

    if status is Status.COMPLETE and old_status != status.value and not (evidence and evidence.text.strip()):
        db.session.rollback()  # checked on the card as it is now, read after the lock
        db.session.refresh(action)
        raise EvidenceNeeded(f"Complete means evidenced: say what shows {action.ref} is done "
                             "(and link to it), then complete it.")
    now = clock.now()
    status_changed = status.value != old_status
    written = {"status": status.value, "position": to_position, "version": expected_version + 1, "updated_at": now,
               "status_changed_at": now if status_changed else card.status_changed_at,
               "signed_off_at": None if status_changed else card.signed_off_at,  # a new completion awaits its own sign-off
               "last_activity_at": now, "last_activity_by_id": user.id}
    connection = _flushed_connection()
    clinic_open = connection.execute(_WRITE_CARD, {
        "card_id": action_id, "expected": expected_version, "new_status": status.value, "new_position": to_position,
        "now": now, "changed_at": written["status_changed_at"], "signed_off": written["signed_off_at"],
        "by": user.id}).scalar()
    if clinic_open is None:  # its version changed without its area's lock: claimed by another change
        _conflict(action)
    for key, value in written.items():
        set_committed_value(action, key, value)
    # Both columns numbered from 0 without gaps, the card in its new place: only rows whose place changed.
    renumbered = [{"card_id": row.id, "new_position": index, "now": now}
                  for column_rows in ([row for row in rows if row.status == old_status and row.id != action_id]
                                      if status_changed else [], target[:to_position] + [None] + target[to_position:])
                  for index, row in enumerate(column_rows) if row is not None and row.position != index]
    if renumbered:
        connection.execute(_RENUMBER, renumbered)
    event = _add_event(action, user, now, clinic_open, kind=EventKind.STATUS if status_changed else EventKind.REORDER,
                       from_value=old_status if status_changed else str(old_position + 1),
                       to_value=status.value if status_changed else str(to_position + 1))
    if status_changed and status is Status.COMPLETE:
        new_note(action_id, evidence.text, evidence.link_url, user, now)
    bump_change_counter(action)
    return MoveResult(action, event, status_changed)


def _conflict(action: Action) -> None:
    """Nothing is applied: the card as it is now, and the change that made it so."""
    db.session.rollback()
    db.session.refresh(action)
    raise MoveConflict(action, latest_move(action))


def _add_event(action: Action, user: User, now, clinic_open: bool, **values) -> ActionEvent:
    """The move's history entry, inserted through Core and tagged to the open clinic as the ORM's listener
    would (`clinics.clinic_for_change`, asked when a clinic of the plan is in progress), then put in the
    session as the row it wrote: nothing to flush."""
    connection = db.session.connection()
    clinic_id = clinic_for_change(connection, action.id, user.id, values["kind"]) if clinic_open else None
    row = {"action_id": action.id, "at": now, "user_id": user.id, "actor_label": "", "reason": None,
           "explains_event_id": None, "clinic_id": clinic_id, **values}
    event = ActionEvent(id=connection.execute(_ADD_EVENT, row).inserted_primary_key[0], **row)
    make_transient_to_detached(event)
    set_committed_value(event, "action", action)
    set_committed_value(event, "user", user)
    db.session.add(event)
    return event


def lock_area(area_id: int, keeping: Action | None = None) -> None:
    """Take the area's cards one change at a time, then forget anything read before.

    A write, not SELECT ... FOR UPDATE: on PostgreSQL it locks the area's row; on SQLite (where FOR
    UPDATE does nothing and reads before the first write see the database as it was) it starts the
    write transaction, so no other worker can commit between what this move reads and what it writes.
    The area is locked before any card, so two moves can never wait on each other. A card read before
    the lock may be stale (another move renumbered its column): everything is read again after it, but
    `keeping`, a card whose caller reads its state again itself (a move: its place, status and version).
    """
    _flushed_connection().execute(_LOCK_AREA, {"area_id": area_id})
    # Forget everything but the people and the plans: who is signed in does not change with a card, nor
    # does a plan's row (its counter is set from the change's own `RETURNING`), and reading them again
    # cost a query or two in every change.
    for instance in list(db.session.identity_map.values()):
        if not isinstance(instance, (User, Plan)) and instance is not keeping:
            db.session.expire(instance)


def bump_change_counter(action: Action) -> None:
    """Tell polling boards, and the cache of rendered lanes, that this card's area changed (atomic
    increment, then stamp the area), and every area holding a row that points at it (its status follows)."""
    counter = _count_a_change(action.plan_id)
    _flushed_connection().execute(_STAMP_AREAS, {"moved_area_id": action.area_id, "of_plan": action.plan_id,
                                                 "ref_pattern": _holding(action.ref), "new_counter": counter})


def _count_a_change(plan_id: int) -> int:
    """Add one to the plan's change counter (atomically, in the database) and return the new value, in
    one statement (`RETURNING`: SQLite 3.35+ and PostgreSQL). A plan the session holds is told the new value."""
    counter, updated_at = _flushed_connection().execute(_COUNT_A_CHANGE, {"plan_id": plan_id}).one()
    plan = db.session.identity_map.get(identity_key(Plan, plan_id))
    if plan is not None:
        set_committed_value(plan, "change_counter", counter)
        set_committed_value(plan, "updated_at", updated_at)
    return counter


def mark_plan_changed(plan_id: int) -> None:
    """Every area of the plan changed (an import, closing actions, carrying them forward): count once
    and stamp them all, so polls and cached lanes see it."""
    counter = _count_a_change(plan_id)
    db.session.execute(update(Area).where(Area.plan_id == plan_id).values(changed_at_counter=counter))


def record_reason(move: ActionEvent, reason: str, user: User) -> ActionEvent:
    """Add the one-line reason for a status change, as a new history entry pointing at it."""
    reason = " ".join(reason.split())
    if not reason:
        raise MoveRefused("Write a reason, or choose Skip.")
    if len(reason) > MAX_REASON:
        raise MoveRefused(f"Keep the reason under {MAX_REASON} characters.")
    if move.kind is not EventKind.STATUS:
        raise MoveRefused("Only a change of status takes a reason.")
    action = db.session.get(Action, move.action_id)
    lock_area(action.area_id)
    if reason_for(move) is not None:
        db.session.rollback()
        raise MoveRefused("This move already has a reason.")
    entry = stage_reason(action, move, reason, user)
    try:
        db.session.commit()
    except IntegrityError:  # the unique index: another reason for this move was saved first
        db.session.rollback()
        raise MoveRefused("This move already has a reason.") from None
    return entry


def stage_reason(action: Action, move: ActionEvent, reason: str, user: User) -> ActionEvent:
    """The reason's history entry, pointing at the move it explains (the caller commits)."""
    entry = ActionEvent(action_id=move.action_id, user=user, kind=EventKind.REASON, reason=reason,
                        explains_event_id=move.id, to_value=move.to_value)
    db.session.add(entry)
    action.last_activity_at, action.last_activity_by_id = clock.now(), user.id
    bump_change_counter(action)
    return entry


def reason_for(move: ActionEvent) -> ActionEvent | None:
    return db.session.scalars(select(ActionEvent).where(
        ActionEvent.explains_event_id == move.id, ActionEvent.kind == EventKind.REASON)).first()


def resolve_position(action: Action, to_status: str, *, position: int | None = None,
                     before_ref: str | None = None, after_ref: str | None = None,
                     direction: str | None = None) -> int:
    """Where in the target column the card goes, from what the client could tell.

    A drop on a filtered board names its visible neighbours (`before_ref`/`after_ref`), since
    its index among visible cards is not its place in the whole column. Up/down move one place.
    Otherwise `position`, else the end of the column.
    """
    if direction in ("up", "down"):
        return max(0, action.position + (-1 if direction == "up" else 1))
    if before_ref is None and after_ref is None and position is not None:
        return position  # no neighbours to find: the column need not be read
    target = column(action.area_id, to_status, excluding=action.id)
    refs = [card.ref for card in target]
    if before_ref in refs:
        return refs.index(before_ref)
    if after_ref in refs:
        return refs.index(after_ref) + 1
    if position is not None:
        return position
    return len(target)


def pending_reason(event_id: int, user) -> ActionEvent | None:
    """The status change `user` made that still waits for its reason (else None)."""
    move = db.session.get(ActionEvent, event_id)
    if move is None or move.kind is not EventKind.STATUS or move.user_id != getattr(user, "id", None):
        return None
    return None if reason_for(move) else move
