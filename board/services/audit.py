"""Recording administrative changes: who, when, what, from what, to what."""
from __future__ import annotations

from models import AuditEntry, User, db


def record(kind: str, subject: str, *, by: User | None = None, actor_label: str = "",
           from_value: str | None = None, to_value: str | None = None) -> AuditEntry:
    """Append an audit entry to the session (the caller commits with its change)."""
    entry = AuditEntry(kind=kind, subject=subject, user=by, actor_label=actor_label or "",
                       from_value=from_value, to_value=to_value)
    db.session.add(entry)
    return entry
