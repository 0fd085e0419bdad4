"""The plan's activity: every history entry and every impact comment as one list, newest first.

A read-only mapping over a UNION of `action_event` and `impact_comment`, so the activity page can be
filtered and paginated by the database (`db.paginate`) instead of merging two lists in Python.
"""
from __future__ import annotations

from typing import ClassVar

from sqlalchemy import literal, select, union_all

from models import db
from models.action import Action, ActionEvent, EventKind
from models.evidence import ImpactComment
from models.plan import Area, Outcome

_history = (
    select(literal("event").label("source"), ActionEvent.id.label("id"), ActionEvent.at.label("at"),
           ActionEvent.kind.label("kind"), Area.plan_id.label("plan_id"), Area.number.label("area_number"),
           ActionEvent.user_id.label("user_id"))
    .join(Action, Action.id == ActionEvent.action_id).join(Area, Area.id == Action.area_id))
_comments = (
    select(literal("comment"), ImpactComment.id, ImpactComment.created_at,
           literal(EventKind.IMPACT_COMMENT.value), Area.plan_id, Area.number, ImpactComment.author_id)
    .join(Outcome, Outcome.id == ImpactComment.outcome_id).join(Area, Area.id == Outcome.area_id))
_activity = union_all(_history, _comments).subquery("activity")


class ActivityRecord(db.Model):
    """One line of activity: `source` says which table `id` is in ("event" or "comment")."""

    __table__ = _activity
    __mapper_args__: ClassVar[dict] = {"primary_key": [_activity.c.source, _activity.c.id]}
