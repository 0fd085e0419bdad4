"""The plan owner's overview and the exports of all actions."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from board.clock import today
from board.plan.filters import board_filter_from_request
from board.plan.routes import plan_or_404
from board.reports.forms import KpiMeasureForm, KpiValueForm
from board.security import role_required
from board.services.exports import export_rows, to_csv, to_xlsx
from board.services.kpis import KpiRefused, add_measure, kpi_panel, record_value
from board.services.overview import build_overview
from board.services.report import build_report
from models import KpiMeasure, Role, db

reports_bp = Blueprint("reports", __name__)


@reports_bp.get("/overview")
@role_required(Role.VIEWER)
def overview():
    """Areas by status with every number linking to those cards; exceptions; due soon; ratings."""
    plan = plan_or_404()
    return render_template("reports/overview.html", plan=plan, overview=build_overview(plan, today()),
                           today=today(), kpis=kpi_panel(plan))


def report_period(args) -> tuple[date, date, str | None]:
    """The report's period from `from`/`to` (YYYY-MM-DD); four weeks to today by default."""
    end, start, problem = today(), today() - timedelta(days=28), None
    try:
        if args.get("to"):
            end = date.fromisoformat(args["to"])
        if args.get("from"):
            start = date.fromisoformat(args["from"])
    except ValueError:
        problem = "The period's dates must be written YYYY-MM-DD; showing the last four weeks."
        end, start = today(), today() - timedelta(days=28)
    if start > end:
        problem = "The period started after it ended; the dates were swapped."
        start, end = end, start
    return start, end, problem


def render_report(plan):
    start, end, problem = report_period(request.args)
    return render_template("reports/report.html", plan=plan, report=build_report(plan, start, end, today()),
                           today=today(), problem=problem, kpis=kpi_panel(plan))


@reports_bp.get("/report")
@role_required(Role.VIEWER)
def report():
    """The committee highlight report for a period, made to print on A4."""
    return render_report(plan_or_404())


@reports_bp.route("/kpis", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def kpis():
    """The KPI panel; admins add a quarter's value or a new measure."""
    plan = plan_or_404()
    value_form, measure_form = KpiValueForm(prefix="value"), KpiMeasureForm(prefix="measure")
    value_form.measure.choices = [SelectChoice(s.measure.id, s.measure.name) for s in kpi_panel(plan)]
    status = 200
    if request.method == "POST":
        if not current_user.has_role(Role.ADMIN):
            abort(403)
        form = value_form if "value-submit" in request.form else measure_form
        if form.validate_on_submit():
            try:
                if form is value_form:
                    measure = db.session.get(KpiMeasure, value_form.measure.data) or abort(404)
                    record_value(measure, value_form.quarter.data, value_form.value.data, current_user)
                    flash(f"{measure.name}: {value_form.quarter.data} recorded.", "success")
                else:
                    add_measure(plan, measure_form.name.data, measure_form.unit.data, measure_form.target.data,
                                current_user)
                    flash(f"Measure “{measure_form.name.data}” added.", "success")
                return redirect(url_for("reports.kpis"), 303)
            except KpiRefused as refused:
                getattr(form, refused.field).errors = [str(refused)]
        status = 422
    return render_template("reports/kpis.html", plan=plan, kpis=kpi_panel(plan), value_form=value_form,
                           measure_form=measure_form), status


def _filename(extension: str) -> str:
    return f"improvement-plan-actions-{today().isoformat()}.{extension}"


@reports_bp.get("/export.csv")
@role_required(Role.VIEWER)
def export_csv():
    """Every action shown by the board's filters, as CSV (UTF-8, opens cleanly in Excel)."""
    plan = plan_or_404()
    rows = export_rows(plan, board_filter_from_request(), today())
    return Response(to_csv(rows), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{_filename("csv")}"'})


@reports_bp.get("/export.xlsx")
@role_required(Role.VIEWER)
def export_xlsx():
    """Every action shown by the board's filters, as an Excel workbook."""
    plan = plan_or_404()
    rows = export_rows(plan, board_filter_from_request(), today())
    return Response(to_xlsx(rows, plan.title),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{_filename("xlsx")}"'})

