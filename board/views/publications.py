"""Committee papers as pages: the list, a draft with its preview, a publication, the board as it was,
and a publication's PDF (made once from the page's own HTML and print styles, then kept)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import render_template
from sqlalchemy import select

from board.clock import today
from board.forms import ConfirmForm
from board.publications.forms import DraftForm, PublishForm, StartDraftForm
from board.services import publications
from board.services.glossary import terms
from board.services.report import build_report
from board.services.report_model import ReportSnapshot
from board.views.printing import pdf_of
from board.views.reports import draft_paper, publication_page, report_context
from board.views.viewer import Viewer
from models import Area, Plan, Publication, ReportDraft, Status, db

QUARTER_DAYS = 91


@dataclass(frozen=True)
class PaperUrls:
    """Where a publication's versions, PDFs and board-as-it-was live for this viewer (signed in, or
    inside a committee's link)."""

    version: object        # version -> URL of that version's page
    pdf: object            # version -> URL of its PDF
    board: object          # version -> URL of the board as it was


def index_page(plan: Plan, viewer: Viewer, start_form: StartDraftForm | None = None) -> dict:
    """Every publication of the plan; for the plan owner, the drafts and a form to start one."""
    owner = viewer.may("admin")
    if start_form is None and owner:
        start_form = StartDraftForm(formdata=None, start=today() - timedelta(days=QUARTER_DAYS), end=today())
    return {"plan": plan, "entries": publications.publications(plan),
            "drafts": publications.open_drafts(plan) if owner else [], "start_form": start_form}


def _areas(plan: Plan) -> list[Area]:
    return list(db.session.scalars(select(Area).where(Area.plan_id == plan.id).order_by(Area.number)))


def draft_form(plan: Plan, draft: ReportDraft) -> DraftForm:
    """The draft's form as saved, with a commentary box for each area."""
    form = DraftForm(formdata=None, obj=draft, start=draft.period_start, end=draft.period_end,
                     area_commentary=[(draft.area_commentary or {}).get(str(area.number), "") for area in _areas(plan)])
    return label_areas(plan, form)


def label_areas(plan: Plan, form: DraftForm) -> DraftForm:
    """Name each commentary box after its area (the boxes follow the areas' order)."""
    areas = _areas(plan)
    while len(form.area_commentary) < len(areas):
        form.area_commentary.append_entry("")
    for entry, area in zip(form.area_commentary, areas, strict=False):
        entry.label.text = f"Area {area.number}: {area.title} (optional)"
    return form


def area_words(plan: Plan, form: DraftForm) -> dict[str, str]:
    return {str(area.number): entry.data or "" for entry, area in zip(form.area_commentary, _areas(plan), strict=False)}


def draft_page(plan: Plan, draft: ReportDraft, form: DraftForm, conflict: str | None = None) -> dict:
    """The draft's form and, below it, the report as it would be published now."""
    snap = build_report(plan, draft.period_start, draft.period_end, publications.narrative_of(draft))
    return {"plan": plan, "draft": draft, "form": form, "conflict": conflict,
            "publish_form": PublishForm(formdata=None, version=draft.version), "confirm": ConfirmForm(),
            **report_context(snap, draft_paper(draft), live_links=True)}


def paper_page(publication: Publication, viewer: Viewer, urls: PaperUrls) -> dict:
    context = publication_page(publication, viewer, urls.version)
    return {**context, "pdf_url": urls.pdf(publication.version), "board_url": urls.board(publication.version),
            "confirm": None if viewer.read_only else ConfirmForm()}


def board_then_page(publication: Publication, viewer: Viewer, urls: PaperUrls) -> dict:
    """The board as the publication stored it: every action in its area and status at the period's end."""
    snap: ReportSnapshot = publications.snapshot_of(publication)
    lanes = [(area, {status: [line for line in snap.actions if line.area == area.number
                              and line.status_end == status.value] for status in Status})
             for area in snap.areas]
    return {"publication": publication, "snap": snap, "lanes": lanes, "paper_url": urls.version(publication.version),
            "glossary_terms": terms(snap.stale_days), "short_forms": snap.short_forms}


def pdf_name(publication: Publication) -> str:
    return (f"highlight-report-{publication.number}-version-{publication.version}-"
            f"{publication.period_end.isoformat()}.pdf")


def publication_pdf(publication: Publication, viewer: Viewer, urls: PaperUrls) -> bytes:
    """The publication's PDF: the one kept, else made now from its page and kept for good."""
    with_names = viewer.shows_names
    kept = publications.kept_pdf(publication, with_names)
    if kept is not None:
        return kept
    html = render_template("publications/paper_pdf.html", **paper_page(publication, viewer, urls))
    return publications.keep_pdf(publication, with_names, pdf_of(html))
