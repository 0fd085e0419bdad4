"""The board page, its live refresh, each action's detail, and single cards and lanes for htmx."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import select

from board.database import database_ok, read_in_autocommit
from board.forms import BoardChangesForm, BoardFilterForm, BoardPageForm
from board.htmx import is_htmx_request, render_page_or_partial
from board.security import role_required, session_claims_a_user
from board.services.board_view import action_query
from board.services.moves import pending_reason
from board.speed import conditional
from board.views import board as board_views
from board.views.board import card_dom_id
from board.views.detail import action_detail as detail_context
from board.views.viewer import current_viewer, plan_for_request, request_plan_counter
from models import Area, Role, db

plan_bp = Blueprint("plan", __name__)

# Requests that only read (a session's "last seen" is one statement): the board and its poll, the most
# frequent requests there are.
READ_ONLY = {"plan.board", "plan.board_changes"}


@plan_bp.before_request
def _read_only_requests() -> None:
    if request.endpoint in READ_ONLY:
        read_in_autocommit(db.session())


@plan_bp.get("/")
@role_required(Role.VIEWER)
def board():
    """The whole plan as a board: area swimlanes by status columns, filtered by the URL query. A page
    nobody changed is sent as it was kept (`kept_board_page`), with this request's token and clock."""
    plan, viewer = plan_for_request(), current_viewer()
    inputs = board_views.board_page_inputs(plan, viewer)
    kept = board_views.kept_board_page(inputs)
    if kept is not None:
        return kept
    query = BoardPageForm.from_query()
    explain = query.cleaned("explain")
    context = board_views.board_page(plan, viewer, query, read=inputs,
                                     explain_event=pending_reason(explain, current_user) if explain else None)
    if query.errors:
        return render_template("board.html", **context), 422
    if query.cleaned("view"):  # remembered: the next visit to the board opens the same view
        response = make_response(render_template("board.html", **context))
        response.set_cookie(board_views.VIEW_COOKIE, query.cleaned("view"), max_age=365 * 24 * 3600,
                            httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response
    return board_views.board_response("board.html", context, inputs)


@plan_bp.get("/healthz")
def healthz():
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    if database_ok(db.session):
        return {"status": "ok", "database": "ok"}, 200
    return {"status": "unavailable", "database": "unreachable"}, 503


@plan_bp.get("/board/changes")
def board_changes():
    """Live refresh: 204 when nothing changed since `since`, else the changed lanes out of band.

    "Nothing changed" is answered from the session cookie and one query (the plan's counter), without
    loading the user: it tells nobody anything. Every answer carrying lanes signs the user in fully
    (an ended session or a deactivated account gets none)."""
    since = request.args.get("since", "")
    if session_claims_a_user() and since.isdigit() and len(since) < 20:
        # The counter is all "nothing changed" needs: the form (filters) is read only for an answer with lanes.
        counter = request_plan_counter()
        if counter is not None and int(since) == counter:
            return "", 204
    return _changed_lanes(BoardChangesForm.from_query())


@role_required(Role.VIEWER)
def _changed_lanes(query: BoardChangesForm):
    context = board_views.board_changes(plan_for_request(), current_viewer(), query)
    return ("", 204) if context is None else render_template("partials/board_changes.html", **context)


@plan_bp.get("/actions/<ref>")
@role_required(Role.VIEWER)
def action_detail(ref: str):
    """One action's whole story: a side panel for htmx, its own page otherwise."""
    plan = plan_for_request()
    action = db.first_or_404(action_query(plan, ref), description=f"There is no action {ref} in this plan.")
    context = detail_context(plan, action, current_viewer(), BoardFilterForm.from_query())
    return conditional(render_page_or_partial("action.html", "partials/action_detail.html", **context))


@plan_bp.get("/actions/<ref>/card")
@role_required(Role.VIEWER)
def card(ref: str):
    """One card as the board shows it (closing an inline form puts the card back)."""
    filters = BoardFilterForm.from_query()
    if not is_htmx_request():
        return redirect(current_viewer().url("plan.board") + filters.query_string() + "#" + card_dom_id(ref), 303)
    context = board_views.one_card(plan_for_request(), ref, current_viewer(), filters) or abort(404)
    return render_template("partials/card.html", **context)


@plan_bp.get("/areas/<int:number>/lane")
@role_required(Role.VIEWER)
def lane(number: int):
    """One swimlane (the board re-syncs a lane with it when a move could not be sent)."""
    plan = plan_for_request()
    area = db.first_or_404(select(Area).where(Area.plan_id == plan.id, Area.number == number))
    context = board_views.lane_update(plan, area.id, current_viewer(), BoardFilterForm.from_query())
    if context is None:  # filtered out of the requester's board
        return make_response("", 204)
    return render_template("partials/lane_update.html", **context)
