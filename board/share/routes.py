"""The committee's read-only view through a share link: no sign-in, no forms, nothing to change.

The same views as the signed-in pages build each page; the viewer (a share link) makes every link
stay inside the share pages and every control to change something disappear.
"""
from __future__ import annotations

from flask import Blueprint, abort, g, make_response, render_template

from board.clock import today
from board.forms import BoardChangesForm, BoardFilterForm, BoardPageForm
from board.htmx import render_page_or_partial
from board.reports.forms import ReportPeriodForm
from board.services import share_links
from board.services.board_view import action_query
from board.services.outcomes import outcome_query
from board.speed import conditional
from board.views import board as board_views
from board.views.detail import action_detail as detail_context
from board.views.outcomes import outcome_page, outcomes_page
from board.views.reports import report_page
from board.views.viewer import current_viewer, plan_for_request
from models import db

share_bp = Blueprint("share", __name__, url_prefix="/share")


@share_bp.url_value_preprocessor
def _open_link(endpoint, values):
    """Check the token before any share view runs; mark the request read-only."""
    token = (values or {}).get("token", "")
    link = share_links.find_link(token)
    g.share_token = token  # even a refusal renders without forms or CSRF tokens
    if link is None:
        abort(404, description="This link is not valid. Ask the plan owner for a new one.")
    g.share_link = link
    state = link.state(today())
    if state != "active":
        abort(410, description=f"This link is no longer valid (it was {state}). "
                               "Ask the plan owner for a new one.")


@share_bp.get("/<token>/")
def board(token: str):
    """The whole board, read-only."""
    share_links.record_open(g.share_link)
    query = BoardPageForm.from_query()
    context = board_views.board_page(plan_for_request(), current_viewer(), query)
    response = make_response(render_template("board.html", **context), 422 if query.errors else 200)
    return conditional(response, ignore=board_views.drawn_at(context)) if response.status_code == 200 else response


@share_bp.get("/<token>/changes")
def changes(token: str):
    """Live refresh for the read-only board (204 when nothing changed)."""
    context = board_views.board_changes(plan_for_request(), current_viewer(), BoardChangesForm.from_query())
    return ("", 204) if context is None else render_template("partials/board_changes.html", **context)


@share_bp.get("/<token>/outcomes")
def outcomes(token: str):
    """Every outcome with its impact comments, read-only."""
    return render_template("evidence/outcomes.html", **outcomes_page(plan_for_request(), current_viewer()))


@share_bp.get("/<token>/outcomes/<int:outcome_id>")
def outcome(token: str, outcome_id: int):
    """One outcome's whole comment history, read-only."""
    plan = plan_for_request()
    found = db.first_or_404(outcome_query(plan, outcome_id))
    return render_template("evidence/outcome.html", **outcome_page(plan, found, current_viewer()))


@share_bp.get("/<token>/report")
def report(token: str):
    """The committee highlight report, read-only."""
    period = ReportPeriodForm.from_query()
    return render_template("reports/report.html", **report_page(plan_for_request(), period)), \
        422 if period.errors else 200


@share_bp.get("/<token>/actions/<ref>")
def action_detail(token: str, ref: str):
    """One action's detail, read-only."""
    plan = plan_for_request()
    action = db.first_or_404(action_query(plan, ref), description=f"There is no action {ref} in this plan.")
    context = detail_context(plan, action, current_viewer(), BoardFilterForm.from_query())
    return conditional(render_page_or_partial("action.html", "partials/action_detail.html", **context))
