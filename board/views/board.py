"""The board and its pieces (a lane, a card, the live refresh) as the page and its partials render them.

`load_board` (a service) returns plain data. What one request adds to it (may this viewer move cards,
the URLs of every card, the filters to come back to, the move waiting for its reason, a conflict to
explain) travels beside it in `BoardUi`, never set onto the service's result.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from urllib.parse import quote, urlencode

from flask import current_app, g, make_response, render_template, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from board import clock
from board.forms import DUE_WITHIN_CHOICES, BoardChangesForm, BoardFilterForm, ConfirmForm
from board.services.board_view import (
    STATUSES,
    BoardFilter,
    BoardView,
    area_id_of,
    area_rows,
    areas_and_open_clinics,
    changed_area_ids,
    is_overdue,
    is_stale,
    load_board,
    one_off_stale_days,
    owner_roles_of,
)
from board.services.clinics import open_clinics
from board.speed import GzipPart, accepts_gzip, conditional_parts, gzip_spliced, static_digest
from board.views.clinics import clinic_banners
from board.views.render_cache import render_cache
from board.views.updates import ask_url
from board.views.viewer import PLAN_SLUG_KEY, Viewer, install_plans
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
    area_id: int
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


def _column_grow(board) -> dict:
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


def board_ui(viewer: Viewer, filters: BoardFilterForm, board, **notices) -> BoardUi:
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


@dataclass(frozen=True)
class LaneCounts:
    """What the board's totals need of one area: cards shown per status, overdue and stale among them,
    and its actions whatever the filters (pointer rows never count)."""

    shown: tuple[int, ...]
    overdue: int
    stale: int
    actions: int


@dataclass(frozen=True)
class BoardSummary:
    """The board without its cards: counts from every area's `LaneCounts`, and what the page's header,
    filter bar and poll show. Templates read it as they read a `BoardView`."""

    plan: Plan
    today: date
    filter: BoardFilter
    lanes: dict[int, LaneCounts]
    all_areas: list = field(default_factory=list)
    owner_roles: list = field(default_factory=list)

    @cached_property
    def totals(self) -> Counter:
        """Counted once: the header, the totals bar and each column's width read it a dozen times."""
        return Counter({status: sum(lane.shown[i] for lane in self.lanes.values())
                        for i, status in enumerate(STATUSES)})

    @property
    def total(self) -> int:
        return sum(sum(lane.shown) for lane in self.lanes.values())

    @property
    def plan_total(self) -> int:
        return sum(lane.actions for lane in self.lanes.values())

    @property
    def overdue_count(self) -> int:
        return sum(lane.overdue for lane in self.lanes.values())

    @property
    def stale_count(self) -> int:
        return sum(lane.stale for lane in self.lanes.values())


def _lane_counts(board: BoardView, area_id: int) -> LaneCounts:
    lane = board.lane(area_id)
    if lane is None:  # the area filter leaves it out
        return LaneCounts((0,) * len(STATUSES), 0, 0, board.area_totals.get(area_id, 0))
    cards = [card for cards in lane.columns.values() for card in cards]
    stale_days = one_off_stale_days()
    return LaneCounts(tuple(lane.count(status) for status in STATUSES),
                      sum(is_overdue(card, board.today) for card in cards),
                      sum(is_stale(card, board.today, stale_days) for card in cards), board.area_totals.get(area_id, 0))


def _owner_roles(plan: Plan, areas: list) -> list:
    """The filter bar's owner roles, kept until the whole plan changes: only an import writes owner roles
    or which actions they own, and it counts as a change of the whole plan (`mark_plan_changed` stamps
    every area), so the areas' lowest change counter moves then and not with each move of a card."""
    version = min((area.changed_at_counter for area in areas), default=plan.change_counter)
    return render_cache().value(("owner roles", plan.id, version), lambda: owner_roles_of(plan))


@dataclass
class RenderedBoard:
    """The board's counts, and the HTML of the lanes asked for (in area order, hidden ones left out)."""

    summary: BoardSummary
    lanes: list[Markup]
    ui: BoardUi


def _render_board(plan: Plan, viewer: Viewer, filters: BoardFilterForm, wanted: set[int] | None,
                  oob: bool = False, areas: list | None = None, **notices) -> RenderedBoard:
    """Lanes (all visible ones when `wanted` is None) and counts, from the cache where it has them.

    Reads the areas (with their change counters) first, then only the cards of areas the cache lacks:
    a board nobody changed costs one query, a move or a poll reads the areas that changed."""
    cache, today = render_cache(), clock.today()
    board_filter = filters.board_filter(viewer.user)
    areas = area_rows(plan) if areas is None else areas
    filter_key = repr(board_filter)
    counts_keys = {area.id: (plan.id, area.id, area.changed_at_counter, today, filter_key) for area in areas}
    counts = {area_id: cache.counts(key) for area_id, key in counts_keys.items()}
    missing = {area_id for area_id, found in counts.items() if found is None}
    loaded: BoardView | None = None
    if missing:
        loaded = load_board(plan, today, board_filter, areas=areas, only_area_ids=missing,
                            committee=viewer.read_only)
        for area_id in missing:
            counts[area_id] = _lane_counts(loaded, area_id)
            cache.keep_counts(counts_keys[area_id], counts[area_id])
    summary = BoardSummary(plan, today, board_filter, counts, all_areas=areas,
                           owner_roles=_owner_roles(plan, areas) if wanted is None else [])
    ui = board_ui(viewer, filters, summary, **notices)
    # A filtered board hides the areas where nothing matched; the whole plan shows all.
    shown = [area for area in areas if (not board_filter.areas or area.number in board_filter.areas)
             and (wanted is None or area.id in wanted)
             and (not board_filter.active or sum(counts[area.id].shown) or wanted is not None)]
    # Whether completions await sign-off is the plan's setting, not its cards': it keys the lanes too.
    ui_key = (request.script_root, viewer.share_token, ui.can_move, ui.whole, ui.filter_query, ui.detail_prefix,
              ui.move_next, tuple(sorted(ui.column_grow.items())) if ui.whole else (), oob, plan.require_sign_off)
    # A lane showing a notice (a reason to ask for, a conflict, a move form asking for evidence) carries a form or a message for this
    # request only: it is rendered fresh, never kept.
    noticed = {ui.conflict_area_id, ui.explain_event.action.area_id if ui.explain_event else None,
               ui.open_move_form.area_id if ui.open_move_form else None}

    # A lane drawn for a change (a move, a reason, a live refresh: `wanted`) is drawn from kept cards
    # where it can: most of its cards did not change. A card is kept by everything it shows: its own
    # row (`cards._kept_by`: every field it is drawn from), today, who looks and through which URLs,
    # the plan's sign-off setting and the stale-days setting. A whole board uses them for a lane drawn
    # since its last change (its counts were kept then: by a move's answer, a live refresh), not for a
    # lane drawn from nothing: it would pay every card's key for no gain (its lanes are kept whole).
    card_key = (today, request.script_root, viewer.share_token, ui.can_move, ui.detail_prefix, ui.filter_query,
                ui.move_next, ui.shows_names, plan.require_sign_off, one_off_stale_days())

    def render(area):
        nonlocal loaded
        if loaded is None or loaded.lane(area.id) is None:
            loaded = load_board(plan, today, board_filter, areas=areas, only_area_ids={area.id},
                                committee=viewer.read_only)
        return Markup(render_template("partials/swimlane.html", lane=loaded.lane(area.id), board=summary, ui=ui, oob=oob,
                                      card_key=card_key if wanted is not None or area.id not in missing else None))

    # Kept as Markup, so each request gets the very objects kept (no copy of every lane's HTML).
    lanes = [render(area) if area.id in noticed else cache.html((*counts_keys[area.id], ui_key), lambda area=area: render(area))
             for area in shown]
    return RenderedBoard(summary, lanes, ui)


def board_page(plan: Plan, viewer: Viewer, filters: BoardFilterForm, read: PageInputs | None = None,
               **notices) -> dict:
    """The whole board page: header, filter bar, every lane, the banners of the clinics covering it.
    `read`: what `board_page_inputs` already read for this request (not read again)."""
    # The open clinics, read once: their banners, and who may ask owners for an update.
    open_now = read.open_clinics if read else [] if viewer.read_only else open_clinics(plan)
    banners = clinic_banners(open_now, viewer, filters.cleaned("area", []))
    rendered = _render_board(plan, viewer, filters, None, areas=read.areas if read else None, **notices)
    context = {"board": rendered.summary, "lanes": rendered.lanes, "ui": rendered.ui,
               "filters": filters, "due_choices": DUE_WITHIN_CHOICES, "clinics": banners, "shown_at": clock.now(),
               "stale_days": one_off_stale_days(),
               "ask_url": ask_url(plan, viewer, filters, open_now),
               # A form makes a CSRF token: never on share pages.
               "confirm": ConfirmForm() if banners else None}
    context["body"] = _board_body(plan, viewer, filters, context, kept=not (banners or filters.errors or any(notices.values())))
    return context


CLOCK_SLOT = Markup("<time data-clock-slot></time>")
BODY_SLOT = Markup("<!-- board body -->")


class KeptBody:
    """The page below the clinic banners as it is kept: UTF-8 bytes before and after the clock's slot, and
    their digest, computed once when kept, so a request for a board nobody changed neither renders,
    encodes nor digests it again (a megabyte at 1,000 cards)."""

    __slots__ = ("after", "before", "clocked", "digest", "gzip_parts")

    def __init__(self, html: str) -> None:
        before, slot, after = html.partition(CLOCK_SLOT)
        self.before, self.after, self.clocked = before.encode(), after.encode(), bool(slot)
        digest = hashlib.sha256(b"%d:%d:" % (len(self.before), self.clocked))
        digest.update(self.before)
        digest.update(self.after)
        self.digest = digest.digest()
        # Deflated when first sent gzipped (`kept_board_page`), then kept with the bytes.
        self.gzip_parts = (GzipPart(self.before), GzipPart(self.after))

    def __len__(self) -> int:  # its size in the LRU
        return len(self.before) + len(self.after)


@dataclass(frozen=True)
class BoardBody:
    """A kept body with this request's clock: the page's `{{ body }}` (`board_response` splices the bytes
    in without decoding them). `shared`: it came from (or went into) the cache, so it holds nothing of
    this request alone (no notice, no form with a CSRF token)."""

    kept: KeptBody
    clock: str
    shared: bool = False

    def __html__(self) -> str:
        clock = self.clock if self.kept.clocked else ""
        return self.kept.before.decode() + clock + self.kept.after.decode()


def board_response(template: str, context: dict, inputs: PageInputs | None = None, **extra):
    """The board page as a response with its ETag (304 when the request holds it): the template around
    the body rendered with a slot, the kept body's bytes spliced in, the ETag from the shell's digest and
    the body's kept digest (the clock and this request's CSRF token left out, as for other pages).
    With `inputs` (`board_page_inputs`) a page whose body is shared is kept whole for `kept_board_page`."""
    body: BoardBody = context["body"]
    head, _, tail = render_template(template, **{**context, "body": BODY_SLOT}, **extra).partition(BODY_SLOT)
    head, tail = head.encode(), tail.encode()
    clock = body.clock.encode() if body.kept.clocked else b""
    response = make_response(b"".join((head, body.kept.before, clock, body.kept.after, tail)))
    response = conditional_parts(response, (head, tail), body.kept.digest, volatile=body.kept.clocked)
    if inputs is not None and inputs.key is not None and body.shared:
        token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        cut = (lambda part: tuple(part.split(token.encode()))) if token else (lambda part: (part,))
        render_cache().keep(inputs.key, KeptPage(cut(head), body.kept, cut(tail), response.get_etag()[0],
                                                 tuple(g.get("assets_linked", {}).items()), g.get("body_digest")))
    return response


@dataclass(frozen=True)
class PageInputs:
    """What a board page is drawn from that `board_page_inputs` reads first: the open clinics, the areas
    with their counters, and the key of the whole page (None: this page is drawn afresh, never kept)."""

    open_clinics: list
    areas: list
    key: tuple | None


# Query parameters whose page depends on more than the key holds: the reason asked for a status change
# (an event of this person's), a view to remember (the answer sets a cookie), "My actions" (the
# person's owner roles).
_NEVER_KEPT = ("explain", "view", "mine")


def board_page_inputs(plan: Plan, viewer: Viewer) -> PageInputs:
    """For a signed-in person's board (the share page is drawn as before): read what the page needs anyway
    (open clinics, areas), and key the whole page by everything it is drawn from: the URL (prefix, plan,
    query), the remembered view, who looks (the person's id, role and name), the plan's row (its change
    counter counts every change to a card), the plans to switch to, the areas with their counters, and
    today. The static files it links are checked when it is found (`kept_board_page`), and its CSRF token
    and clock are this request's. A page with a message to flash, a clinic banner (its forms carry a
    token) or a parameter in `_NEVER_KEPT` is not kept."""
    areas, open_now = areas_and_open_clinics(plan)
    if open_now or session.get("_flashes") or any(name in request.args for name in _NEVER_KEPT):
        return PageInputs(open_now, areas, None)
    user = viewer.user
    key = ("board page", request.script_root, request.environ.get(PLAN_SLUG_KEY), request.query_string,
           request.cookies.get(VIEW_COOKIE), user.id, user.role, user.name,
           repr([getattr(plan, column.key) for column in Plan.__table__.columns]),
           tuple((p.id, p.slug, p.live, p.archived) for p in install_plans()),
           tuple(tuple(area) for area in areas), clock.today())
    return PageInputs(open_now, areas, key)


@dataclass(frozen=True)
class KeptPage:
    """A whole board page as kept for one key (`board_page_inputs`): the shell's bytes cut where the CSRF
    token goes, the kept body, the ETag the page was given, the static files it links at the digests it
    links, and the key its compressed bytes are kept by (None: compressed afresh, as the page was)."""

    head: tuple[bytes, ...]
    body: KeptBody
    tail: tuple[bytes, ...]
    etag: str
    assets: tuple[tuple[str, str | None], ...]
    compress_key: str | None

    def __len__(self) -> int:  # its size in the LRU
        return sum(map(len, self.head)) + len(self.body) + sum(map(len, self.tail))


def kept_board_page(inputs: PageInputs):
    """The board page kept under `inputs.key` as a response with this request's CSRF token and clock, as
    `board_response` would make it (the same bytes but those, the same ETag); None if there is none, or
    a static file it links has changed since."""
    page = render_cache().kept(inputs.key) if inputs.key is not None else None
    if page is None or any(static_digest(name) != digest for name, digest in page.assets):
        return None
    # Gzipped whenever the browser takes it (every browser does), even one preferring brotli: brotli
    # cannot be spliced, and compressing the whole page again on every request cost more than all the
    # rest of it (0.9 ms at 88 cards, 4 ms at 1,000); gzip's bytes are a little more.
    gzipped = accepts_gzip()
    etag = f"{page.etag}:gzip" if gzipped else page.etag  # as Flask-Compress tags what it compresses
    if request.if_none_match.contains(etag):
        response = make_response(b"", 304)
    else:
        token = generate_csrf().encode() if len(page.head) > 1 or len(page.tail) > 1 else b""
        clock_html = drawn_at(clock.now()).encode() if page.body.clocked else b""
        head, tail = token.join(page.head), token.join(page.tail)
        if gzipped:
            before, after = page.body.gzip_parts
            response = make_response(gzip_spliced([head, before, clock_html, after, tail]))
            response.headers["Content-Encoding"] = "gzip"  # (so Flask-Compress leaves it as it is)
        else:
            response = make_response(b"".join((head, page.body.before, clock_html, page.body.after, tail)))
            if page.compress_key:
                g.body_digest = page.compress_key
    response.set_etag(etag)
    response.vary.update(("Cookie", "Accept-Encoding"))
    return response


def _board_body(plan: Plan, viewer: Viewer, filters: BoardFilterForm, context: dict, kept: bool) -> BoardBody:
    """The page below the clinic banners, kept rendered under a key holding everything it shows, so a
    board nobody changed is not rendered again: the plan's row (title, header, change counter: every
    change to a card counts), the plans to switch to, the areas with their counters, the counts, the
    lanes' own HTML, today's date, the filters as asked (the raw query too) and as applied, the view and
    this request's URLs, who looks (the user and their role, or the share link) and what they may ask.
    The clock is left as a slot and filled here; a page with a notice, a filter error or a clinic banner
    (its forms carry a CSRF token) is rendered fresh and not kept (`kept`)."""
    summary, user = context["board"], viewer.user

    def render() -> KeptBody:
        return KeptBody(render_template("partials/board_body.html", **context, clock_slot=CLOCK_SLOT))

    if kept:
        key = ("board body", request.script_root, request.query_string, viewer.share_token, viewer.plan_archived,
               getattr(user, "id", None), getattr(user, "role", None), getattr(user, "is_authenticated", False),
               repr([getattr(plan, column.key) for column in Plan.__table__.columns]),
               () if viewer.read_only else tuple((p.id, p.slug, p.live, p.archived) for p in install_plans()),
               tuple((area.id, area.number, area.title, area.changed_at_counter) for area in summary.all_areas),
               tuple(sorted(summary.lanes.items())), tuple((role.id, role.name) for role in summary.owner_roles),
               summary.today, repr(summary.filter), repr(context["ui"]), context["ask_url"], context["stale_days"],
               tuple(context["lanes"]))
        body = render_cache().html(key, render)
    else:
        body = render()
    return BoardBody(body, drawn_at(context["shown_at"]), shared=kept)


def drawn_at(shown_at) -> str:
    """The board page's clock ("Shown as at <time>...</time>") as rendered: the one part of the page that
    changes when nothing else did, so it is left out of the page's ETag."""
    return f"<time>{clock.local_time(shown_at, '%H:%M:%S')}</time>"


def lane_update(plan: Plan, area_id: int, viewer: Viewer, filters: BoardFilterForm, **notices) -> dict | None:
    """One lane and fresh counts (after a move or a reason), reading only that area's cards (the other
    areas' counts come from the cache); None when the filters hide the lane."""
    rendered = _render_board(plan, viewer, filters, {area_id}, **notices)
    if not rendered.lanes:
        return None
    return {"board": rendered.summary, "lane": rendered.lanes[0], "ui": rendered.ui}


def one_card(plan: Plan, ref: str, viewer: Viewer, filters: BoardFilterForm) -> dict | None:
    """One card as the board shows it (closing an inline form puts it back); None if not shown. Reads
    only its area's cards (the card needs no counts of the others)."""
    area_id = area_id_of(plan, ref)
    if area_id is None:
        return None
    board = load_board(plan, board_filter=filters.board_filter(viewer.user), only_area_ids={area_id},
                       committee=viewer.read_only)
    found = next((card for lane in board.swimlanes for cards in lane.columns.values() for card in cards
                  if card.ref == ref), None)
    if found is None:
        return None
    return {"board": board, "action": found, "ui": board_ui(viewer, filters, board)}


def changed_lanes(plan: Plan, area_ids: set[int], viewer: Viewer, filters: BoardFilterForm) -> dict:
    """Lanes swapped in out of band, with fresh counts and the next poll (live refresh, or the card
    behind the detail panel after an inline change)."""
    rendered = _render_board(plan, viewer, filters, area_ids, oob=True)
    return {"board": rendered.summary, "lanes": rendered.lanes, "ui": rendered.ui}


def board_changes(plan: Plan, viewer: Viewer, query: BoardChangesForm) -> dict | None:
    """The live refresh: None when nothing changed since the page's counter (`since`), else the
    lanes changed after it."""
    since = query.cleaned("since")
    if since == plan.change_counter:
        return None
    return changed_lanes(plan, changed_area_ids(plan, -1 if since is None else since), viewer, query)
