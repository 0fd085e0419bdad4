"""Today's date for overdue and stale checks, overridable for demos and tests (BOARD_TODAY)."""
from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context


def today() -> date:
    configured = current_app.config.get("BOARD_TODAY") if has_app_context() else None
    return date.fromisoformat(configured) if configured else date.today()
