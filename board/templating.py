"""Values every template may use."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from board.services.board_view import STATUSES, is_overdue, is_stale
from board.services.due import cadence_label
from models import Status


def init_app(app) -> None:
    # Drop the whitespace around block tags: the board repeats its card markup 88+ times.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(STATUSES=STATUSES, is_overdue=is_overdue)
    app.jinja_env.filters["cadence_label"] = cadence_label
    app.jinja_env.filters["month_year"] = lambda d: d.strftime("%b %Y") if d else ""
    app.jinja_env.filters["long_date"] = lambda d: f"{d.day} {d:%B %Y}" if d else ""
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["status_label"] = lambda value: Status(value).label
    app.jinja_env.globals.update(is_stale=is_stale)


def _zone() -> ZoneInfo:
    name = current_app.config.get("BOARD_TIMEZONE", "Europe/London") if has_app_context() else "Europe/London"
    return ZoneInfo(name)


def local_time(moment: datetime | None, fmt: str = "%H:%M") -> str:
    """A stored UTC time as the council reads it (Europe/London unless BOARD_TIMEZONE says)."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(_zone()).strftime(fmt)


def ago(moment: datetime | None) -> str:
    """'today', 'yesterday', '3 days ago', or the date for older changes."""
    if moment is None:
        return ""
    days = (datetime.now(UTC).replace(tzinfo=None) - moment).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return local_time(moment, "%-d %b %Y")
