"""The highlight report as a page: live for a period, a draft's preview, or a publication (signed in, or
through a committee's link), with what the paper says it is, its running head and its trend chart."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for

from board.clock import local_date, today
from board.reports.forms import ReportPeriodForm
from board.services.glossary import short_forms, terms
from board.services.publications import snapshot_of, versions_of
from board.services.report import build_report
from board.services.report_model import ReportSnapshot
from board.views.trend import trend_chart
from board.views.viewer import Viewer
from models import Plan, Publication, ReportDraft


@dataclass(frozen=True)
class VersionLink:
    version: int
    published_on: date
    url: str


@dataclass(frozen=True)
class Paper:
    """What a report page is, said plainly at its head and in its printed margins."""

    kind: str                       # "live", "draft" or "published"
    statement: str
    version_words: str              # the printed footer's words for it
    number: int | None = None
    version: int | None = None
    published_on: date | None = None
    correction_reason: str | None = None
    versions: list[VersionLink] = field(default_factory=list)


def _short(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def live_paper(snap: ReportSnapshot) -> Paper:
    return Paper("live", f"Live report, not published: the board's history as at {snap.end.day} {snap.end:%B %Y}. "
                         "It is not a committee paper until the plan owner publishes it.",
                 f"Live report, not published (as at {_short(snap.end)})")


def draft_paper(draft: ReportDraft) -> Paper:
    what = f"a correction of publication {draft.corrects_number}" if draft.corrects_number else "a draft"
    return Paper("draft", f"Preview of {what}, not published: the figures are as the board's history gives them "
                          "today; publishing freezes them.", "Draft, not published")


def published_paper(publication: Publication, viewer: Viewer, version_url) -> Paper:
    """A publication's head: number, version, date, who signed it, and every version's link."""
    signer = viewer.person_words(publication.published_by_name, publication.published_by_role)
    published_on = local_date(publication.published_at)
    statement = (f"Publication {publication.number}, version {publication.version}: published on "
                 f"{published_on.day} {published_on:%B %Y} by {signer}. A frozen committee paper: later changes "
                 "on the board do not alter it.")
    return Paper("published", statement,
                 f"Publication {publication.number}, version {publication.version}, published {_short(published_on)}",
                 publication.number, publication.version, published_on, publication.correction_reason,
                 [VersionLink(row.version, local_date(row.published_at), version_url(row.version))
                  for row in versions_of(publication.plan_id, publication.number)])


def report_context(snap: ReportSnapshot, paper: Paper, *, live_links: bool = False) -> dict:
    """What report_body.html needs: the snapshot, what it is, its chart, its glossary, its printed margins."""
    head = " · ".join(part for part in (snap.plan_title, snap.organisation) if part)
    return {"snap": snap, "paper": paper, "live_links": live_links,
            "chart": trend_chart([(point.on, point.counts) for point in snap.trend]),
            "glossary_terms": terms(snap.stale_days),
            "print_head_url": url_for("reports.print_head", head=head,
                                      period=f"Highlight report, {_short(snap.start)} to {_short(snap.end)}",
                                      version=paper.version_words)}


def report_page(plan: Plan, period: ReportPeriodForm, viewer: Viewer) -> dict:
    """The live report for the period asked for (four weeks to today by default)."""
    start, end, problem = period.period(today())
    snap = build_report(plan, start, end)
    return {"plan": plan, "period_form": period, "problem": problem,
            **report_context(snap, live_paper(snap), live_links=True)}


def publication_page(publication: Publication, viewer: Viewer, version_url) -> dict:
    """A publication as stored: nothing on it is read from the board as it is now."""
    return {"publication": publication,
            **report_context(snapshot_of(publication), published_paper(publication, viewer, version_url))}


def committee_glossary(plan: Plan, stale_days: int) -> dict:
    """The glossary every committee page ends with."""
    return {"glossary_terms": terms(stale_days), "short_forms": short_forms(plan)}


def overview_extras(plan: Plan) -> dict:
    """The overview's trend since the plan began and its exceptions: those of a report as at today, so
    the overview and the committee's report never disagree."""
    snap = build_report(plan, today(), today())
    return {"chart": trend_chart([(point.on, point.counts) for point in snap.trend]), "exception_groups": snap.exceptions,
            "exception_count": snap.exception_count, "live_links": True}
