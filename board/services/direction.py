"""Direction of travel: how an action's status moved between two dates, in words and a symbol.

RAG is ranked Red < Amber < Green < Complete; Not started stands on its own: leaving it is "Started"
(or "Completed" straight away), going back to it is "Worsened". The symbol is a shape, never only a
colour, so the direction reads on a black and white printout too.
"""
from __future__ import annotations

import enum

from models import Status

_RANK = {Status.RED: 0, Status.AMBER: 1, Status.GREEN: 2, Status.COMPLETE: 3}


class Direction(str, enum.Enum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    NO_CHANGE = "no_change"
    COMPLETED = "completed"
    STARTED = "started"

    @property
    def label(self) -> str:
        return _WORDS[self][0]

    @property
    def symbol(self) -> str:
        return _WORDS[self][1]

    @property
    def meaning(self) -> str:
        return _WORDS[self][2]


_WORDS = {
    Direction.IMPROVED: ("Improved", "▲", "moved up the RAG scale (Red to Amber, Amber to Green)"),
    Direction.WORSENED: ("Worsened", "▼", "moved down the RAG scale, was reopened, or went back to Not started"),
    Direction.NO_CHANGE: ("No change", "■", "the same status at the start and the end"),
    Direction.COMPLETED: ("Completed", "✔", "became Complete in the period"),
    Direction.STARTED: ("Started", "▶", "was Not started, and now is Red, Amber or Green"),
}


def direction(start: Status | str, end: Status | str) -> Direction:
    """The direction of travel from the status at a period's start to the one at its end."""
    start, end = Status(start), Status(end)
    if start == end:
        return Direction.NO_CHANGE
    if end is Status.COMPLETE:
        return Direction.COMPLETED
    if start is Status.NOT_STARTED:
        return Direction.STARTED
    if end is Status.NOT_STARTED or _RANK[end] < _RANK[start]:
        return Direction.WORSENED
    return Direction.IMPROVED
