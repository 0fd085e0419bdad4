"""The board page, its live refresh, each action's detail, and single cards and lanes for htmx."""
from __future__ import annotations

from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from board.clock import today
from board.database import database_ok
from board.forms import ConfirmForm
from board.htmx import is_htmx_request, render_page_or_partial
from board.plan.filters import (
    DUE_WITHIN_CHOICES,
    board_filter_from_request,
    current_board_args,
    query_string,
)
from board.security import detail_url, is_read_only, may, role_required
from board.services.board_view import (
    actions_by_refs,
    current_plan,
    load_action,
    load_board,
)
from board.services.clinics import open_clinic
from board.services.evidence import due_history, latest_comment, notes_for
from board.services.history import timeline
from board.services.moves import pending_reason
from models import Area, Plan, Role, db

plan_bp = Blueprint("plan", __name__)


def plan_or_404() -> Plan:
    plan = current_plan()
    if plan is None:
        abort(404, description="No plan has been imported yet: run `flask --app app import-plan PATH`.")
    return plan


def board_context(board) -> dict:
    """What every board template needs; per-card URLs are built from prefixes once per render."""
    args = current_board_args()
    board.can_move = may("editor")
    detail = detail_url("REF")
    board.detail_prefix = detail[: detail.rindex("REF")]
    board.filter_query = query_string(args)
    board.move_next = quote(url_for("plan.board") + board.filter_query, safe="")
    return {"board": board, "filter_query": query_string(args), "filter_args": args,
            "due_choices": DUE_WITHIN_CHOICES,
            "poll_seconds": current_app.config["BOARD_POLL_SECONDS"]}


def render_board(plan: Plan, explain_event=None, reason_problem=None):
    board = load_board(plan, board_filter=board_filter_from_request())
    board.explain_event, board.reason_problem = explain_event, reason_problem
    clinic = None if is_read_only() else open_clinic(plan)
    confirm = ConfirmForm() if clinic else None  # a form makes a CSRF token: never on share pages
    return render_template("board.html", clinic=clinic, confirm=confirm, **board_context(board))


def render_lane(plan: Plan, area_id: int, status: int = 200, **notices):
    """One swimlane as the board shows it with the requester's filters, and fresh counts (htmx)."""
    board = load_board(plan, board_filter=board_filter_from_request())
    for name, value in notices.items():
        setattr(board, name, value)
    lane = board.lane(area_id)
    if lane is None:  # filtered out of the requester's board
        return make_response("", 204)
    return make_response(render_template("partials/lane_update.html", lane=lane, **board_context(board)),
                         status)


def action_or_404(plan: Plan, ref: str):
    return load_action(plan, ref) or abort(404, description=f"There is no action {ref} in this plan.")


def detail_context(plan: Plan, action, **forms) -> dict:
    """Everything an action's detail shows, and its inline forms (fresh unless given with errors)."""
    from board.evidence.forms import DueChangeForm, NoteForm

    return {
        "plan": plan, "action": action, "today": today(),
        "see_also": actions_by_refs(plan, action.see_also), "history": timeline(action),
        "notes": notes_for(action), "due_changes": due_history(action),
        "impact": latest_comment(action.outcome),
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "due_form": forms.get("due_form") or DueChangeForm(formdata=None),
    }


def lane_out_of_band(plan: Plan, area_id: int) -> str:
    """One lane and fresh counts as out-of-band swaps, for answers about something else."""
    board = load_board(plan, board_filter=board_filter_from_request())
    lanes = [lane for lane in board.swimlanes if lane.area.id == area_id]
    return render_template("partials/board_changes.html", lanes=lanes, **board_context(board))


def render_action_detail(plan: Plan, ref: str):
    action = action_or_404(plan, ref)
    return render_page_or_partial("action.html", "partials/action_detail.html",
                                  **detail_context(plan, action))


@plan_bp.get("/")
@role_required(Role.VIEWER)
def board():
    """The whole plan as a board: area swimlanes by status columns, filtered by the URL query."""
    explain = request.args.get("explain", "")
    pending = pending_reason(int(explain), current_user) if explain.isdigit() else None
    return render_board(plan_or_404(), explain_event=pending)


@plan_bp.get("/healthz")
def healthz():
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    if database_ok(db.session):
        return {"status": "ok", "database": "ok"}, 200
    return {"status": "unavailable", "database": "unreachable"}, 503


@plan_bp.get("/board/changes")
@role_required(Role.VIEWER)
def board_changes():
    """Live refresh: 204 when nothing changed since `since`, else the changed lanes out of band.

    The "nothing changed" answer costs one small query after the session's user.
    """
    return changes_since(plan_or_404())


def changes_since(plan: Plan):
    since = request.args.get("since", "")
    counter = plan.change_counter
    if since.isdigit() and int(since) == counter:
        return "", 204
    changed = set(db.session.scalars(select(Area.id).where(
        Area.plan_id == plan.id, Area.changed_at_counter > (int(since) if since.isdigit() else -1))))
    board = load_board(plan, board_filter=board_filter_from_request())
    lanes = [lane for lane in board.swimlanes if lane.area.id in changed]
    return render_template("partials/board_changes.html", lanes=lanes, **board_context(board))


@plan_bp.get("/actions/<ref>")
@role_required(Role.VIEWER)
def action_detail(ref: str):
    """One action's whole story: a side panel for htmx, its own page otherwise."""
    return render_action_detail(plan_or_404(), ref)


@plan_bp.get("/actions/<ref>/card")
@role_required(Role.VIEWER)
def card(ref: str):
    """One card as the board shows it (closing an inline form puts the card back)."""
    plan = plan_or_404()
    board = load_board(plan, board_filter=board_filter_from_request())
    found = next((c for lane in board.swimlanes for cards in lane.columns.values() for c in cards
                  if c.ref == ref), None) or abort(404)
    if not is_htmx_request():
        anchor = f"#card-{ref.replace('.', '-')}"
        return redirect(url_for("plan.board") + query_string(current_board_args()) + anchor, 303)
    return render_template("partials/card.html", action=found, **board_context(board))


@plan_bp.get("/areas/<int:number>/lane")
@role_required(Role.VIEWER)
def lane(number: int):
    """One swimlane (the board re-syncs a lane with it when a move could not be sent)."""
    plan = plan_or_404()
    area = db.session.scalars(select(Area).where(Area.plan_id == plan.id, Area.number == number)).first()
    if area is None:
        abort(404)
    return render_lane(plan, area.id)

