"""Values every template may use."""
from __future__ import annotations

from board.clock import ago, local_time
from board.services.board_view import STATUSES, is_overdue, is_stale, updated_since_request
from board.services.direction import Direction
from board.services.due import cadence_label
from board.services.lineage import closed_label
from board.services.periods import label as period_label
from board.views.board import card_dom_id
from board.views.cards import cards_html, one_card_html
from models import ImpactRating, Status


def init_app(app) -> None:
    # Drop the whitespace around block tags: the board repeats its card markup 88+ times.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(STATUSES=STATUSES, is_overdue=is_overdue)
    app.jinja_env.filters["cadence_label"] = cadence_label
    app.jinja_env.filters["long_date"] = lambda d: f"{d.day} {d:%B %Y}" if d else ""
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["period"] = period_label
    app.jinja_env.filters["status_label"] = lambda value: Status(value).label
    app.jinja_env.filters["direction_label"] = lambda value: Direction(value).label
    app.jinja_env.filters["direction_symbol"] = lambda value: Direction(value).symbol
    app.jinja_env.filters["rating_label"] = lambda value: ImpactRating(value).label if value else "Not rated"
    app.jinja_env.globals.update(is_stale=is_stale, card_dom_id=card_dom_id, closed_label=closed_label,
                                 updated_since_request=updated_since_request, cards_html=cards_html,
                                 one_card_html=one_card_html)
