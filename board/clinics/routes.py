"""Performance clinics: start, join, end, and their minutes (page, print and CSV)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from board.clinics.forms import StartClinicForm
from board.clock import local_time, today
from board.forms import ConfirmForm
from board.security import role_required, safe_next
from board.services import clinics
from board.services.exports import csv_text
from board.views.viewer import plan_for_request
from models import Clinic, Role, db

clinics_bp = Blueprint("clinics", __name__, url_prefix="/clinics")


def _form(plan) -> StartClinicForm:
    form = StartClinicForm(held_on=today()) if request.method == "GET" else StartClinicForm()
    form.areas.choices = [SelectChoice(area.number, f"{area.number} {area.title}") for area in plan.areas]
    return form


def _clinic(plan, clinic_id: int) -> Clinic:
    return db.first_or_404(select(Clinic).where(Clinic.id == clinic_id, Clinic.plan_id == plan.id))


@clinics_bp.route("", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def index():
    """Past clinics, the one in progress, and (editors) a form to start one."""
    plan = plan_for_request()
    form = _form(plan)
    status = 200
    if request.method == "POST":
        if not current_user.has_role(Role.EDITOR):
            abort(403)
        if form.validate_on_submit():
            try:
                clinic = clinics.start_clinic(plan, form.held_on.data, form.chair.data, form.attendees.data,
                                              form.areas.data or [], current_user)
            except clinics.ClinicRefused as refused:
                flash(str(refused), "error")
            else:
                flash("Clinic started. Moves, due changes and notes by its participants are now recorded "
                      "in its minutes.", "success")
                return redirect(url_for("plan.board") + (
                    "?" + "&".join(f"area={n}" for n in clinic.area_numbers) if clinic.area_numbers else ""), 303)
        status = 422
    return render_template("clinics/index.html", plan=plan, form=form, clinics=clinics.past_clinics(plan),
                           current=clinics.open_clinic(plan), confirm=ConfirmForm()), status


@clinics_bp.post("/<int:clinic_id>/join")
@role_required(Role.CONTRIBUTOR)
def join(clinic_id: int):
    """Take part: your changes are recorded in this clinic's minutes."""
    return _act(clinic_id, clinics.join_clinic, "You are taking part in the clinic.")


@clinics_bp.post("/<int:clinic_id>/end")
@role_required(Role.EDITOR)
def end(clinic_id: int):
    """End the clinic and show its minutes."""
    response = _act(clinic_id, clinics.end_clinic, "Clinic ended: these are its minutes.")
    return redirect(url_for("clinics.minutes", clinic_id=clinic_id), 303) if response.status_code == 303 else response


def _act(clinic_id: int, change, message: str):
    plan = plan_for_request()
    clinic = _clinic(plan, clinic_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change(clinic, current_user)
    except clinics.ClinicRefused as refused:
        flash(str(refused), "error")
    else:
        flash(message, "success")
    return redirect(_back(), 303)


def _back() -> str:
    """The page the button was on (a path of this site only), else the board."""
    referrer = request.referrer or ""
    path = referrer[len(request.host_url) - 1:] if referrer.startswith(request.host_url) else None
    return safe_next(path, url_for("plan.board"))


@clinics_bp.get("/<int:clinic_id>")
@role_required(Role.VIEWER)
def minutes(clinic_id: int):
    """A clinic's minutes: every decision grouped by area, with who and why (prints on A4)."""
    plan = plan_for_request()
    clinic = _clinic(plan, clinic_id)
    return render_template("clinics/minutes.html", plan=plan, clinic=clinic, minutes=clinics.minutes(clinic))


@clinics_bp.get("/<int:clinic_id>/minutes.csv")
@role_required(Role.VIEWER)
def minutes_csv(clinic_id: int):
    plan = plan_for_request()
    clinic = _clinic(plan, clinic_id)
    rows = ([f"{area.number} {area.title}", line.ref, line.text, local_time(line.at, "%Y-%m-%d %H:%M"), line.who,
             line.summary, line.why or ""] for area, lines in clinics.minutes(clinic) for line in lines)
    return Response(csv_text(["Area", "Ref", "Action", "When", "Who", "Decision", "Why"], rows),
                    mimetype="text/csv; charset=utf-8", headers={
                        "Content-Disposition": f'attachment; filename="clinic-minutes-{clinic.held_on.isoformat()}.csv"'})
