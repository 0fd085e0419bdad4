"""An evidence note's rows: the note and the history entry that records it.

Written by adding a note, and by completing an action, whose evidence is given in the same step as the
move (a Complete needs its evidence). The caller locks, touches the card and commits.
"""
from __future__ import annotations

from datetime import datetime

from models import ActionEvent, EventKind, EvidenceNote, User, db


def excerpt(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def new_note(action_id: int, text: str, link_url: str | None, user: User, at: datetime, *,
             internal: bool = False) -> EvidenceNote:
    note = EvidenceNote(action_id=action_id, author=user, text=text.strip(), link_url=link_url or None,
                        internal=internal, created_at=at)
    db.session.add(note)
    db.session.add(ActionEvent(action_id=action_id, user=user, at=at, kind=EventKind.NOTE,
                               to_value=excerpt(note.text)))
    return note
