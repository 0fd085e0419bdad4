"""The board and its pieces (a lane, a card, the live refresh) as the page and its partials render them.

`load_board` (a service) returns plain data. What one request adds to it (may this viewer move cards,
the URLs of every card, the filters to come back to, the move waiting for its reason, a conflict to
explain) travels beside it in `BoardUi`, never set onto the service's result.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app

from board.forms import DUE_WITHIN_CHOICES, BoardChangesForm, BoardFilterForm, ConfirmForm
from board.services.board_view import BoardView, changed_area_ids, load_board
from board.views.clinics import clinic_banners
from board.views.viewer import Viewer
from models import ActionEvent, Plan, Role


def card_dom_id(ref: str) -> str:
    """The id of an action's card in the page. Made here only: templates call it, and it reaches the
    browser's script as a data attribute (`data-card-id`), never rebuilt there."""
    return "card-" + ref.replace(".", "-")


@dataclass(frozen=True)
class BoardUi:
    """What one request adds to the board: permissions, URLs and notices for this viewer."""

    can_move: bool
    detail_prefix: str        # a card's detail URL is this + its ref (+ filter_query)
    filter_query: str         # "?area=2&q=plans": the filters every link and form carries back
    move_next: str            # the board with its filters, quoted, for the Move links' `next`
    board_url: str            # the board with its filters (where a no-JavaScript form returns)
    poll_url: str
    poll_seconds: int
    explain_event: ActionEvent | None = None   # the status change whose reason to ask for
    reason_problem: str | None = None
    conflict_message: str | None = None
    conflict_area_id: int | None = None


def board_ui(viewer: Viewer, filters: BoardFilterForm, **notices) -> BoardUi:
    query = filters.query_string()
    detail = viewer.url("plan.action_detail", ref="REF")
    board_url = viewer.url("plan.board") + query
    return BoardUi(
        can_move=viewer.may(Role.EDITOR), detail_prefix=detail[: detail.rindex("REF")], filter_query=query,
        move_next=quote(board_url, safe=""), board_url=board_url,
        poll_url=viewer.url("plan.board_changes") + query,
        poll_seconds=current_app.config["BOARD_POLL_SECONDS"], **notices)


def _load(plan: Plan, viewer: Viewer, filters: BoardFilterForm) -> BoardView:
    return load_board(plan, board_filter=filters.board_filter(viewer.user))


def board_page(plan: Plan, viewer: Viewer, filters: BoardFilterForm, **notices) -> dict:
    """The whole board page: header, filter bar, every lane, the banners of the clinics covering it."""
    banners = clinic_banners(plan, viewer, filters.cleaned("area", []))
    return {"board": _load(plan, viewer, filters), "ui": board_ui(viewer, filters, **notices),
            "filters": filters, "due_choices": DUE_WITHIN_CHOICES, "clinics": banners,
            # A form makes a CSRF token: never on share pages.
            "confirm": ConfirmForm() if banners else None}


def lane_update(plan: Plan, area_id: int, viewer: Viewer, filters: BoardFilterForm, **notices) -> dict | None:
    """One lane and fresh counts (after a move or a reason); None when the filters hide the lane."""
    board = _load(plan, viewer, filters)
    lane = board.lane(area_id)
    if lane is None:
        return None
    return {"board": board, "lane": lane, "ui": board_ui(viewer, filters, **notices)}


def one_card(plan: Plan, ref: str, viewer: Viewer, filters: BoardFilterForm) -> dict | None:
    """One card as the board shows it (closing an inline form puts it back); None if not shown."""
    board = _load(plan, viewer, filters)
    found = next((card for lane in board.swimlanes for cards in lane.columns.values() for card in cards
                  if card.ref == ref), None)
    if found is None:
        return None
    return {"board": board, "action": found, "ui": board_ui(viewer, filters)}


def changed_lanes(plan: Plan, area_ids: set[int], viewer: Viewer, filters: BoardFilterForm) -> dict:
    """Lanes swapped in out of band, with fresh counts and the next poll (live refresh, or the card
    behind the detail panel after an inline change)."""
    board = _load(plan, viewer, filters)
    return {"board": board, "lanes": [lane for lane in board.swimlanes if lane.area.id in area_ids],
            "ui": board_ui(viewer, filters)}


def board_changes(plan: Plan, viewer: Viewer, query: BoardChangesForm) -> dict | None:
    """The live refresh: None when nothing changed since the page's counter (`since`), else the
    lanes changed after it."""
    since = query.cleaned("since")
    if since == plan.change_counter:
        return None
    return changed_lanes(plan, changed_area_ids(plan, -1 if since is None else since), viewer, query)
