from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired

from board.forms import Form


class PlanUploadForm(Form):
    file = FileField("Plan file", validators=[
        FileRequired("Choose the spreadsheet to import."),
        FileAllowed(["xlsx", "csv", "json"], "Choose an Excel workbook (.xlsx), a CSV file (.csv) or a plan file "
                                             "(.json)."),
    ], render_kw={"accept": ".xlsx,.csv,.json"}, description="An Excel workbook (.xlsx) or CSV file laid out like the template. Nothing is written "
                   "until you have seen the preview and confirmed it.")
    submit = SubmitField("Preview the import")


class ConfirmImportForm(Form):
    """Confirms a previewed import: carries the file's data, signed (see board/views/plan_import.py).

    To import as a new plan (several plans), add the new plan's slug here and pass `plan=None`."""

    upload = HiddenField(validators=[InputRequired("This preview has expired: upload the file again.")])
    submit = SubmitField("Import and update the plan")
