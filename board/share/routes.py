"""The committee's read-only view through a share link: no sign-in, no forms, nothing to change.

A link shows either the live board (its detail, outcomes and live report) or one publication (its
versions, their PDFs and the board as it was), and says plainly which. The same views as the signed-in
pages build each page; the viewer (a share link) keeps every link inside the share pages, shows people
by role unless the plan owner opened the link to names, and hides withdrawn and internal notes.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, url_for

from board.clock import today
from board.forms import BoardChangesForm, BoardFilterForm, BoardPageForm
from board.htmx import is_htmx_request, render_page_or_partial
from board.reports.forms import ReportPeriodForm
from board.services import publications, share_links
from board.services.board_view import action_query
from board.services.outcomes import outcome_query
from board.speed import conditional
from board.views import board as board_views
from board.views import publications as paper_views
from board.views.detail import action_detail as detail_context
from board.views.outcomes import outcome_page, outcomes_page
from board.views.reports import committee_glossary, report_page
from board.views.viewer import current_viewer, plan_for_request
from models import Publication, db

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


def _glossary() -> dict:
    return {"page_glossary": committee_glossary(plan_for_request(), current_app.config["BOARD_STALE_DAYS"])}


def _live_only() -> None:
    if g.share_link.publication_id is not None:
        abort(404, description="This link shows one publication as it was published, not the live board.")


def _pinned(version: int | None = None) -> Publication:
    """The publication the link is pinned to: its latest version (a correction replaces what was pinned),
    or the version asked for."""
    pinned = g.share_link.publication
    if pinned is None:
        abort(404, description="This link shows the live board, not a publication.")
    return publications.find_publication(plan_for_request(), pinned.number, version) or abort(
        404, description=f"Publication {pinned.number} has no version {version}.")


def _urls(token: str) -> paper_views.PaperUrls:
    return paper_views.PaperUrls(
        version=lambda version: url_for("share.version", token=token, version=version),
        pdf=lambda version: url_for("share.pdf", token=token, version=version),
        board=lambda version: url_for("share.board_then", token=token, version=version))


def _paper(token: str, version: int | None = None):
    found = _pinned(version)
    return render_template("publications/publication.html", **paper_views.paper_page(found, current_viewer(),
                                                                                      _urls(token)))


@share_bp.get("/<token>/")
def board(token: str):
    """The whole board, read-only; or, for a link pinned to a publication, that publication."""
    share_links.record_open(g.share_link)
    if g.share_link.publication_id is not None:
        return _paper(token)
    query = BoardPageForm.from_query()
    context = board_views.board_page(plan_for_request(), current_viewer(), query)
    if query.errors:
        return render_template("board.html", **context, **_glossary()), 422
    return board_views.board_response("board.html", context, **_glossary())


@share_bp.get("/<token>/changes")
def changes(token: str):
    """Live refresh for the read-only board (204 when nothing changed)."""
    _live_only()
    context = board_views.board_changes(plan_for_request(), current_viewer(), BoardChangesForm.from_query())
    return ("", 204) if context is None else render_template("partials/board_changes.html", **context)


@share_bp.get("/<token>/outcomes")
def outcomes(token: str):
    """Every outcome with its impact comments, read-only."""
    _live_only()
    return render_template("evidence/outcomes.html", **outcomes_page(plan_for_request(), current_viewer()),
                           **_glossary())


@share_bp.get("/<token>/outcomes/<int:outcome_id>")
def outcome(token: str, outcome_id: int):
    """One outcome's whole comment history, read-only."""
    _live_only()
    plan = plan_for_request()
    found = db.first_or_404(outcome_query(plan, outcome_id))
    return render_template("evidence/outcome.html", **outcome_page(plan, found, current_viewer()), **_glossary())


@share_bp.get("/<token>/report")
def report(token: str):
    """The committee highlight report, read-only: live for the link's period, or the pinned publication."""
    if g.share_link.publication_id is not None:
        return _paper(token)
    period = ReportPeriodForm.from_query()
    return render_template("reports/report.html", **report_page(plan_for_request(), period, current_viewer())), \
        422 if period.errors else 200


@share_bp.get("/<token>/actions/<ref>")
def action_detail(token: str, ref: str):
    """One action's detail, read-only."""
    _live_only()
    plan = plan_for_request()
    action = db.first_or_404(action_query(plan, ref), description=f"There is no action {ref} in this plan.")
    context = detail_context(plan, action, current_viewer(), BoardFilterForm.from_query())
    if not is_htmx_request():
        context.update(_glossary())
    return conditional(render_page_or_partial("action.html", "partials/action_detail.html", **context))


@share_bp.get("/<token>/v<int:version>")
def version(token: str, version: int):
    """One version of the pinned publication: every version stays readable."""
    return _paper(token, version)


@share_bp.get("/<token>/v<int:version>.pdf")
def pdf(token: str, version: int):
    """The pinned publication's PDF, people named as the link allows."""
    found = _pinned(version)
    return Response(paper_views.publication_pdf(found, current_viewer(), _urls(token)), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{paper_views.pdf_name(found)}"'})


@share_bp.get("/<token>/v<int:version>/board")
def board_then(token: str, version: int):
    """The board as the pinned publication stored it."""
    found = _pinned(version)
    return render_template("publications/board.html",
                           **paper_views.board_then_page(found, current_viewer(), _urls(token)))
