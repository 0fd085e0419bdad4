"""Evidence notes, due-date changes, impact comments on outcomes, and the activity page.

Every form here is a real form: with htmx it swaps its own section; without JavaScript it posts,
redirects back (303) and flashes; an invalid form comes back with its errors and the input kept.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from board.clock import today
from board.evidence.forms import (
    ActivityFilterForm,
    CommentWithdrawForm,
    DueChangeForm,
    ImpactCommentEditForm,
    ImpactCommentForm,
    NoteEditForm,
    NoteForm,
    SignOffForm,
    WithdrawForm,
)
from board.forms import BoardFilterForm
from board.htmx import announce, is_htmx_request, render_page_or_partial
from board.security import role_required
from board.services import completion, evidence
from board.services.action_updates import may_update
from board.services.activity import activity
from board.services.board_view import action_query
from board.services.outcomes import outcome_query
from board.views import board as board_views
from board.views.detail import action_detail
from board.views.outcomes import outcome_fragment, outcome_page, outcomes_page
from board.views.viewer import current_viewer, plan_for_request
from models import Action, EvidenceNote, ImpactComment, Outcome, Role, User, db

evidence_bp = Blueprint("evidence", __name__)
# The inline section each change answers with, and where it sits on the action's page.
SECTIONS = {"notes": ("partials/notes_section.html", "#notes"), "due": ("partials/due_section.html", "#due"),
            "completion": ("partials/completion_section.html", "#completion")}


def _action(ref: str) -> Action:
    return db.first_or_404(action_query(plan_for_request(), ref), description=f"There is no action {ref} in this plan.")


def _section(action: Action, section: str, status: int = 200, **forms):
    """htmx gets the section it swaps; a plain request gets the whole action page."""
    context = action_detail(plan_for_request(), action, current_viewer(), BoardFilterForm.from_query(), **forms)
    template = SECTIONS[section][0] if is_htmx_request() else "action.html"
    return make_response(render_template(template, **context), status)


def _done(action: Action, section: str, message: str):
    filters = BoardFilterForm.from_query()
    if is_htmx_request():
        response = announce(_section(action, section), message)
        # Edit and withdraw forms swap themselves on an error; a success replaces the whole section.
        response.headers["HX-Retarget"] = SECTIONS[section][1]
        response.headers["HX-Reswap"] = "outerHTML"
        # The card behind the panel shows counts and due: swap its lane too when it is there.
        lanes = board_views.changed_lanes(plan_for_request(), {action.area_id}, current_viewer(), filters)
        response.set_data(response.get_data() + render_template("partials/board_changes.html", **lanes).encode())
        return response
    flash(message, "success")
    return redirect(url_for("plan.action_detail", ref=action.ref) + filters.query_string() + SECTIONS[section][1],
                    303)


def _refuse(form, problem: evidence.EvidenceRefused) -> None:
    field = getattr(form, problem.field or "text")
    field.errors = [*field.errors, str(problem)]


@evidence_bp.post("/actions/<ref>/notes")
@role_required(Role.CONTRIBUTOR)
def add_note(ref: str):
    """Add an evidence note to an action."""
    action = _action(ref)
    form = NoteForm()
    if not form.validate_on_submit():
        return _section(action, "notes", 422, note_form=form)
    evidence.add_note(action, form.text.data, form.link_url.data, current_user, internal=form.internal.data)
    return _done(action, "notes", f"Evidence note added to {ref}.")


def _note_or_403(note_id: int) -> EvidenceNote:
    note = db.get_or_404(EvidenceNote, note_id)
    if db.session.get(Action, note.action_id).plan_id != plan_for_request().id:
        abort(404)
    if not evidence.may_change_note(note, current_user):
        abort(403, description="Only the note's author or an admin can change it, and not once withdrawn.")
    return note


def _note_form_page(note: EvidenceNote, form, verb: str, partial: str, status: int | None = None,
                    conflict: str | None = None):
    status = status or (422 if request.method == "POST" else 200)
    return render_page_or_partial("evidence/note_page.html", partial, status=status, note=note,
                                  action=db.session.get(Action, note.action_id), form=form, verb=verb,
                                  form_partial=partial, conflict=conflict,
                                  filter_query=BoardFilterForm.from_query().query_string())


@evidence_bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@role_required(Role.CONTRIBUTOR)
def edit_note(note_id: int):
    """Change a note's wording (the earlier wording is kept)."""
    note = _note_or_403(note_id)
    form = NoteEditForm(obj=note) if request.method == "GET" else NoteEditForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            evidence.edit_note(note, form.text.data, form.link_url.data, current_user,
                               expected_version=form.version.data)
        except evidence.EditConflict as conflict:
            form.version.catch_up(note.version)
            return _note_form_page(note, form, "Edit", "partials/note_edit_form.html", 409, str(conflict))
        except evidence.EvidenceRefused as problem:
            _refuse(form, problem)
        else:
            action = db.session.get(Action, note.action_id)
            return _done(action, "notes", f"Evidence note on {action.ref} updated.")
    return _note_form_page(note, form, "Edit", "partials/note_edit_form.html")


@evidence_bp.route("/notes/<int:note_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.CONTRIBUTOR)
def withdraw_note(note_id: int):
    """Withdraw a note with a reason (it stays in history, shown as withdrawn)."""
    note = _note_or_403(note_id)
    form = WithdrawForm(version=note.version) if request.method == "GET" else WithdrawForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            evidence.withdraw_note(note, form.reason.data, current_user, expected_version=form.version.data)
        except evidence.EditConflict as conflict:
            form.version.catch_up(note.version)
            return _note_form_page(note, form, "Withdraw", "partials/note_withdraw_form.html", 409, str(conflict))
        action = db.session.get(Action, note.action_id)
        return _done(action, "notes", f"Evidence note on {action.ref} withdrawn.")
    return _note_form_page(note, form, "Withdraw", "partials/note_withdraw_form.html")


@evidence_bp.post("/actions/<ref>/due")
@role_required(Role.CONTRIBUTOR)
def change_due(ref: str):
    """Move an action's due date (or cadence, or TBC) with a reason: editors, and the people holding one of
    its owner roles."""
    action = _action(ref)
    if not may_update(action, current_user):
        abort(403, description="Only editors and the people holding one of this action's owner roles can move "
                               "its due date.")
    form = DueChangeForm()
    status = 422
    if form.validate_on_submit():
        try:
            evidence.change_due(action, form.new_due.data, form.reason.data, current_user, today(),
                                expected_due=form.current_due.data)
        except evidence.EditConflict as conflict:
            form.current_due.data = action.due_text  # saving again moves the due from what it is now
            _refuse(form, conflict)
            status = 409
        except evidence.EvidenceRefused as problem:
            _refuse(form, problem)
        else:
            return _done(action, "due", f"{ref} is now due {action.due_text}.")
    return _section(action, "due", status, due_form=form)


@evidence_bp.post("/actions/<ref>/sign-off")
@role_required(Role.ADMIN)
def sign_off(ref: str):
    """The plan owner signs off a completion and its evidence (when the plan requires sign-off)."""
    action = _action(ref)
    form = SignOffForm()
    if not form.validate_on_submit():
        abort(400, description="This form is out of date: reload the page.")
    try:
        completion.sign_off(action, current_user, form.version.data)
    except completion.SignOffRefused as refused:
        return _section(action, "completion", 409, sign_off_problem=str(refused))
    return _done(action, "completion", f"{ref} is signed off as complete.")


def _outcome(plan, outcome_id: int) -> Outcome:
    return db.first_or_404(outcome_query(plan, outcome_id), description="There is no such outcome in this plan.")


@evidence_bp.get("/outcomes")
@role_required(Role.VIEWER)
def outcomes():
    """Every intended outcome by area: its actions' statuses and its impact comments."""
    return render_template("evidence/outcomes.html", **outcomes_page(plan_for_request(), current_viewer()))


@evidence_bp.get("/outcomes/<int:outcome_id>")
@role_required(Role.VIEWER)
def outcome(outcome_id: int):
    """One outcome with its whole comment history."""
    plan = plan_for_request()
    return render_template("evidence/outcome.html", **outcome_page(plan, _outcome(plan, outcome_id), current_viewer()))


@evidence_bp.post("/outcomes/<int:outcome_id>/comments")
@role_required(Role.CONTRIBUTOR)
def add_comment(outcome_id: int):
    """Add an impact comment and rating to an outcome."""
    plan = plan_for_request()
    outcome = _outcome(plan, outcome_id)
    form = ImpactCommentForm()
    if not form.validate_on_submit():
        if is_htmx_request():
            return render_template("partials/outcome.html", **outcome_fragment(plan, outcome, form)), 422
        return render_template("evidence/outcomes.html", **outcomes_page(plan, current_viewer(), {outcome.id: form})), 422
    evidence.add_impact_comment(outcome, form.text.data, form.rating.data, current_user)
    message = "Impact comment added."
    if is_htmx_request():
        return announce(make_response(render_template("partials/outcome.html", **outcome_fragment(plan, outcome))),
                        message)
    flash(message, "success")
    return redirect((form.next.data or url_for("evidence.outcomes")) + f"#outcome-{outcome.id}", 303)


def _comment_or_403(comment_id: int) -> ImpactComment:
    comment = db.get_or_404(ImpactComment, comment_id)
    if comment.outcome.area.plan_id != plan_for_request().id:
        abort(404)
    if not evidence.may_change_comment(comment, current_user):
        abort(403, description="Only the comment's author or an admin can change it, and not once withdrawn.")
    return comment


def _comment_form_page(comment: ImpactComment, form, verb: str, partial: str, status: int | None = None,
                       conflict: str | None = None):
    status = status or (422 if request.method == "POST" else 200)
    return render_page_or_partial("evidence/comment_page.html", partial, status=status, comment=comment,
                                  form=form, verb=verb, form_partial=partial, conflict=conflict)


def _comment_done(comment: ImpactComment, message: str):
    """The outcome as it is now (htmx, in place of the form's outcome) or its page (no JavaScript)."""
    plan = plan_for_request()
    if is_htmx_request():
        response = announce(make_response(render_template(
            "partials/outcome.html", **outcome_fragment(plan, comment.outcome))), message)
        response.headers["HX-Retarget"] = f"#outcome-{comment.outcome_id}"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    flash(message, "success")
    return redirect(url_for("evidence.outcome", outcome_id=comment.outcome_id) + f"#comment-{comment.id}", 303)


@evidence_bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@role_required(Role.CONTRIBUTOR)
def edit_comment(comment_id: int):
    """Change an impact comment's words or rating (the earlier ones are kept)."""
    comment = _comment_or_403(comment_id)
    form = ImpactCommentEditForm(obj=comment) if request.method == "GET" else ImpactCommentEditForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            evidence.edit_impact_comment(comment, form.text.data, form.rating.data, current_user,
                                         expected_version=form.version.data)
        except evidence.EditConflict as conflict:
            form.version.catch_up(comment.version)
            return _comment_form_page(comment, form, "Edit", "partials/comment_edit_form.html", 409, str(conflict))
        except evidence.EvidenceRefused as problem:
            _refuse(form, problem)
        else:
            return _comment_done(comment, "Impact comment updated.")
    return _comment_form_page(comment, form, "Edit", "partials/comment_edit_form.html")


@evidence_bp.route("/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.CONTRIBUTOR)
def withdraw_comment(comment_id: int):
    """Withdraw an impact comment with a reason (kept, marked withdrawn; no longer counts for the rating)."""
    comment = _comment_or_403(comment_id)
    form = CommentWithdrawForm(version=comment.version) if request.method == "GET" else CommentWithdrawForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            evidence.withdraw_impact_comment(comment, form.reason.data, current_user,
                                             expected_version=form.version.data)
        except evidence.EditConflict as conflict:
            form.version.catch_up(comment.version)
            return _comment_form_page(comment, form, "Withdraw", "partials/comment_withdraw_form.html", 409,
                                      str(conflict))
        return _comment_done(comment, "Impact comment withdrawn.")
    return _comment_form_page(comment, form, "Withdraw", "partials/comment_withdraw_form.html")


@evidence_bp.get("/activity")
@role_required(Role.VIEWER)
def activity_page():
    """What changed across the plan, newest first, filterable and paginated."""
    plan = plan_for_request()
    form = ActivityFilterForm.from_query()
    result = activity(plan.id, form.chosen(), page=form.cleaned("page") or 1)
    people = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("evidence/activity.html", plan=plan, result=result, form=form, people=people,
                           areas=plan.areas), 422 if form.errors else 200
