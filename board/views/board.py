"""The board and its pieces (a lane, a card, the live refresh) as the page and its partials render them.

`load_board` (a service) returns plain data. What one request adds to it (may this viewer move cards,
the URLs of every card, the filters to come back to, the move waiting for its reason, a conflict to
explain) travels beside it in `BoardUi`, never set onto the service's result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from flask import current_app, request

from board import clock
from board.forms import DUE_WITHIN_CHOICES, BoardChangesForm, BoardFilterForm, ConfirmForm
from board.services.board_view import STATUSES, BoardView, changed_area_ids, load_board, one_off_stale_days
from board.views.clinics import clinic_banners
from board.views.viewer import Viewer
from models import ActionEvent, Plan, Role


def card_dom_id(ref: str) -> str:
    """The id of an action's card in the page. Made here only: templates call it, and it reaches the
    browser's script as a data attribute (`data-card-id`), never rebuilt there."""
    return "card-" + ref.replace(".", "-")


@dataclass(frozen=True)
class OpenMoveForm:
    """A card whose move form comes back open, with what the person sent and what is missing (a move to
    Complete asking for its evidence, or a field it could not read)."""

    action_id: int
    form: object


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
    whole: bool = False       # the whole plan at a glance (small cards) rather than the detailed board
    shows_names: bool = True  # who last updated a card (a committee reads no names unless its link shows them)
    clinic_mode: bool = False  # a shared screen: larger type, the live indicator to the fore
    # The same board (filters kept) in the other view, and in or out of clinic mode.
    whole_url: str = ""
    detailed_url: str = ""
    clinic_url: str = ""
    # Each status column's share of the width, from how many cards it holds (1..21): the whole plan on
    # screen, and both views on paper.
    column_grow: dict = field(default_factory=dict)
    explain_event: ActionEvent | None = None   # the status change whose reason to ask for
    reason_problem: str | None = None
    conflict_message: str | None = None
    conflict_area_id: int | None = None
    open_move_form: OpenMoveForm | None = None  # e.g. a move to Complete waiting for its evidence


VIEW_COOKIE = "board_view"


def chosen_view(filters: BoardFilterForm, viewer: Viewer) -> str:
    """The view the URL asks for, else the one this person last chose (a cookie, signed-in only),
    else the whole plan for the plan owner (who reads the plan whole) and the detailed board for others."""
    asked = filters.cleaned("view")
    if asked:
        return asked
    remembered = None if viewer.read_only else request.cookies.get(VIEW_COOKIE)
    if remembered in BoardFilterForm.VIEWS:
        return remembered
    return "whole" if viewer.may(Role.ADMIN) else "detailed"


def _column_grow(board: BoardView) -> dict:
    """Each column's width in the whole-plan view, in proportion to its cards (an empty column keeps a
    narrow drop target); the same for every lane, so columns line up down the board."""
    totals = board.totals
    shown = sum(totals.values()) or 1
    return {status.value: 1 + round(20 * totals[status] / shown) for status in STATUSES}


def _with_display(filters: BoardFilterForm, **display) -> str:
    """The filters' query with the view or screen mode set to `display` (None drops it)."""
    pairs = [(k, v) for k, v in filters.query_pairs() if k not in display]
    pairs += [(k, v) for k, v in display.items() if v]
    return "?" + urlencode(pairs) if pairs else ""


def board_ui(viewer: Viewer, filters: BoardFilterForm, board: BoardView, **notices) -> BoardUi:
    query = filters.query_string()
    detail = viewer.url("plan.action_detail", ref="REF")
    board_url = viewer.url("plan.board") + query
    whole = chosen_view(filters, viewer) == "whole"
    clinic_mode = filters.cleaned("mode") == "clinic"
    board_path = viewer.url("plan.board")
    return BoardUi(
        can_move=viewer.may(Role.EDITOR), detail_prefix=detail[: detail.rindex("REF")], filter_query=query,
        move_next=quote(board_url, safe=""), board_url=board_url,
        poll_url=viewer.url("plan.board_changes") + query,
        poll_seconds=current_app.config["BOARD_POLL_SECONDS"], whole=whole, shows_names=viewer.shows_names,
        clinic_mode=clinic_mode, column_grow=_column_grow(board),
        whole_url=board_path + _with_display(filters, view="whole"),
        detailed_url=board_path + _with_display(filters, view="detailed"),
        clinic_url=board_path + _with_display(filters, mode=None if clinic_mode else "clinic"),
        **notices)


def _load(plan: Plan, viewer: Viewer, filters: BoardFilterForm) -> BoardView:
    return load_board(plan, board_filter=filters.board_filter(viewer.user), committee=viewer.read_only)


def board_page(plan: Plan, viewer: Viewer, filters: BoardFilterForm, **notices) -> dict:
    """The whole board page: header, filter bar, every lane, the banners of the clinics covering it."""
    banners = clinic_banners(plan, viewer, filters.cleaned("area", []))
    board = _load(plan, viewer, filters)
    return {"board": board, "ui": board_ui(viewer, filters, board, **notices),
            "filters": filters, "due_choices": DUE_WITHIN_CHOICES, "clinics": banners, "shown_at": clock.now(),
            "stale_days": one_off_stale_days(),
            # A form makes a CSRF token: never on share pages.
            "confirm": ConfirmForm() if banners else None}


def lane_update(plan: Plan, area_id: int, viewer: Viewer, filters: BoardFilterForm, **notices) -> dict | None:
    """One lane and fresh counts (after a move or a reason); None when the filters hide the lane."""
    board = _load(plan, viewer, filters)
    lane = board.lane(area_id)
    if lane is None:
        return None
    return {"board": board, "lane": lane, "ui": board_ui(viewer, filters, board, **notices)}


def one_card(plan: Plan, ref: str, viewer: Viewer, filters: BoardFilterForm) -> dict | None:
    """One card as the board shows it (closing an inline form puts it back); None if not shown."""
    board = _load(plan, viewer, filters)
    found = next((card for lane in board.swimlanes for cards in lane.columns.values() for card in cards
                  if card.ref == ref), None)
    if found is None:
        return None
    return {"board": board, "action": found, "ui": board_ui(viewer, filters, board)}


def changed_lanes(plan: Plan, area_ids: set[int], viewer: Viewer, filters: BoardFilterForm) -> dict:
    """Lanes swapped in out of band, with fresh counts and the next poll (live refresh, or the card
    behind the detail panel after an inline change)."""
    board = _load(plan, viewer, filters)
    return {"board": board, "lanes": [lane for lane in board.swimlanes if lane.area.id in area_ids],
            "ui": board_ui(viewer, filters, board)}


def board_changes(plan: Plan, viewer: Viewer, query: BoardChangesForm) -> dict | None:
    """The live refresh: None when nothing changed since the page's counter (`since`), else the
    lanes changed after it."""
    since = query.cleaned("since")
    if since == plan.change_counter:
        return None
    return changed_lanes(plan, changed_area_ids(plan, -1 if since is None else since), viewer, query)
