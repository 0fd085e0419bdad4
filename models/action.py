"""The action aggregate: an action card, its owner roles and its append-only history."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.clock import now
from models import db
from models.plan import Area, Outcome, OwnerRole
from models.user import User


class Status(str, enum.Enum):
    """RAG status of an action, in board column order. Complete is blue (BRAG)."""

    NOT_STARTED = "not_started"
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self][0]

    @property
    def meaning(self) -> str:
        return _STATUS_LABELS[self][1]


_STATUS_LABELS = {
    Status.NOT_STARTED: ("Not started", "not yet started"),
    Status.RED: ("Red", "off track"),
    Status.AMBER: ("Amber", "at risk"),
    Status.GREEN: ("Green", "on track"),
    Status.COMPLETE: ("Complete", "done"),
}

class EventKind(str, enum.Enum):
    """What one entry of an action's history, or of the plan's activity, records."""

    IMPORTED = "imported"
    STATUS = "status"                  # a change of status (a move between columns)
    REORDER = "reorder"                # a move within a column
    REASON = "reason"                  # the reason for a status change, pointing at it
    DUE = "due"
    NOTE = "note"
    NOTE_EDITED = "note_edited"
    NOTE_WITHDRAWN = "note_withdrawn"
    PLAN_TEXT = "plan_text"            # a re-import changed the action's words, due or owners
    PLAN_DUE = "plan_due"
    PLAN_OWNERS = "plan_owners"
    IMPACT_COMMENT = "impact"          # activity only: a comment on an outcome (kept in impact_comment)
    SIGN_OFF = "sign_off"              # the plan owner accepted a completion and its evidence
    CARRIED_FROM = "carried_from"      # a new plan's action continues an earlier plan's (from: "2023-24 1.4")
    CARRIED_TO = "carried_to"          # an action closed because a later plan carries it on (to: "2024-25 2.3")
    CLOSED = "closed"                  # an action closed at the end of its plan, with how and why


MOVE_KINDS = (EventKind.STATUS, EventKind.REORDER)
NOTE_KINDS = (EventKind.NOTE, EventKind.NOTE_EDITED, EventKind.NOTE_WITHDRAWN)
# What people decide on the board (a clinic minutes these), as opposed to what an import records.
DECISION_KINDS = (*MOVE_KINDS, EventKind.REASON, EventKind.DUE, *NOTE_KINDS, EventKind.SIGN_OFF)


def _kind_values(kinds) -> list[str]:
    return [kind.value for kind in kinds]


class Closure(str, enum.Enum):
    """How an action of a finished plan was closed."""

    CARRIED_FORWARD = "carried_forward"
    COMPLETED = "completed"
    NO_LONGER_NEEDED = "no_longer_needed"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return _CLOSURE_LABELS[self]


_CLOSURE_LABELS = {
    Closure.CARRIED_FORWARD: "Carried forward",
    Closure.COMPLETED: "Completed",
    Closure.NO_LONGER_NEEDED: "No longer needed",
    Closure.MERGED: "Merged",
}


action_owners = Table(
    "action_owner",
    db.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("owner_role_id", ForeignKey("owner_role.id"), primary_key=True),
    # The order the plan prints its owners in: the first is the lead.
    Column("position", Integer, nullable=False, default=0, server_default="0"),
)


class Action(db.Model):
    """One action of the plan, shown as a card in its area's swimlane and its status column."""

    __table_args__ = (UniqueConstraint("plan_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id"), index=True)
    ref: Mapped[str] = mapped_column(String(20))
    # Order in the plan document; refs like 2.10 do not sort as strings.
    plan_order: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # Sub-actions printed in one row (2.10 holds two, each with its own owner and due).
    parts: Mapped[list | None] = mapped_column(JSON, default=None)
    see_also: Mapped[list] = mapped_column(JSON, default=list)
    # Due as printed in the plan (re-imports update it); the current due below may have moved since.
    plan_due_text: Mapped[str] = mapped_column(String(200), default="", server_default="")
    due_moves: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    due_text: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    cadence: Mapped[str | None] = mapped_column(String(30))
    # When a recurring action's first occurrence falls ("Quarterly ... from November 2023").
    cadence_start: Mapped[date | None] = mapped_column(Date)
    # Lineage: the earlier plan's action this one continues (its history stays there, linked).
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    # Set when the plan it belongs to is finished with it: carried forward, completed, no longer
    # needed, merged. A closed action keeps its status and history; `closed_note` says why or where.
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_how: Mapped[str | None] = mapped_column(String(30))
    closed_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    status: Mapped[str] = mapped_column(String(20), default=Status.NOT_STARTED.value)
    # Position inside its (area, status) column, 0-based and gapless.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic lock: bumped on every status or position change.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    status_changed_at: Mapped[datetime | None] = mapped_column()
    # The latest change a person recorded (move, reason, note...): "updated 3 days ago by Name",
    # and what "stale" is measured from for recurring actions.
    last_activity_at: Mapped[datetime | None] = mapped_column()
    last_activity_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # When its owners were last asked for an update (see UpdateRequest): "updated since the request"
    # when last_activity_at is later.
    update_requested_at: Mapped[datetime | None] = mapped_column()
    # When the plan owner signed off its latest completion (cleared by any change of status).
    signed_off_at: Mapped[datetime | None] = mapped_column()

    area: Mapped[Area] = relationship()
    outcome: Mapped[Outcome] = relationship(back_populates="actions")
    owners: Mapped[list[OwnerRole]] = relationship(
        secondary=action_owners, order_by=action_owners.c.position
    )
    carried_from: Mapped[Action | None] = relationship(remote_side="Action.id", foreign_keys=[carried_from_id])
    last_activity_by: Mapped[User | None] = relationship()
    events: Mapped[list[ActionEvent]] = relationship(
        back_populates="action", order_by="ActionEvent.id.desc()"
    )

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_pointer(self) -> bool:
        """A row that only points at other actions ("See actions 1.5-1.8"): no work of its own."""
        return bool(self.see_also) and not self.owners

    @property
    def closure(self) -> Closure | None:
        return Closure(self.closed_how) if self.closed_how else None


class ActionEvent(db.Model):
    """One entry of an action's history: who, when, what kind, from what, to what, why.

    Append-only: rows are never updated or deleted (enforced below).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    # Stored as its value in a VARCHAR; read back as an EventKind.
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, native_enum=False, create_constraint=False,
                                                 length=30, values_callable=_kind_values))
    at: Mapped[datetime] = mapped_column(default=now, index=True)
    # Who made the change: a signed-in user, or a label for the CLI and plan imports.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    from_value: Mapped[str | None] = mapped_column(Text)
    to_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    # A reason given after a move is a new entry pointing at the move (history is never edited).
    explains_event_id: Mapped[int | None] = mapped_column(ForeignKey("action_event.id"))
    # The performance clinic this decision was made in, if any.
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"), index=True)

    action: Mapped[Action] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()

    # One reason per move, whoever sends it and however often. Partial (id > N): a database that
    # already held duplicate reasons when this rule came keeps them as recorded (see its migration).
    __table_args__ = (Index("uq_action_event_explains_event_id", "explains_event_id", unique=True,
                            sqlite_where=text("id > 0"), postgresql_where=text("id > 0")),)

    @property
    def actor_name(self) -> str:
        return self.user.name if self.user else self.actor_label


class HistoryIsAppendOnly(Exception):
    pass


@event.listens_for(ActionEvent, "before_update")
def _refuse_history_update(mapper, connection, target):
    raise HistoryIsAppendOnly("history entries cannot be changed")


@event.listens_for(ActionEvent, "before_delete")
def _refuse_history_delete(mapper, connection, target):
    raise HistoryIsAppendOnly("history entries cannot be deleted")
