"""The plan owner's overview, the committee highlight report, KPIs and the exports of all actions."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from board.clock import today
from board.forms import BoardFilterForm
from board.htmx import announce, is_htmx_request, render_page_or_partial
from board.reports.forms import MeasurePageForm, PrintHeadForm, ReportPeriodForm, ScorecardForm
from board.security import role_required
from board.services import kpis as kpi_service
from board.services.exports import export_rows, to_csv, to_xlsx
from board.services.kpis import KpiConflict, KpiRefused, MeasureConflict
from board.services.overview import build_overview
from board.services.periods import label as period_label
from board.services.scorecard import scorecard
from board.services.update_requests import outstanding_by_person
from board.views import measures as measure_views
from board.views.printing import running_css
from board.views.reports import overview_extras, report_page
from board.views.viewer import current_viewer, plan_for_request
from models import KpiMeasure, Role, db

reports_bp = Blueprint("reports", __name__)


@reports_bp.get("/overview")
@role_required(Role.VIEWER)
def overview():
    """Areas by status with every number linking to those cards; exceptions; due soon; update requests
    still outstanding, by person; ratings."""
    plan = plan_for_request()
    return render_template("reports/overview.html", plan=plan, overview=build_overview(plan, today()),
                           today=today(), groups=scorecard(plan), outstanding=outstanding_by_person(plan),
                           **overview_extras(plan))


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


@reports_bp.get("/kpis")
@role_required(Role.VIEWER)
def kpis():
    """The scorecard: every measure by period, rated against its target; admins add measures."""
    query = ScorecardForm.from_query()
    return render_template("reports/kpis.html", **measure_views.scorecard_page(
        plan_for_request(), current_viewer(), query)), 422 if query.errors else 200


@reports_bp.post("/kpis/measures")
@role_required(Role.ADMIN)
def add_measure():
    """Add a measure (admins), then go to its page."""
    plan = plan_for_request()
    form = measure_views.measure_form(plan, posted=True)
    if form.validate_on_submit():
        try:
            measure = kpi_service.add_measure(plan, measure_views.definition(plan, form), current_user)
        except KpiRefused as refused:
            form[refused.field].errors.append(str(refused))
        else:
            flash(f"Measure “{measure.name}” added.", "success")
            return redirect(url_for("reports.measure", measure_id=measure.id), 303)
    return render_template("reports/kpis.html", **measure_views.scorecard_page(
        plan, current_viewer(), ScorecardForm.from_query(), form)), 422


def _measure(plan, measure_id: int) -> KpiMeasure:
    return db.first_or_404(kpi_service.measure_query(plan, measure_id), description="There is no such measure.")


@reports_bp.get("/kpis/<int:measure_id>")
@role_required(Role.VIEWER)
def measure(measure_id: int):
    """One measure: what it is, every value with its corrections, and the forms to record and change it."""
    plan = plan_for_request()
    query = MeasurePageForm.from_query()
    return render_template("reports/measure.html", **measure_views.measure_page(
        plan, _measure(plan, measure_id), current_viewer(), correcting_id=query.cleaned("correct")))


@reports_bp.post("/kpis/<int:measure_id>")
@role_required(Role.ADMIN)
def change_measure(measure_id: int):
    """Change what a measure is (admins); a form older than the measure is refused with both versions."""
    plan = plan_for_request()
    measure = _measure(plan, measure_id)
    form = measure_views.change_form(plan, measure, posted=True)
    status = 422
    if form.validate_on_submit():
        try:
            kpi_service.change_measure(measure, measure_views.definition(plan, form), current_user, form.version.data)
        except MeasureConflict as conflict:
            db.session.rollback()
            form.name.errors.append(str(conflict))
            form.version.catch_up(conflict.measure.version)
            status = 409
        except KpiRefused as refused:
            db.session.rollback()
            form[refused.field].errors.append(str(refused))
        else:
            flash(f"Measure “{measure.name}” saved.", "success")
            return redirect(url_for("reports.measure", measure_id=measure.id), 303)
    return render_template("reports/measure.html", **measure_views.measure_page(
        plan, _measure(plan, measure_id), current_viewer(), change_form_=form)), status


@reports_bp.post("/kpis/<int:measure_id>/values")
@role_required(Role.CONTRIBUTOR)
def record_value(measure_id: int):
    """Record a value for a period (the measure's owners and admins); a correction keeps the earlier one."""
    plan = plan_for_request()
    measure = _measure(plan, measure_id)
    if not kpi_service.may_record(current_user, measure):
        abort(403)
    form = measure_views.value_form(measure, posted=True)
    status = 422
    if form.validate_on_submit():
        try:
            value = kpi_service.record_value(measure, form.period.data, form.value.data, current_user,
                                             form.source_note.data, replaces=form.replaces.data,
                                             reason=form.reason.data)
        except KpiConflict as conflict:
            form.value.errors.append(str(conflict))
            form.replaces.data, form.replaces.raw_data = conflict.current.id, [str(conflict.current.id)]
            status = 409
        except KpiRefused as refused:
            form[refused.field].errors.append(str(refused))
        else:
            message = (f"{measure.name}: {period_label(value.period)} "
                       f"{'corrected' if value.corrects_id else 'recorded'}.")
            if not is_htmx_request():
                flash(message, "success")
                return redirect(url_for("reports.measure", measure_id=measure.id) + "#values", 303)
            return announce(render_page_or_partial("reports/measure.html", "partials/measure_values.html",
                                                   **measure_views.measure_page(plan, measure, current_viewer())),
                            message, focus="#values-title")
    return render_page_or_partial("reports/measure.html", "partials/measure_values.html", status,
                                  **measure_views.measure_page(plan, measure, current_viewer(), value_form_=form))


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
