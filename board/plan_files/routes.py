"""Plan files: the spreadsheet template, the plan as a filled one, and importing one with a preview."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from board.clock import today
from board.plan_files.forms import NEW, ConfirmImportForm, PlanUploadForm
from board.security import role_required
from board.services.plan_data import plan_as_data
from board.services.plan_file import MAX_FILE_BYTES, PlanFileInvalid
from board.services.plan_sheet import CSV_TYPE, XLSX_TYPE, plan_csv, plan_workbook
from board.services.plan_upload import PlanUpload, import_checked, preview_import, read_upload, recheck
from board.services.plans import PlanChoiceError
from board.views.plan_import import imported_message, is_stale, open_upload, sign_upload
from board.views.viewer import install_plans, plan_for_request, plan_url
from models import Plan, Role

plan_files_bp = Blueprint("plan_files", __name__)


def _download(body, file_name: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


@plan_files_bp.get("/plans/template.xlsx")
@role_required(Role.VIEWER)
def template_xlsx():
    """The blank plan template: Actions, Plan, Areas and a Guide with an example row."""
    return _download(plan_workbook(), "improvement-plan-template.xlsx", XLSX_TYPE)


@plan_files_bp.get("/plans/template.csv")
@role_required(Role.VIEWER)
def template_csv():
    """The blank template as CSV: the header fields, then the Actions table's headings."""
    return _download(plan_csv(), "improvement-plan-template.csv", CSV_TYPE)


def plan_spreadsheet(plan: Plan, kind: str) -> Response:
    """The plan as a filled template (`kind` "xlsx" or "csv"), to edit and import back as an update
    (/plan.xlsx is the live plan's, /plans/<slug>/plan.xlsx that plan's)."""
    data = plan_as_data(plan)
    name = f"improvement-plan-{plan.slug}-{today().isoformat()}.{kind}"
    if kind == "csv":
        return _download(plan_csv(data), name, CSV_TYPE)
    return _download(plan_workbook(data), name, XLSX_TYPE)


@plan_files_bp.get("/plan.xlsx")
@role_required(Role.VIEWER)
def plan_xlsx():
    """The plan as a filled Excel template (statuses included; history and evidence stay on the board)."""
    return plan_spreadsheet(plan_for_request(), "xlsx")


@plan_files_bp.get("/plan.csv")
@role_required(Role.VIEWER)
def plan_csv_file():
    """The plan as a filled CSV template."""
    return plan_spreadsheet(plan_for_request(), "csv")


def _plan_in_view() -> Plan | None:
    """The plan the page is about; None on an install with no plan yet (the import makes the first)."""
    return plan_for_request() if install_plans() else None


def _upload_page(plan: Plan | None, form: PlanUploadForm, status: int, problems=None, file_name: str = ""):
    return render_template("plan_files/import.html", plan=plan, form=form, problems=problems or [],
                           file_name=file_name, limit_mb=_limit_mb()), status


def _preview_page(plan: Plan | None, upload: PlanUpload, new_slug: str | None, status: int = 200):
    """What importing `upload` would do to `plan` (None: as the new plan `new_slug`), and the confirm form."""
    form = ConfirmImportForm(formdata=None, upload=sign_upload(upload.file_name, upload.given, plan, new_slug))
    return render_template("plan_files/preview.html", plan=plan, new_slug=new_slug, file_name=upload.file_name,
                           form=form, preview=preview_import(upload.data, plan)), status


def _limit_mb() -> str:
    limit = min(current_app.config.get("MAX_CONTENT_LENGTH") or MAX_FILE_BYTES, MAX_FILE_BYTES)
    return f"{limit / (1024 * 1024):g}"


@plan_files_bp.route("/import-plan", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def upload():
    """Upload a plan spreadsheet and see what importing it would do (nothing is written yet): as an update
    of the plan in view, or as a new plan."""
    in_view = _plan_in_view()
    form = PlanUploadForm(plan=in_view)
    if not form.validate_on_submit():
        return _upload_page(in_view, form, 422 if form.is_submitted() else 200)
    target = None if form.new_slug else form.plan
    file = form.file.data
    try:
        checked = read_upload(file.read(MAX_FILE_BYTES + 1), file.filename or "", target)
    except PlanFileInvalid as refused:
        return _upload_page(in_view, form, 422, refused.problems, file.filename)
    return _preview_page(target, checked, form.new_slug)


def _refused(in_view: Plan | None, message: str, status: int, new_slug: str | None = None):
    """The upload page again, the file field (or the new plan's name) saying why nothing was imported."""
    form = PlanUploadForm(formdata=None, plan=in_view)
    if new_slug:
        form.into.data, form.slug.data, form.slug.errors = NEW, new_slug, [message]
    else:
        form.file.errors = [message]
    return _upload_page(in_view, form, status)


@plan_files_bp.post("/import-plan/confirm")
@role_required(Role.ADMIN)
def confirm():
    """Import the previewed file in one transaction: an update of the plan (statuses kept), or a new plan."""
    in_view = _plan_in_view()
    form = ConfirmImportForm()
    upload = open_upload(form.upload.data) if form.validate_on_submit() else None
    if upload is None or (upload.new_slug is None and (in_view is None or upload.plan_id != in_view.id)):
        return _refused(in_view, "This preview has expired or was not made for this plan: upload the file again.", 422)
    target = None if upload.new_slug else in_view
    if target is not None and target.archived:
        return _refused(in_view, f"{target.slug} is archived, so nothing in it can change: import the file as a new "
                                 "plan instead.", 409)
    try:
        checked = recheck(upload.file_name, upload.given, target)
    except PlanFileInvalid as refused:
        return _upload_page(in_view, PlanUploadForm(formdata=None, plan=in_view), 409, refused.problems,
                            upload.file_name)
    if target is not None and is_stale(upload, target):
        flash("The plan changed after this preview was made, so nothing was imported. This is what the file "
              "would change now: check it and confirm again.", "error")
        return _preview_page(target, checked, None, status=409)
    try:
        summary = import_checked(checked.data, target, current_user, upload.file_name, upload.new_slug)
    except PlanChoiceError as refused:  # the name was taken after the preview
        return _refused(in_view, str(refused), 409, upload.new_slug)
    except PlanFileInvalid as refused:  # an earlier plan's action was carried forward by another meanwhile
        return _upload_page(in_view, PlanUploadForm(formdata=None, plan=in_view), 409, refused.problems,
                            upload.file_name)
    flash(imported_message(upload.file_name, summary), "success")
    return redirect(plan_url(summary.slug, "plan.board") if summary.created_plan else url_for("plan.board"), 303)


@plan_files_bp.errorhandler(413)
def too_large(error):
    """A file over the request limit: the upload page again, saying the limit."""
    return _refused(_plan_in_view(), f"The file is larger than {_limit_mb()} MB, the most this board accepts, so it "
                                     "was not read. A plan's spreadsheet is far smaller: save it without pictures or "
                                     "other sheets.", 413)
