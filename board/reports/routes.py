"""The plan owner's overview and the exports of all actions."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request

from board.plan.filters import board_filter_from_request
from board.plan.routes import plan_or_404
from board.security import role_required
from board.services.clock import today
from board.services.exports import export_rows, to_csv, to_xlsx
from board.services.overview import build_overview
from board.services.report import build_report
from models import Role

reports_bp = Blueprint("reports", __name__)


@reports_bp.get("/overview")
@role_required(Role.VIEWER)
def overview():
    """Areas by status with every number linking to those cards; exceptions; due soon; ratings."""
    plan = plan_or_404()
    return render_template("reports/overview.html", plan=plan, overview=build_overview(plan, today()),
                           today=today())


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
                           today=today(), problem=problem)


@reports_bp.get("/report")
@role_required(Role.VIEWER)
def report():
    """The committee highlight report for a period, made to print on A4."""
    return render_report(plan_or_404())


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

