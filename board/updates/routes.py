"""Asking owners for an update, and giving one: from the action (signed in) or from an emailed link.

Both forms are real forms: they post, redirect (303) and flash; an invalid one comes back (422) with its
errors and the input kept; one that lost a race (409) says what changed and keeps the input.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from board.clock import today
from board.forms import BoardFilterForm
from board.security import role_required
from board.services import update_requests
from board.services.action_updates import UpdateForm, give_update, may_update
from board.services.board_view import action_query
from board.services.evidence import EditConflict, EvidenceRefused
from board.services.moves import MoveConflict
from board.updates.forms import AskForUpdatesForm, GiveUpdateForm
from board.views import emails
from board.views import updates as views
from board.views.moves import conflict_message
from board.views.viewer import current_viewer, plan_for_request, refuse_if_archived
from models import Action, Role, UpdateLink, User, db

updates_bp = Blueprint("updates", __name__)
MAY_ASK = "Only the plan owner, or an editor taking part in a clinic (for its areas), can ask owners for an update."


@updates_bp.route("/update-requests/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def ask():
    """Ask the owners of the actions the filtered board shows for an update, by a date, with a message."""
    plan = plan_for_request()
    refuse_if_archived(plan)
    scope = update_requests.ask_scope(plan, current_user) or abort(403, description=MAY_ASK)
    filters = BoardFilterForm.from_query()
    if request.method == "GET":
        refs, left_out = views.shown_refs(plan, current_viewer(), filters, scope)
        return render_template("updates/ask.html", **views.ask_page(plan, scope, filters, views.fresh_ask_form(refs),
                                                                     left_out))
    form = AskForUpdatesForm()
    if form.validate_on_submit():
        actions = update_requests.actions_for(plan, form.refs.data.split()[:1000])
        try:
            asked = update_requests.ask_for_updates(
                plan, actions, form.reply_by.data, form.message.data, current_user, scope, today(),
                emails.writer(plan).update_request, filters=filters.query_string())
        except update_requests.RequestRefused as refused:
            field = form[refused.field or "message"]
            field.errors = [*field.errors, str(refused)]
        else:
            emails.send_after_response(asked.message_ids)
            flash(f"Asked {asked.people} {'person' if asked.people == 1 else 'people'} for an update on "
                  f"{asked.actions} action{'s' if asked.actions != 1 else ''}, by {asked.request.reply_by.day} "
                  f"{asked.request.reply_by:%B %Y}. Each gets one email with a link per action.", "success")
            return redirect(url_for("plan.board") + filters.query_string(), 303)
    return render_template("updates/ask.html", **views.ask_page(plan, scope, filters, form)), 422


@updates_bp.route("/actions/<ref>/update", methods=["GET", "POST"])
@role_required(Role.CONTRIBUTOR)
def give(ref: str):
    """Give an action an update: editors, the plan owner, and the people holding one of its owner roles."""
    plan = plan_for_request()
    action = db.first_or_404(action_query(plan, ref), description=f"There is no action {ref} in this plan.")
    refuse_if_archived(plan)
    if not may_update(action, current_user):
        abort(403, description="Only editors, the plan owner and the people holding one of this action's owner "
                               "roles can give it an update.")
    filters = BoardFilterForm.from_query()
    back = url_for("plan.action_detail", ref=ref) + filters.query_string()
    post_url = url_for("updates.give", ref=ref) + filters.query_string()
    return _give(plan, action, current_user, back, post_url)


@updates_bp.route("/updates/<token>", methods=["GET", "POST"])
def give_by_link(token: str):
    """The "Give an update" form an update request emailed a link to: no sign-in, one action, once."""
    plan = plan_for_request()
    link = update_requests.find_link(token)
    if link is None or link.action.plan_id != plan.id:
        abort(404, description="This link is not a working link to give an update: it may have been copied only "
                               "in part. Open it again from the email, or sign in and open the action on the board.")
    state = update_requests.link_state(link, today())
    if state != "open":
        return render_template("updates/link_closed.html", link=link, state=state, plan=plan), 410
    return _give(plan, link.action, link.user, None, url_for("updates.give_by_link", token=token), link)


def _give(plan, action: Action, user: User, back: str | None, post_url: str, link: UpdateLink | None = None):
    """Show the form, or apply what it sent as `user` (through `link`)."""
    status = 200
    form = views.give_form(action) if request.method == "GET" else GiveUpdateForm()
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                done = give_update(action, user, _given(form), today(), link=link)
            except EvidenceRefused as problem:
                _catch_up(form, action, problem, status_too=False)
                status = 409 if isinstance(problem, EditConflict) else 422
            except MoveConflict as conflict:
                _catch_up(form, conflict.action, EvidenceRefused(conflict_message(conflict), "status"), status_too=True)
                status = 409
            else:
                flash(f"Thank you: your update is saved ({done.summary()}).", "success")
                return redirect(post_url if link else back, 303)
    context = views.give_page(plan, action, form, link=link, back_url=back, post_url=post_url)
    return render_template("updates/give.html", **context), status


def _given(form: GiveUpdateForm) -> UpdateForm:
    return UpdateForm(status=form.status.data, seen_status=form.current_status.data or "", version=form.version.data,
                      status_reason=form.status_reason.data or "", note=form.note.data or "",
                      note_link=form.link_url.data or None, new_due=form.new_due.data or "",
                      due_reason=form.due_reason.data or "", seen_due=form.current_due.data or "")


def _catch_up(form: GiveUpdateForm, action: Action, problem: EvidenceRefused, *, status_too: bool) -> None:
    """Put the message on its field. After a conflict the form names what the action is now, so sending
    it again is a deliberate choice over the other person's change."""
    field = form[problem.field or "note"]
    field.errors = [*field.errors, str(problem)]
    if isinstance(problem, EditConflict):
        form.current_due.data = action.due_text
    if status_too:
        form.current_status.data = action.status
        form.version.catch_up(action.version)
