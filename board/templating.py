"""Values every template may use."""
from __future__ import annotations

from board.services.board_view import STATUSES, is_overdue
from board.services.due import cadence_label


def init_app(app) -> None:
    # Drop the whitespace around block tags: the board repeats its card markup 88+ times.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(STATUSES=STATUSES, is_overdue=is_overdue)
    app.jinja_env.filters["cadence_label"] = cadence_label
    app.jinja_env.filters["month_year"] = lambda d: d.strftime("%b %Y") if d else ""
    app.jinja_env.filters["long_date"] = lambda d: f"{d.day} {d:%B %Y}" if d else ""
