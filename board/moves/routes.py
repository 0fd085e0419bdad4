"""Moving cards (drag-and-drop and the keyboard "Move to" form) and explaining status changes."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from board.forms import BoardFilterForm
from board.htmx import announce, is_htmx_request, render_page_or_partial
from board.moves.forms import MoveForm, ReasonForm
from board.security import role_required, safe_next
from board.services.history import unexplained_moves
from board.services.moves import (
    Evidence,
    EvidenceNeeded,
    MoveConflict,
    MoveRefused,
    move_action,
    record_reason,
    resolve_position,
)
from board.views import board as board_views
from board.views.board import OpenMoveForm, card_dom_id
from board.views.moves import conflict_message, moved_message
from board.views.viewer import current_viewer, plan_for_request
from models import Action, ActionEvent, Area, EventKind, Role, db

moves_bp = Blueprint("moves", __name__)
# Built once: every move asks it first (building it cost more than running it); with its area, which the
# form names.
_ACTION_BY_REF = (select(Action).options(joinedload(Action.area))
                  .where(Action.plan_id == bindparam("plan_id"), Action.ref == bindparam("ref")))


def _back_to_board(filters: BoardFilterForm, back: str | None, ref: str, **extra) -> str:
    """The board the person came from (`back`, already checked, else the board with the filters),
    scrolled to the card."""
    target = back or url_for("plan.board") + filters.query_string()
    if extra:
        target += ("&" if "?" in target else "?") + "&".join(f"{k}={v}" for k, v in extra.items())
    return f"{target}#{card_dom_id(ref)}"


def _lane(area_id: int, filters: BoardFilterForm, status: int = 200, **notices):
    """The lane as the requester's board shows it, with fresh counts; 204 when their filters hide it."""
    context = board_views.lane_update(plan_for_request(), area_id, current_viewer(), filters, **notices)
    if context is None:
        return make_response("", 204)
    return make_response(render_template("partials/lane_update.html", **context), status)


@moves_bp.route("/actions/<ref>/move", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def move(ref: str):
    """Move a card: new status and/or position. GET shows the keyboard form."""
    plan = plan_for_request()
    action = db.session.scalars(_ACTION_BY_REF, {"plan_id": plan.id, "ref": ref}).first() or \
        abort(404, description=f"There is no action {ref} in this plan.")
    filters = BoardFilterForm.from_query()
    form = MoveForm(status=action.status, version=action.version, area=action.area.number,
                    next=safe_next(request.args.get("next"), url_for("plan.board") + filters.query_string()))
    context = {"action": action, "form": form, "filter_query": filters.query_string()}
    if request.method == "GET":
        return render_page_or_partial("move.html", "partials/move_form.html", **context)
    if not form.validate_on_submit():
        if is_htmx_request() and not request.form.get("from_form"):
            abort(400, description="That move could not be read.")
        return _form_again(action, form, filters, "The move was not applied: see the form.")
    # The card's own area (read for the form) unless the move names another.
    area = (action.area if form.area.data in (None, action.area.number) else
            db.session.scalars(select(Area).where(Area.plan_id == plan.id, Area.number == form.area.data)).first())
    position = resolve_position(action, form.status.data, position=form.position.data,
                                before_ref=form.before.data, after_ref=form.after.data,
                                direction=form.direction.data)
    evidence = Evidence(form.evidence.data, form.evidence_link.data) if form.evidence.data else None
    area_id = action.area_id  # read before the commit expires the action (a card never changes area)
    try:
        result = move_action(action, form.status.data, position, form.version.data, current_user,
                             to_area_id=area.id if area else -1, evidence=evidence)
    except EvidenceNeeded as needed:
        return _ask_evidence(action, form, filters, str(needed))
    except MoveRefused as refused:
        return _refused(action, filters, str(refused), 422)
    except MoveConflict as conflict:
        return _refused(conflict.action, filters, conflict_message(conflict), 409)
    message = moved_message(result)
    if is_htmx_request():
        response = _lane(area_id, filters, explain_event=result.event if result.status_changed else None)
        return announce(response, message, focus=card_dom_id(ref))
    flash(message, "success")
    extra = {"explain": result.event.id} if result.status_changed else {}
    return redirect(_back_to_board(filters, form.next.data, ref, **extra), 303)


def _ask_evidence(action: Action, form: MoveForm, filters: BoardFilterForm, message: str):
    """Nothing was applied: the card stays where it was, its move form asking for the evidence (the
    status and the drop's place kept, so sending the evidence completes the same move)."""
    form.evidence.errors = [message]
    return _form_again(action, form, filters, message)


def _form_again(action: Action, form: MoveForm, filters: BoardFilterForm, message: str):
    """The move form back with what was sent and its messages (422): open on the card in its lane for
    htmx, its own page otherwise."""
    if is_htmx_request():
        response = _lane(action.area_id, filters, status=422, open_move_form=OpenMoveForm(action.id, action.area_id, form))
        return announce(response, message, focus=card_dom_id(action.ref))
    return render_template("move.html", action=action, form=form, filter_query=filters.query_string(),
                           problem=message), 422


def _refused(action: Action, filters: BoardFilterForm, message: str, status: int):
    """Nothing was applied: show the card as it is now, with the reason."""
    if is_htmx_request():
        response = _lane(action.area_id, filters, status=status, conflict_message=message,
                         conflict_area_id=action.area_id)
        return announce(response, message, focus=card_dom_id(action.ref))
    flash(message, "error")
    form = MoveForm(status=action.status, version=action.version, area=action.area.number,
                    next=safe_next(request.form.get("next"), None))
    return render_template("move.html", action=action, form=form, problem=message,
                           filter_query=filters.query_string()), status


@moves_bp.post("/moves/<int:event_id>/reason")
@role_required(Role.EDITOR)
def reason(event_id: int):
    """Record the one-line reason for a status change (as a new history entry)."""
    plan = plan_for_request()
    move_event = db.get_or_404(ActionEvent, event_id)
    if move_event.action.plan_id != plan.id:
        abort(404)
    if move_event.kind is not EventKind.STATUS:
        abort(404, description="Only a change of status takes a reason.")
    if move_event.user_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(403)
    action = db.session.get(Action, move_event.action_id)
    filters = BoardFilterForm.from_query()
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
        notices = {"explain_event": move_event, "reason_problem": problem}
        if is_htmx_request():
            return _lane(action.area_id, filters, status=422, **notices)
        context = board_views.board_page(plan, current_viewer(), filters, **notices)
        return render_template("board.html", **context), 422
    message = f"Reason saved for {action.ref}."
    if is_htmx_request():
        return announce(_lane(action.area_id, filters), message, focus=card_dom_id(action.ref))
    flash(message, "success")
    return redirect(_back_to_board(filters, form.next.data, action.ref), 303)


@moves_bp.get("/moves/unexplained")
@role_required(Role.ADMIN)
def unexplained():
    """Status changes nobody explained, for the plan owner to follow up."""
    return render_template("unexplained.html", moves=unexplained_moves(plan_for_request().id))
