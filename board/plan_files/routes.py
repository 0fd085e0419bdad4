"""Plan files: the spreadsheet template, the plan as a filled one, and importing one with a preview."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from board.clock import today
from board.plan_files.forms import ConfirmImportForm, PlanUploadForm
from board.security import role_required
from board.services.plan_data import plan_as_data
from board.services.plan_file import MAX_FILE_BYTES, PlanFileInvalid
from board.services.plan_sheet import CSV_TYPE, XLSX_TYPE, plan_csv, plan_workbook
from board.services.plan_upload import PlanUpload, import_checked, preview_import, read_upload, recheck
from board.views.plan_import import is_stale, open_upload, sign_upload
from board.views.viewer import plan_for_request
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
    """The plan as a filled template (`kind` "xlsx" or "csv"), to edit and import back as an update.

    /plan.xlsx serves the request's plan through this; a /plans/<slug>/plan.xlsx route calls it too."""
    data = plan_as_data(plan)
    name = f"improvement-plan-{today().isoformat()}.{kind}"
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


def _upload_page(plan: Plan, form: PlanUploadForm, status: int, problems=None, file_name: str = ""):
    return render_template("plan_files/import.html", plan=plan, form=form, problems=problems or [],
                           file_name=file_name, limit_mb=_limit_mb()), status


def _preview_page(plan: Plan, upload: PlanUpload, status: int = 200):
    form = ConfirmImportForm(formdata=None, upload=sign_upload(upload.file_name, upload.given, plan))
    return render_template("plan_files/preview.html", plan=plan, file_name=upload.file_name, form=form,
                           preview=preview_import(upload.data, plan)), status


def _limit_mb() -> str:
    limit = min(current_app.config.get("MAX_CONTENT_LENGTH") or MAX_FILE_BYTES, MAX_FILE_BYTES)
    return f"{limit / (1024 * 1024):g}"


@plan_files_bp.route("/import-plan", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def upload():
    """Upload a plan spreadsheet and see what importing it would do (nothing is written yet)."""
    plan = plan_for_request()
    form = PlanUploadForm()
    if not form.validate_on_submit():
        return _upload_page(plan, form, 422 if form.is_submitted() else 200)
    file = form.file.data
    try:
        checked = read_upload(file.read(MAX_FILE_BYTES + 1), file.filename or "", plan)
    except PlanFileInvalid as refused:
        return _upload_page(plan, form, 422, refused.problems, file.filename)
    return _preview_page(plan, checked)


@plan_files_bp.post("/import-plan/confirm")
@role_required(Role.ADMIN)
def confirm():
    """Import the previewed file in one transaction, as an update of the plan (statuses kept)."""
    plan = plan_for_request()
    form = ConfirmImportForm()
    upload = open_upload(form.upload.data) if form.validate_on_submit() else None
    if upload is None or upload.plan_id != plan.id:
        form = PlanUploadForm(formdata=None)
        form.file.errors = ["This preview has expired or was not made for this plan: upload the file again."]
        return _upload_page(plan, form, 422)
    try:
        checked = recheck(upload.file_name, upload.given, plan)
    except PlanFileInvalid as refused:
        return _upload_page(plan, PlanUploadForm(formdata=None), 409, refused.problems, upload.file_name)
    if is_stale(upload, plan):
        flash("The plan changed after this preview was made, so nothing was imported. This is what the file "
              "would change now: check it and confirm again.", "error")
        return _preview_page(plan, checked, status=409)
    summary = import_checked(checked.data, plan, current_user, upload.file_name)
    if summary.changed:
        added, changed = summary.actions_added, len(summary.actions_updated)
        flash(f"Imported {upload.file_name}: {added} action{'s' if added != 1 else ''} added, {changed} changed. "
              "Statuses, history and evidence are as they were.", "success")
    else:
        flash(f"Imported {upload.file_name}: nothing changed, the board already holds this plan.", "success")
    return redirect(url_for("plan.board"), 303)


@plan_files_bp.errorhandler(413)
def too_large(error):
    """A file over the request limit: the upload page again, saying the limit."""
    form = PlanUploadForm(formdata=None)
    form.file.errors = [(f"The file is larger than {_limit_mb()} MB, the most this board accepts, so it was not "
                        "read. A plan's spreadsheet is far smaller: save it without pictures or other sheets.")]
    return _upload_page(plan_for_request(), form, 413)
