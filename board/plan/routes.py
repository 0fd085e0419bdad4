"""The board page and each action's detail, for signed-in users."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from board.htmx import render_page_or_partial
from board.security import role_required
from board.services.board_view import actions_by_refs, current_plan, load_action, load_board
from board.services.clock import today
from models import Role

plan_bp = Blueprint("plan", __name__)


def _plan_or_404():
    plan = current_plan()
    if plan is None:
        abort(404, description="No plan has been imported yet: run `flask --app app import-plan PATH`.")
    return plan


def render_board(plan):
    return render_template("board.html", board=load_board(plan))


def render_action_detail(plan, ref: str):
    action = load_action(plan, ref)
    if action is None:
        abort(404, description=f"There is no action {ref} in this plan.")
    return render_page_or_partial(
        "action.html", "partials/action_detail.html",
        plan=plan, action=action, see_also=actions_by_refs(plan, action.see_also), today=today(),
    )


@plan_bp.get("/")
@role_required(Role.VIEWER)
def board():
    """The whole plan as a board: area swimlanes by status columns."""
    return render_board(_plan_or_404())


@plan_bp.get("/actions/<ref>")
@role_required(Role.VIEWER)
def action_detail(ref: str):
    """One action's whole story: a side panel for htmx, its own page otherwise."""
    return render_action_detail(_plan_or_404(), ref)
