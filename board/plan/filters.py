"""Board filters live in the URL query, so a filtered board can be shared and survives reload."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from board.services.board_view import BoardFilter
from models import Status

FILTER_KEYS = ("area", "owner", "status", "overdue", "stale", "due", "mine", "q")
DUE_WITHIN_CHOICES = (7, 14, 30, 60, 90)
STATUS_VALUES = {s.value for s in Status}


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 7]


def parse_filter(args: MultiDict, user=None) -> BoardFilter:
    """A BoardFilter from query arguments; values that make no sense are ignored, never an error."""
    owner = _ints(args.getlist("owner"))
    due = _ints(args.getlist("due"))
    mine = args.get("mine") == "1" and user is not None and getattr(user, "is_authenticated", False)
    return BoardFilter(
        areas=_ints(args.getlist("area")),
        owner_role_id=owner[0] if owner else None,
        statuses=[s for s in args.getlist("status") if s in STATUS_VALUES],
        overdue=args.get("overdue") == "1",
        stale=args.get("stale") == "1",
        due_within_days=due[0] if due and 0 < due[0] <= 3660 else None,
        mine_role_ids=[role.id for role in user.owner_roles] if mine else None,
        text=args.get("q", "")[:200],
    )


def filter_args(args: MultiDict) -> MultiDict:
    """Only the filter keys of a query (the rest, like `explain`, is not part of a board view)."""
    return MultiDict([(k, v) for k, v in args.items(multi=True) if k in FILTER_KEYS and v])


def current_board_args() -> MultiDict:
    """The filters of the board a request came from: its own query, or the page htmx is on."""
    page_url = request.headers.get("HX-Current-URL")
    if request.headers.get("HX-Request") == "true" and page_url:
        return filter_args(MultiDict(parse_qsl(urlsplit(page_url).query)))
    return filter_args(request.args)


def query_string(args: MultiDict, **extra) -> str:
    pairs = list(args.items(multi=True)) + [(k, v) for k, v in extra.items() if v is not None]
    return ("?" + urlencode(pairs)) if pairs else ""


def board_filter_from_request() -> BoardFilter:
    return parse_filter(current_board_args(), current_user)
