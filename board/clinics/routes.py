"""Performance clinics: start, take part, notes and actions arising, end, and their minutes (page, print
and CSV).

Every form on a clinic's page is a real form: with htmx it swaps the clinic's record (carried actions
arising, notes, actions arising); without JavaScript it posts, redirects back (303) and flashes; an
invalid form comes back (422) with its errors and the input kept.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from board.clinics.forms import ArisingOutcomeForm, ClinicNoteForm, NoteCorrectionForm
from board.clock import today
from board.forms import ConfirmForm
from board.htmx import announce, is_htmx_request, render_page_or_partial
from board.security import role_required, safe_next
from board.services import clinic_minutes, clinics
from board.services.exports import csv_text
from board.views.clinics import Failed, arising_form, clinic_page, clinics_page, start_form
from board.views.viewer import current_viewer, plan_for_request
from models import ArisingUpdateKind, Clinic, Role, User, db

clinics_bp = Blueprint("clinics", __name__, url_prefix="/clinics")


def _clinic(clinic_id: int) -> Clinic:
    return db.first_or_404(select(Clinic).where(Clinic.id == clinic_id, Clinic.plan_id == plan_for_request().id),
                           description="There is no such clinic in this plan.")


@clinics_bp.route("", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def index():
    """Every clinic, those in progress, and (editors) a form to start one."""
    plan, viewer = plan_for_request(), current_viewer()
    if request.method == "GET":
        return render_template("clinics/index.html",
                               **clinics_page(plan, viewer, start_form(plan, viewer, formdata=None, held_on=today())))
    if not current_user.has_role(Role.EDITOR):
        abort(403)
    form = start_form(plan, viewer)
    if form.validate_on_submit():
        try:
            clinic = clinics.start_clinic(plan, form.held_on.data, db.session.get(User, form.chair.data),
                                          form.attendees.data, form.areas.data or [], current_user)
        except clinics.ClinicRefused as refused:
            _field_error(form, refused)
        else:
            flash("Clinic started. Moves, reasons, due changes and evidence notes on its areas, by anyone signed "
                  "in, are now recorded in its minutes.", "success")
            query = urlencode([("area", number) for number in clinic.area_numbers])
            return redirect(url_for("plan.board") + (f"?{query}" if query else ""), 303)
    return render_template("clinics/index.html", **clinics_page(plan, viewer, form)), 422


def _field_error(form, refused: clinics.ClinicRefused) -> None:
    field = form[refused.field]
    field.errors = [*field.errors, str(refused)]


@clinics_bp.post("/<int:clinic_id>/join")
@role_required(Role.CONTRIBUTOR)
def join(clinic_id: int):
    """Take part: you are listed as attending, and may add notes and actions arising."""
    clinic = _clinic(clinic_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        clinics.join_clinic(clinic, current_user)
    except clinics.ClinicRefused as refused:
        flash(str(refused), "error")
    else:
        flash("You are taking part in the clinic.", "success")
    return redirect(_back(), 303)


def _back() -> str:
    """The page the button was on (a path of this site only), else the board."""
    referrer = request.referrer or ""
    path = referrer[len(request.host_url) - 1:] if referrer.startswith(request.host_url) else None
    return safe_next(path, url_for("plan.board"))


# --- what the clinic records: notes and actions arising -------------------------------------------

def _recording(clinic_id: int) -> Clinic:
    """The clinic, if this person may add to its minutes (403 saying who may, otherwise)."""
    clinic = _clinic(clinic_id)
    try:
        clinics.check_may_record(clinic, current_user)
    except clinics.NotAllowed as refused:
        abort(403, description=str(refused))
    return clinic


def _record_page(clinic: Clinic, status: int, failed: Failed | None = None, problem: str | None = None):
    """htmx gets the clinic's record to swap; a plain request gets the whole clinic page."""
    if problem is None and not clinic.is_open:
        problem = clinics.ENDED
    return render_page_or_partial("clinics/minutes.html", "partials/clinic_record.html", status,
                                  **clinic_page(plan_for_request(), clinic, current_viewer(), failed, problem))


def _record(clinic: Clinic, failed: Failed, change, message: str, anchor: str):
    """Validate the form, make the change, and answer: the record (htmx) or a redirect and a flash."""
    if failed.form.validate_on_submit():
        try:
            change()
        except clinics.ClinicRefused as refused:
            if refused.field is None:
                return _record_page(clinic, 409, problem=str(refused))
            _field_error(failed.form, refused)
        else:
            if is_htmx_request():
                response = make_response(render_template(
                    "partials/clinic_record.html", **clinic_page(plan_for_request(), clinic, current_viewer())))
                response.vary.add("HX-Request")
                return announce(response, message)
            flash(message, "success")
            return redirect(url_for("clinics.minutes", clinic_id=clinic.id) + anchor, 303)
    return _record_page(clinic, 422, failed)


def _person(person_id: int | None) -> User | None:
    return db.session.get(User, person_id) if person_id else None


@clinics_bp.post("/<int:clinic_id>/notes")
@role_required(Role.CONTRIBUTOR)
def add_note(clinic_id: int):
    """Write a note in the clinic's minutes."""
    clinic = _recording(clinic_id)
    form = ClinicNoteForm()
    return _record(clinic, Failed("note", None, form),
                   lambda: clinic_minutes.add_note(clinic, form.text.data, current_user),
                   "Note added to the minutes.", "#notes")


@clinics_bp.post("/<int:clinic_id>/notes/<int:clinic_note_id>/correct")
@role_required(Role.CONTRIBUTOR)
def correct_note(clinic_id: int, clinic_note_id: int):
    """Record a corrected wording for a note (the earlier wording is kept)."""
    clinic = _recording(clinic_id)
    if clinic_minutes.note_in(clinic, clinic_note_id) is None:
        abort(404, description="There is no such note in this clinic's minutes.")
    form = NoteCorrectionForm()
    return _record(clinic, Failed("correct-note", clinic_note_id, form),
                   lambda: clinic_minutes.correct_note(clinic, clinic_note_id, form.text.data, current_user),
                   "Note corrected: the earlier wording is kept.", f"#clinic-note-{clinic_note_id}")


@clinics_bp.post("/<int:clinic_id>/arisings")
@role_required(Role.CONTRIBUTOR)
def add_arising(clinic_id: int):
    """Record an action arising: what, who, by when."""
    clinic = _recording(clinic_id)
    form = arising_form(clinics.people())
    return _record(clinic, Failed("arising", None, form),
                   lambda: clinic_minutes.raise_arising(clinic, form.what.data, _person(form.owner.data),
                                                        form.owner_name.data, form.due_on.data, current_user),
                   "Action arising added.", "#arisings")


def _arising_on_page(clinic: Clinic, arising_id: int) -> None:
    if clinic_minutes.arising_on_page(clinic, arising_id) is None:
        abort(404, description="That action arising is not on this clinic's agenda.")


@clinics_bp.post("/<int:clinic_id>/arisings/<int:arising_id>/correct")
@role_required(Role.CONTRIBUTOR)
def correct_arising(clinic_id: int, arising_id: int):
    """Record a corrected wording, owner or date for an action arising (the earlier ones are kept)."""
    clinic = _recording(clinic_id)
    _arising_on_page(clinic, arising_id)
    form = arising_form(clinics.people())
    return _record(clinic, Failed("correct-arising", arising_id, form),
                   lambda: clinic_minutes.correct_arising(clinic, arising_id, form.what.data,
                                                          _person(form.owner.data), form.owner_name.data,
                                                          form.due_on.data, current_user),
                   "Action arising corrected: the earlier wording is kept.", f"#arising-{arising_id}")


@clinics_bp.post("/<int:clinic_id>/arisings/<int:arising_id>/outcome")
@role_required(Role.CONTRIBUTOR)
def arising_outcome(clinic_id: int, arising_id: int):
    """Mark an action arising done, or carry it again to the next clinic."""
    clinic = _recording(clinic_id)
    _arising_on_page(clinic, arising_id)
    form = ArisingOutcomeForm()
    done = form.outcome.data == "done"
    return _record(clinic, Failed("outcome", arising_id, form),
                   lambda: clinic_minutes.record_outcome(clinic, arising_id, ArisingUpdateKind(form.outcome.data),
                                                         current_user, form.due_on.data, form.note.data),
                   "Marked done." if done else "Carried again to the next clinic.", f"#arising-{arising_id}")


# --- the end, and the minutes ---------------------------------------------------------------------

@clinics_bp.post("/<int:clinic_id>/end")
@role_required(Role.CONTRIBUTOR)
def end(clinic_id: int):
    """End the clinic (its chair or an admin) and show its minutes."""
    clinic = _clinic(clinic_id)
    try:
        clinics.check_may_end(clinic, current_user)
    except clinics.NotAllowed as refused:
        abort(403, description=str(refused))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        clinics.end_clinic(clinic, current_user)
    except clinics.ClinicRefused as refused:
        flash(str(refused), "error")
        return redirect(_back(), 303)
    flash("Clinic ended: these are its minutes.", "success")
    return redirect(url_for("clinics.minutes", clinic_id=clinic_id), 303)


@clinics_bp.get("/<int:clinic_id>")
@role_required(Role.VIEWER)
def minutes(clinic_id: int):
    """A clinic's page: its minutes (carried actions arising, notes, actions arising, board changes by
    area), and while it is open the forms that add to them (prints on A4)."""
    clinic = _clinic(clinic_id)
    return render_template("clinics/minutes.html", **clinic_page(plan_for_request(), clinic, current_viewer()))


@clinics_bp.get("/<int:clinic_id>/minutes.csv")
@role_required(Role.VIEWER)
def minutes_csv(clinic_id: int):
    """The minutes as one CSV table, a row per board change, note and action arising."""
    clinic = _clinic(clinic_id)
    rows = clinic_minutes.csv_rows(clinic_minutes.minutes(clinic))
    return Response(csv_text(clinic_minutes.CSV_HEADINGS, rows), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="clinic-minutes-{clinic.held_on.isoformat()}.csv"'})
