"""What a person is told about a move: done, refused, or beaten to it by someone else."""
from __future__ import annotations

from board.clock import local_time
from board.services.moves import MoveConflict, MoveResult
from models import EventKind, Status


def moved_message(result: MoveResult) -> str:
    action = result.action
    if result.event is None:
        return f"{action.ref} stayed where it was."
    if result.status_changed:
        return f"{action.ref} moved to {Status(action.status).label}."
    return f"{action.ref} moved to position {action.position + 1} in {Status(action.status).label}."


def conflict_message(conflict: MoveConflict) -> str:
    """Who moved the card first, and when; nothing of the refused move was applied."""
    action, event = conflict.action, conflict.by_event
    label = Status(action.status).label
    if event is None:
        return f"{action.ref} changed since you loaded the board (it is now {label}); your move was not applied."
    verb = f"moved to {label}" if event.kind is EventKind.STATUS else "reordered"
    return (f"{action.ref} was {verb} by {event.actor_name} at {local_time(event.at)}; "
            "your move was not applied.")
