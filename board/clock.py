"""The app's one clock: today and now, honouring BOARD_TODAY, and times as the council reads them.

Times are stored as naive UTC. `BOARD_TODAY` (demos of an old plan, tests) moves the date and keeps
the time of day, so everything stamped, compared or shown agrees on what "today" is.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/London"


def _setting(name: str, default=None):
    return current_app.config.get(name, default) if has_app_context() else default


def zone() -> ZoneInfo:
    return ZoneInfo(_setting("BOARD_TIMEZONE", DEFAULT_ZONE) or DEFAULT_ZONE)


def now() -> datetime:
    """The current moment as stored: naive UTC (on BOARD_TODAY's date when that is set)."""
    real = datetime.now(UTC).replace(tzinfo=None)
    pretend = _setting("BOARD_TODAY")
    return datetime.combine(date.fromisoformat(pretend), real.time()) if pretend else real


def today() -> date:
    """The council's date: BOARD_TODAY, else today in BOARD_TIMEZONE."""
    pretend = _setting("BOARD_TODAY")
    return date.fromisoformat(pretend) if pretend else datetime.now(zone()).date()


def local_time(moment: datetime | None, fmt: str = "%H:%M") -> str:
    """A stored UTC time as the council reads it (Europe/London unless BOARD_TIMEZONE says)."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(zone()).strftime(fmt)


def local_date(moment: datetime) -> date:
    """The council's date of a stored UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).date()


def ago(moment: datetime | None) -> str:
    """'today', 'yesterday', '3 days ago', or the date for older changes: counted in calendar days, so
    the words depend on today's date alone (a lane rendered today reads the same all day)."""
    if moment is None:
        return ""
    days = (today() - moment.replace(tzinfo=UTC).astimezone(zone()).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return local_time(moment, "%-d %b %Y")
