"""Values every template may use."""
from __future__ import annotations

from board.services.board_view import STATUSES, is_overdue
from board.services.due import cadence_label


def init_app(app) -> None:
    app.jinja_env.globals.update(STATUSES=STATUSES, is_overdue=is_overdue)
    app.jinja_env.filters["cadence_label"] = cadence_label
    app.jinja_env.filters["month_year"] = lambda d: d.strftime("%b %Y") if d else ""
    app.jinja_env.filters["long_date"] = lambda d: f"{d.day} {d:%B %Y}" if d else ""
