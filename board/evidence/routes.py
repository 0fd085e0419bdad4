"""Evidence notes, due-date changes, impact comments on outcomes, and the activity page.

Every form here is a real form: with htmx it swaps its own section; without JavaScript it posts,
redirects back (303) and flashes; an invalid form comes back with its errors and the input kept.
"""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from board.clock import today
from board.evidence.forms import DueChangeForm, ImpactCommentForm, NoteForm, WithdrawForm
from board.htmx import is_htmx_request, render_page_or_partial
from board.plan.routes import action_or_404, detail_context, lane_out_of_band, plan_or_404
from board.security import role_required, safe_next
from board.services import evidence
from board.services.activity import KIND_LABELS, activity
from board.services.outcomes import outcomes_overview
from models import Action, Area, EvidenceNote, Outcome, Role, User, db

evidence_bp = Blueprint("evidence", __name__)


def _announce(response, message: str):
    response.headers["HX-Trigger-After-Settle"] = json.dumps(
        {"board-announce": {"message": message, "target": "body"}})
    return response


def _section(plan, action, section: str, status: int = 200, **forms):
    """htmx gets the section it swaps; a plain request gets the whole action page."""
    context = detail_context(plan, action, **forms)
    template = f"partials/{section}.html" if is_htmx_request() else "action.html"
    return make_response(render_template(template, **context), status)


def _done(plan, action, section: str, message: str, anchor: str):
    if is_htmx_request():
        response = _announce(_section(plan, action, section), message)
        # Edit and withdraw forms swap themselves on an error; a success replaces the whole section.
        response.headers["HX-Retarget"] = "#notes" if section == "notes_section" else "#due"
        response.headers["HX-Reswap"] = "outerHTML"
        # The card behind the panel shows counts and due: swap its lane too when it is there.
        response.set_data(response.get_data() + lane_out_of_band(plan, action.area_id).encode())
        return response
    flash(message, "success")
    return redirect(url_for("plan.action_detail", ref=action.ref) + anchor, 303)


def _refuse(form, problem: evidence.EvidenceRefused) -> None:
    getattr(form, problem.field or "text").errors = [*getattr(form, problem.field or "text").errors, str(problem)]


@evidence_bp.post("/actions/<ref>/notes")
@role_required(Role.CONTRIBUTOR)
def add_note(ref: str):
    """Add an evidence note to an action."""
    plan = plan_or_404()
    action = action_or_404(plan, ref)
    form = NoteForm()
    if not form.validate_on_submit():
        return _section(plan, action, "notes_section", 422, note_form=form)
    evidence.add_note(action, form.text.data, form.link_url.data, current_user)
    return _done(plan, action, "notes_section", f"Evidence note added to {ref}.", "#notes")


def note_action(note: EvidenceNote) -> Action:
    return db.session.get(Action, note.action_id)


def _note_or_403(note_id: int) -> EvidenceNote:
    note = db.session.get(EvidenceNote, note_id) or abort(404)
    if not evidence.may_change_note(note, current_user):
        abort(403, description="Only the note's author or an admin can change it, and not once withdrawn.")
    return note


@evidence_bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@role_required(Role.CONTRIBUTOR)
def edit_note(note_id: int):
    """Change a note's wording (the earlier wording is kept)."""
    plan = plan_or_404()
    note = _note_or_403(note_id)
    action = note_action(note)
    form = NoteForm(obj=note) if request.method == "GET" else NoteForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            evidence.edit_note(note, form.text.data, form.link_url.data, current_user)
        except evidence.EvidenceRefused as problem:
            _refuse(form, problem)
        else:
            return _done(plan, action, "notes_section", f"Evidence note on {action.ref} updated.", "#notes")
    status = 422 if request.method == "POST" else 200
    return render_page_or_partial("evidence/note_page.html", "partials/note_edit_form.html", status=status,
                                  note=note, action=action, form=form, verb="Edit",
                                  form_partial="partials/note_edit_form.html")


@evidence_bp.route("/notes/<int:note_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.CONTRIBUTOR)
def withdraw_note(note_id: int):
    """Withdraw a note with a reason (it stays in history, shown as withdrawn)."""
    plan = plan_or_404()
    note = _note_or_403(note_id)
    action = note_action(note)
    form = WithdrawForm()
    if request.method == "POST" and form.validate_on_submit():
        evidence.withdraw_note(note, form.reason.data, current_user)
        return _done(plan, action, "notes_section", f"Evidence note on {action.ref} withdrawn.", "#notes")
    status = 422 if request.method == "POST" else 200
    return render_page_or_partial("evidence/note_page.html", "partials/note_withdraw_form.html",
                                  status=status, note=note, action=action, form=form, verb="Withdraw",
                                  form_partial="partials/note_withdraw_form.html")


@evidence_bp.post("/actions/<ref>/due")
@role_required(Role.EDITOR)
def change_due(ref: str):
    """Move an action's due date (or cadence, or TBC) with a reason."""
    plan = plan_or_404()
    action = action_or_404(plan, ref)
    form = DueChangeForm()
    if form.validate_on_submit():
        try:
            evidence.change_due(action, form.new_due.data, form.reason.data, current_user, today())
        except evidence.EvidenceRefused as problem:
            _refuse(form, problem)
        else:
            return _done(plan, action, "due_section", f"{ref} is now due {action.due_text}.", "#due")
    return _section(plan, action, "due_section", 422, due_form=form)


@evidence_bp.get("/outcomes")
@role_required(Role.VIEWER)
def outcomes():
    """Every intended outcome by area: its actions' statuses and its impact comments."""
    return render_outcomes(plan_or_404())


def render_outcomes(plan, forms: dict | None = None, status: int = 200):
    return make_response(render_template(
        "evidence/outcomes.html", plan=plan, areas=outcomes_overview(plan),
        forms=forms or {}, blank_form=ImpactCommentForm(formdata=None)), status)


@evidence_bp.get("/outcomes/<int:outcome_id>")
@role_required(Role.VIEWER)
def outcome(outcome_id: int):
    """One outcome with its whole comment history."""
    return render_outcome(plan_or_404(), outcome_id)


def render_outcome(plan, outcome_id: int):
    outcome = _outcome_or_404(plan, outcome_id)
    area_view = next(a for a in outcomes_overview(plan, only_outcome_id=outcome.id))
    return render_template("evidence/outcome.html", plan=plan, area_view=area_view,
                           view=area_view.outcomes[0], blank_form=ImpactCommentForm(formdata=None), forms={})


def _outcome_or_404(plan, outcome_id: int) -> Outcome:
    found = db.session.scalars(select(Outcome).join(Area).where(
        Outcome.id == outcome_id, Area.plan_id == plan.id)).first()
    return found or abort(404, description="There is no such outcome in this plan.")


@evidence_bp.post("/outcomes/<int:outcome_id>/comments")
@role_required(Role.CONTRIBUTOR)
def add_comment(outcome_id: int):
    """Add an impact comment and rating to an outcome."""
    plan = plan_or_404()
    outcome = _outcome_or_404(plan, outcome_id)
    form = ImpactCommentForm()
    back = safe_next(form.next.data, url_for("evidence.outcomes")) + f"#outcome-{outcome.id}"
    if not form.validate_on_submit():
        if is_htmx_request():
            view = outcomes_overview(plan, only_outcome_id=outcome.id)[0].outcomes[0]
            return make_response(render_template("partials/outcome.html", view=view, forms={outcome.id: form},
                                                 blank_form=form), 422)
        return render_outcomes(plan, {outcome.id: form}, 422)
    evidence.add_impact_comment(outcome, form.text.data, form.rating.data, current_user)
    message = "Impact comment added."
    if is_htmx_request():
        view = outcomes_overview(plan, only_outcome_id=outcome.id)[0].outcomes[0]
        return _announce(make_response(render_template(
            "partials/outcome.html", view=view, forms={}, blank_form=ImpactCommentForm(formdata=None))), message)
    flash(message, "success")
    return redirect(back, 303)


@evidence_bp.get("/activity")
@role_required(Role.VIEWER)
def activity_page():
    """What changed across the plan, newest first, filterable and paginated."""
    plan = plan_or_404()
    args = request.args
    area = args.get("area", "")
    user = args.get("user", "")
    kind = args.get("kind", "") if args.get("kind") in KIND_LABELS else ""
    page = int(args["page"]) if args.get("page", "").isdigit() and 0 < int(args["page"]) < 10000 else 1
    try:
        since = date.fromisoformat(args["since"]) if args.get("since") else None
    except ValueError:
        since = None
        flash("The “since” date was not a date (use YYYY-MM-DD): showing everything.", "error")
    result = activity(plan.id, area_number=int(area) if area.isdigit() else None,
                      user_id=int(user) if user.isdigit() else None, kind=kind or None, since=since,
                      page=page)
    people = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("evidence/activity.html", plan=plan, result=result, people=people,
                           areas=plan.areas, kinds=KIND_LABELS,
                           chosen={"area": area, "user": user, "kind": kind,
                                   "since": since.isoformat() if since else ""})
