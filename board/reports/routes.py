"""The plan owner's overview, the committee highlight report, KPIs and the exports of all actions."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from board.clock import today
from board.forms import BoardFilterForm
from board.reports.forms import KpiMeasureForm, KpiValueForm, PrintHeadForm, ReportPeriodForm
from board.security import role_required
from board.services.exports import export_rows, to_csv, to_xlsx
from board.services.kpis import KpiConflict, KpiRefused, add_measure, kpi_panel, record_value
from board.services.overview import build_overview
from board.views.printing import running_css
from board.views.reports import overview_extras, report_page
from board.views.viewer import current_viewer, plan_for_request
from models import KpiMeasure, Role, db

reports_bp = Blueprint("reports", __name__)


@reports_bp.get("/overview")
@role_required(Role.VIEWER)
def overview():
    """Areas by status with every number linking to those cards; exceptions; due soon; ratings."""
    plan = plan_for_request()
    return render_template("reports/overview.html", plan=plan, overview=build_overview(plan, today()),
                           today=today(), kpis=kpi_panel(plan), **overview_extras(plan))


@reports_bp.get("/report")
@role_required(Role.VIEWER)
def report():
    """The committee highlight report for a period, made to print on A4."""
    period = ReportPeriodForm.from_query()
    return render_template("reports/report.html", **report_page(plan_for_request(), period, current_viewer())), \
        422 if period.errors else 200


@reports_bp.get("/print-head.css")
def print_head():
    """A printed report's running header and footer: its plan, period and version as literal text in the
    page margins (anyone may load it: it only repeats, escaped, the words it is given)."""
    words = PrintHeadForm.from_query()
    css = running_css(*(words.cleaned(name, "") for name in ("head", "period", "version")))
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=86400"})


@reports_bp.route("/kpis", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def kpis():
    """The KPI panel; admins add a quarter's value or a new measure."""
    plan = plan_for_request()
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
                    measure = db.first_or_404(select(KpiMeasure).where(
                        KpiMeasure.id == value_form.measure.data, KpiMeasure.plan_id == plan.id))
                    record_value(measure, value_form.quarter.data, value_form.value.data, current_user,
                                 replaces=value_form.replaces.data)
                    flash(f"{measure.name}: {value_form.quarter.data} recorded.", "success")
                else:
                    add_measure(plan, measure_form.name.data, measure_form.unit.data, measure_form.target.data,
                                current_user)
                    flash(f"Measure “{measure_form.name.data}” added.", "success")
                return redirect(url_for("reports.kpis"), 303)
            except KpiConflict as conflict:
                value_form.value.errors = [str(conflict)]
                value_form.replaces.data = conflict.current.value  # recording again corrects it
                value_form.replaces.raw_data = [f"{conflict.current.value:g}"]
                status = 409
            except KpiRefused as refused:
                getattr(form, refused.field).errors = [str(refused)]
        status = 409 if status == 409 else 422
    return render_template("reports/kpis.html", plan=plan, kpis=kpi_panel(plan), value_form=value_form,
                           measure_form=measure_form), status


def _export(extension: str, mimetype: str, body) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="improvement-plan-actions-{today().isoformat()}.{extension}"'})


def _rows(plan):
    """Every action the board's filters (in the URL) show."""
    return export_rows(plan, BoardFilterForm.from_query().board_filter(current_viewer().user), today())


@reports_bp.get("/export.csv")
@role_required(Role.VIEWER)
def export_csv():
    """Every action shown by the board's filters, as CSV (UTF-8, opens cleanly in Excel)."""
    return _export("csv", "text/csv; charset=utf-8", to_csv(_rows(plan_for_request())))


@reports_bp.get("/export.xlsx")
@role_required(Role.VIEWER)
def export_xlsx():
    """Every action shown by the board's filters, as an Excel workbook."""
    plan = plan_for_request()
    return _export("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   to_xlsx(_rows(plan), plan.title))
