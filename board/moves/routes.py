"""Moving cards (drag-and-drop and the keyboard "Move to" form) and explaining status changes."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from board.clock import local_time
from board.htmx import is_htmx_request, render_page_or_partial
from board.moves.forms import MoveForm, ReasonForm
from board.plan.filters import current_board_args, query_string
from board.plan.routes import plan_or_404, render_board, render_lane
from board.security import role_required, safe_next
from board.services.history import unexplained_moves
from board.services.moves import (
    MoveConflict,
    MoveRefused,
    move_action,
    record_reason,
    resolve_position,
)
from models import Action, ActionEvent, Area, Role, Status, db

moves_bp = Blueprint("moves", __name__)


def _action_or_404(plan, ref: str) -> Action:
    return db.session.scalars(select(Action).where(Action.plan_id == plan.id, Action.ref == ref)).first() \
        or abort(404, description=f"There is no action {ref} in this plan.")


def _back_to_board(ref: str, **extra) -> str:
    """The board the person came from (filters kept), scrolled to the card."""
    target = safe_next(request.form.get("next") or request.args.get("next"), url_for("plan.board"))
    if extra:
        target += ("&" if "?" in target else "?") + "&".join(f"{k}={v}" for k, v in extra.items())
    return f"{target}#card-{ref.replace('.', '-')}"


def _announce(response, message: str, ref: str):
    """Tell the page what happened (live region) and which card to focus, after htmx settles."""
    response.headers["HX-Trigger-After-Settle"] = json.dumps(
        {"board-announce": {"message": message, "focus": f"card-{ref.replace('.', '-')}",
                            "target": "body"}})
    return response


def conflict_message(conflict: MoveConflict) -> str:
    action, event = conflict.action, conflict.by_event
    label = Status(action.status).label
    if event is None:
        return f"{action.ref} changed since you loaded the board (it is now {label}); your move was not applied."
    verb = f"moved to {label}" if event.kind == "status" else "reordered"
    return (f"{action.ref} was {verb} by {event.actor_name} at {local_time(event.at)}; "
            "your move was not applied.")


@moves_bp.route("/actions/<ref>/move", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def move(ref: str):
    """Move a card: new status and/or position. GET shows the keyboard form."""
    plan = plan_or_404()
    action = _action_or_404(plan, ref)
    form = MoveForm(status=action.status, version=action.version, area=action.area.number,
                    next=request.args.get("next") or (url_for("plan.board") + query_string(current_board_args())))
    if request.method == "GET":
        return render_page_or_partial("move.html", "partials/move_form.html", action=action, form=form)
    if not form.validate_on_submit():
        if is_htmx_request() and not request.form.get("from_form"):
            abort(400, description="That move could not be read.")
        return render_page_or_partial("move.html", "partials/move_form.html", status=422,
                                      action=action, form=form)
    area = db.session.scalars(select(Area).where(Area.plan_id == plan.id,
                                                 Area.number == form.area.data)).first() \
        if form.area.data is not None else action.area
    position = resolve_position(action, form.status.data, position=form.position.data,
                                before_ref=form.before.data, after_ref=form.after.data,
                                direction=form.direction.data)
    try:
        result = move_action(action, form.status.data, position, form.version.data, current_user,
                             to_area_id=area.id if area else -1)
    except MoveRefused as refused:
        return _refused(plan, action, str(refused), 422)
    except MoveConflict as conflict:
        return _refused(plan, conflict.action, conflict_message(conflict), 409)
    message = _moved_message(result)
    if is_htmx_request():
        response = render_lane(plan, action.area_id,
                               explain_event=result.event if result.status_changed else None)
        return _announce(response, message, ref)
    flash(message, "success")
    extra = {"explain": result.event.id} if result.status_changed else {}
    return redirect(_back_to_board(ref, **extra), 303)


def _moved_message(result) -> str:
    action = result.action
    if result.event is None:
        return f"{action.ref} stayed where it was."
    if result.status_changed:
        return f"{action.ref} moved to {Status(action.status).label}."
    return f"{action.ref} moved to position {action.position + 1} in {Status(action.status).label}."


def _refused(plan, action: Action, message: str, status: int):
    """Nothing was applied: show the card as it is now, with the reason."""
    if is_htmx_request():
        response = render_lane(plan, action.area_id, status=status, conflict_message=message,
                               conflict_area_id=action.area_id)
        return _announce(response, message, action.ref)
    flash(message, "error")
    form = MoveForm(status=action.status, version=action.version, area=action.area.number,
                    next=request.form.get("next"))
    return render_template("move.html", action=action, form=form, problem=message), status


@moves_bp.post("/moves/<int:event_id>/reason")
@role_required(Role.EDITOR)
def reason(event_id: int):
    """Record the one-line reason for a status change (as a new history entry)."""
    plan = plan_or_404()
    move_event = db.session.get(ActionEvent, event_id) or abort(404)
    if move_event.user_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(403)
    action = db.session.get(Action, move_event.action_id)
    form = ReasonForm()
    problem = None
    if form.validate_on_submit():
        try:
            record_reason(move_event, form.reason.data, current_user)
        except MoveRefused as refused:
            problem = str(refused)
    else:
        problem = next(iter(form.errors.values()))[0]
    if problem:
        if is_htmx_request():
            return render_lane(plan, action.area_id, status=422, explain_event=move_event,
                               reason_problem=problem)
        return render_board(plan, explain_event=move_event, reason_problem=problem), 422
    message = f"Reason saved for {action.ref}."
    if is_htmx_request():
        return _announce(render_lane(plan, action.area_id), message, action.ref)
    flash(message, "success")
    return redirect(_back_to_board(action.ref), 303)


@moves_bp.get("/moves/unexplained")
@role_required(Role.ADMIN)
def unexplained():
    """Status changes nobody explained, for the plan owner to follow up."""
    plan = plan_or_404()
    return render_template("unexplained.html", moves=unexplained_moves(plan.id))

