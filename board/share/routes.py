"""The committee's read-only view through a share link: no sign-in, no forms, nothing to change."""
from __future__ import annotations

from flask import Blueprint, abort, g

from board.clock import today
from board.evidence.routes import render_outcome, render_outcomes
from board.plan.routes import changes_since, render_action_detail, render_board
from board.reports.routes import render_report
from board.services import share_links
from board.services.board_view import current_plan

share_bp = Blueprint("share", __name__, url_prefix="/share")


@share_bp.url_value_preprocessor
def _open_link(endpoint, values):
    """Check the token before any share view runs; mark the request read-only."""
    token = (values or {}).get("token", "")
    link = share_links.find_link(token)
    if link is None:
        g.share_token = token  # render the refusal without forms or CSRF tokens
        abort(404, description="This link is not valid. Ask the plan owner for a new one.")
    state = link.state(today())
    g.share_token = token
    g.share_link = link
    if state != "active":
        abort(410, description=f"This link is no longer valid (it was {state}). "
                               "Ask the plan owner for a new one.")


@share_bp.get("/<token>/")
def board(token: str):
    """The whole board, read-only."""
    share_links.record_open(g.share_link)
    return render_board(current_plan() or abort(404))


@share_bp.get("/<token>/changes")
def changes(token: str):
    """Live refresh for the read-only board (204 when nothing changed)."""
    return changes_since(current_plan() or abort(404))


@share_bp.get("/<token>/outcomes")
def outcomes(token: str):
    """Every outcome with its impact comments, read-only."""
    return render_outcomes(current_plan() or abort(404))


@share_bp.get("/<token>/outcomes/<int:outcome_id>")
def outcome(token: str, outcome_id: int):
    """One outcome's whole comment history, read-only."""
    return render_outcome(current_plan() or abort(404), outcome_id)


@share_bp.get("/<token>/report")
def report(token: str):
    """The committee highlight report, read-only."""
    return render_report(current_plan() or abort(404))


@share_bp.get("/<token>/actions/<ref>")
def action_detail(token: str, ref: str):
    """One action's detail, read-only."""
    return render_action_detail(current_plan() or abort(404), ref)

