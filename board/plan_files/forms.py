from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from board.forms import Form
from board.services.plans import PlanChoiceError, free_slug
from models import Plan

UPDATE, NEW = "update", "new"


class PlanUploadForm(Form):
    file = FileField("Plan file", validators=[
        FileRequired("Choose the spreadsheet to import."),
        FileAllowed(["xlsx", "csv", "json"], "Choose an Excel workbook (.xlsx), a CSV file (.csv) or a plan file "
                                             "(.json)."),
    ], render_kw={"accept": ".xlsx,.csv,.json"}, description="An Excel workbook (.xlsx) or CSV file laid out like the template. Nothing is written "
                   "until you have seen the preview and confirmed it.")
    into = RadioField("Import it as")
    slug = StringField("Name of the new plan", description="Only for a new plan: its name in web addresses "
                       "(/plans/2024-25/), lower-case letters, digits and hyphens, like 2024-25.",
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField("Preview the import")

    def __init__(self, *args, plan: Plan | None = None, **kwargs) -> None:
        """`plan`: the plan in view, which the file may update (not an archived one); None: only a new plan."""
        super().__init__(*args, **kwargs)
        self.plan = plan if plan is not None and not plan.archived else None
        self.into.choices = ([SelectChoice(UPDATE, f"An update of “{self.plan.title}” ({self.plan.slug})")]
                             if self.plan is not None else []) + [SelectChoice(NEW, "A new plan")]
        if not getattr(self.into, "raw_data", None):  # nothing chosen yet: the first choice
            self.into.data = self.into.choices[0].value

    def validate_slug(self, field) -> None:
        field.data = (field.data or "").strip()
        if self.into.data != NEW:
            return
        if not field.data:
            raise ValidationError("Name the new plan, like 2024-25.")
        try:
            free_slug(field.data)
        except PlanChoiceError as refused:
            raise ValidationError(str(refused)) from None

    @property
    def new_slug(self) -> str | None:
        """The new plan's slug, or None for an update of the plan in view."""
        return self.slug.data if self.into.data == NEW else None


class ConfirmImportForm(Form):
    """Confirms a previewed import: carries the file's data and where it goes, signed (board/views/plan_import.py)."""

    upload = HiddenField(validators=[InputRequired("This preview has expired: upload the file again.")])
    submit = SubmitField("Import")
