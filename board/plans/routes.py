"""The install's plans: the list (a switcher for everyone), which one is live, archiving, and lineage.

These routes act on the plan the URL names (`/plans/<slug>/plan/archive`, see board/plan_urls.py), and
are allowed on an archived plan: archiving, reopening and closing its actions are about the plan, not
changes to its content.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user

from board.forms import ConfirmForm
from board.security import role_required
from board.services import lineage, plans
from board.views.plans import close_form, lineage_page, plans_page
from board.views.viewer import plan_for_request, plan_url
from models import Closure, Role

plans_bp = Blueprint("plans", __name__)


@plans_bp.get("/plans")
@role_required(Role.VIEWER)
def index():
    """Every plan: live, open or archived, with links to each board and its lineage."""
    return render_template("plans/index.html", **plans_page(current_user))


def _plan_action(change, message: str):
    plan = plan_for_request()
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form had expired: go back, reload the page and try again.")
    try:
        change(plan)
    except plans.PlanChoiceError as refused:
        flash(str(refused), "error")
    else:
        flash(message.format(slug=plan.slug), "success")
    return redirect(plan_url(None, "plans.index"), 303)


@plans_bp.post("/plan/live")
@role_required(Role.ADMIN)
def make_live():
    """Serve this plan at `/`."""
    return _plan_action(plans.make_live, "{slug} is now the live plan, served at the board's home page.")


@plans_bp.post("/plan/archive")
@role_required(Role.ADMIN)
def archive():
    """Make this plan read-only (kept as it is, still readable)."""
    return _plan_action(lambda plan: plans.archive(plan, current_user.name),
                        "{slug} is archived: read-only from now on.")


@plans_bp.post("/plan/reopen")
@role_required(Role.ADMIN)
def reopen():
    """Undo an archive."""
    return _plan_action(plans.reopen, "{slug} is open again: it can be changed.")


@plans_bp.route("/lineage", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def lineage_view():
    """Old and new refs side by side; the plan owner closes old actions nobody carries forward."""
    plan = plan_for_request()
    form = close_form(plan, formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not current_user.has_role(Role.ADMIN):
            abort(403)
        if form.validate_on_submit():
            try:
                closed = lineage.close_actions(plan, form.refs.data, Closure(form.how.data), form.note.data,
                                               current_user)
            except lineage.LineageRefused as refused:
                form.refs.errors.append(str(refused))
            else:
                flash(f"Closed {len(closed)} action{'s' if len(closed) != 1 else ''} of {plan.slug}: "
                      f"{', '.join(action.ref for action in closed)}.", "success")
                return redirect(plan_url(plan, "plans.lineage_view"), 303)
        status = 422
    return render_template("plans/lineage.html", **lineage_page(plan, current_user, form)), status

