"""The plan owner's overview and the exports of all actions."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from board.plan.filters import board_filter_from_request
from board.plan.routes import plan_or_404
from board.security import role_required
from board.services.clock import today
from board.services.exports import export_rows, to_csv, to_xlsx
from board.services.overview import build_overview
from models import Role

reports_bp = Blueprint("reports", __name__)


@reports_bp.get("/overview")
@role_required(Role.VIEWER)
def overview():
    """Areas by status with every number linking to those cards; exceptions; due soon; ratings."""
    plan = plan_or_404()
    return render_template("reports/overview.html", plan=plan, overview=build_overview(plan, today()),
                           today=today())


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

