"""The committee highlight report for a period (signed in, or read-only through a share link)."""
from __future__ import annotations

from board.clock import today
from board.reports.forms import ReportPeriodForm
from board.services.report import build_report
from board.services.scorecard import scorecard
from models import Plan


def report_page(plan: Plan, period: ReportPeriodForm) -> dict:
    start, end, problem = period.period(today())
    return {"plan": plan, "report": build_report(plan, start, end, today()), "today": today(),
            "period_form": period, "problem": problem, "groups": scorecard(plan)}
