"""Committee papers: the plan owner drafts a highlight report and publishes it; everyone signed in reads
every publication and version, and downloads its PDF."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from board.forms import ConfirmForm
from board.publications.forms import DraftForm, PublishForm, StartDraftForm
from board.security import role_required
from board.services import publications
from board.views import publications as views
from board.views.viewer import current_viewer, plan_for_request
from models import Publication, ReportDraft, Role

publications_bp = Blueprint("publications", __name__, url_prefix="/publications")


def _urls(number: int) -> views.PaperUrls:
    """A signed-in reader's URLs for publication `number`'s versions, PDFs and board as it was."""
    return views.PaperUrls(
        version=lambda version: url_for("publications.publication", number=number, version=version),
        pdf=lambda version: url_for("publications.pdf", number=number, version=version),
        board=lambda version: url_for("publications.board_then", number=number, version=version))


def _draft(draft_id: int) -> ReportDraft:
    return publications.find_draft(plan_for_request(), draft_id) or abort(404, description="There is no such draft.")


def _publication(number: int, version: int | None = None) -> Publication:
    return publications.find_publication(plan_for_request(), number, version) or abort(
        404, description=f"There is no publication {number}{f', version {version}' if version else ''}.")


@publications_bp.get("/")
@role_required(Role.VIEWER)
def index():
    """Every publication of the plan, newest first; the plan owner's drafts and a form to start one."""
    return render_template("publications/index.html", **views.index_page(plan_for_request(), current_viewer()))


@publications_bp.post("/drafts")
@role_required(Role.ADMIN)
def start():
    """Start a draft for a period, then write its narrative."""
    plan = plan_for_request()
    form = StartDraftForm()
    if not form.validate_on_submit():
        return render_template("publications/index.html",
                               **views.index_page(plan, current_viewer(), start_form=form)), 422
    draft = publications.start_draft(plan, form.start.data, form.end.data, current_user)
    flash("Draft started: write the narrative, then publish it.", "success")
    return redirect(url_for("publications.draft", draft_id=draft.id), 303)


def _published_instead(found: ReportDraft):
    """A draft published meanwhile is its publication now."""
    published = publications.publication_by_id(found.published_id)
    flash(f"This draft is published as publication {published.number}, version {published.version}.", "success")
    return redirect(url_for("publications.publication", number=published.number, version=published.version), 303)


def _refuse(form: DraftForm, refused: publications.DraftRefused) -> None:
    """Say why inline, on the field it concerns (a form not yet validated holds its errors in a tuple)."""
    field = getattr(form, refused.field or "start")
    field.errors = [*field.errors, str(refused)]


@publications_bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def draft(draft_id: int):
    """The draft's narrative (saved naming the version it was read at) and a preview of the report."""
    plan, found = plan_for_request(), _draft(draft_id)
    if found.published_id:
        return _published_instead(found)
    if request.method == "GET":
        return render_template("publications/draft.html", **views.draft_page(plan, found, views.draft_form(plan, found)))
    form = views.label_areas(plan, DraftForm())
    if not form.validate_on_submit():
        return render_template("publications/draft.html", **views.draft_page(plan, found, form)), 422
    try:
        publications.save_draft(found, current_user, form.version.data, start=form.start.data, end=form.end.data,
                                words={name: getattr(form, name).data or "" for name in publications.NARRATIVE_FIELDS},
                                area_commentary=views.area_words(plan, form),
                                correction_reason=form.correction_reason.data)
    except publications.DraftConflict as conflict:
        form.version.catch_up(conflict.draft.version)
        return render_template("publications/draft.html",
                               **views.draft_page(plan, conflict.draft, form, conflict=str(conflict))), 409
    except publications.DraftRefused as refused:
        _refuse(form, refused)
        return render_template("publications/draft.html", **views.draft_page(plan, found, form)), 422
    flash("Draft saved.", "success")
    return redirect(url_for("publications.draft", draft_id=found.id), 303)


@publications_bp.post("/drafts/<int:draft_id>/publish")
@role_required(Role.ADMIN)
def publish(draft_id: int):
    """Freeze the draft as the next publication (or the next version of the one it corrects)."""
    plan, found = plan_for_request(), _draft(draft_id)
    if found.published_id:
        return _published_instead(found)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400, description="This form is out of date: reload the page.")
    try:
        published = publications.publish(found, current_user, form.version.data)
    except publications.DraftConflict as conflict:
        flash(str(conflict), "error")
        return render_template("publications/draft.html",
                               **views.draft_page(plan, conflict.draft, views.draft_form(plan, conflict.draft))), 409
    except publications.DraftRefused as refused:
        edit = views.draft_form(plan, found)
        _refuse(edit, refused)
        return render_template("publications/draft.html", **views.draft_page(plan, found, edit)), 422
    flash(f"Published as publication {published.number}, version {published.version}: it is frozen now.", "success")
    return redirect(url_for("publications.publication", number=published.number, version=published.version), 303)


@publications_bp.post("/drafts/<int:draft_id>/discard")
@role_required(Role.ADMIN)
def discard(draft_id: int):
    """Drop a draft that was never published."""
    found = _draft(draft_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    publications.discard_draft(found, current_user)
    flash("Draft discarded.", "success")
    return redirect(url_for("publications.index"), 303)


@publications_bp.get("/<int:number>")
@publications_bp.get("/<int:number>/v<int:version>")
@role_required(Role.VIEWER)
def publication(number: int, version: int | None = None):
    """A publication as published (its latest version, or the one asked for)."""
    found = _publication(number, version)
    return render_template("publications/publication.html",
                           **views.paper_page(found, current_viewer(), _urls(number)))


@publications_bp.get("/<int:number>/v<int:version>.pdf")
@role_required(Role.VIEWER)
def pdf(number: int, version: int):
    """The publication's PDF (A4): made once, then always the same file."""
    found = _publication(number, version)
    return Response(views.publication_pdf(found, current_viewer(), _urls(number)), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{views.pdf_name(found)}"'})


@publications_bp.get("/<int:number>/v<int:version>/board")
@role_required(Role.VIEWER)
def board_then(number: int, version: int):
    """The board as the publication stored it, at the end of its period."""
    found = _publication(number, version)
    return render_template("publications/board.html", **views.board_then_page(found, current_viewer(), _urls(number)))


@publications_bp.post("/<int:number>/correct")
@role_required(Role.ADMIN)
def correct(number: int):
    """Start a correction: a draft of the next version, its narrative ready to change and its reason to give."""
    latest = _publication(number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    correction = publications.correction_draft(latest, current_user)
    flash(f"Correcting publication {number}: change what was wrong, say why, then publish version "
          f"{latest.version + 1}.", "success")
    return redirect(url_for("publications.draft", draft_id=correction.id), 303)
