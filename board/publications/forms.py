from wtforms import FieldList, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from board.forms import Form, IsoDateField, VersionField, plausible_date

MAX_AREAS = 100


class _Period(Form):
    start = IsoDateField("From", validators=[DataRequired(message="Choose the first day of the period."),
                                             plausible_date])
    end = IsoDateField("To", validators=[DataRequired(message="Choose the last day of the period."), plausible_date])

    def validate_end(self, field):
        if self.start.data and field.data and self.start.data > field.data:
            raise ValidationError("The period ends before it starts.")


class StartDraftForm(_Period):
    """A new committee paper: the period it reports on."""


def _words(label: str, description: str, limit: int = 10000) -> TextAreaField:
    return TextAreaField(label, description=description, validators=[
        Optional(), Length(max=limit, message=f"Keep it under {limit:,} characters.")])


class DraftForm(_Period):
    """The plan owner's narrative for the committee, saved as a draft (the period, unless it corrects a
    publication), with a commentary box per area; a correction says why."""

    summary = _words("Summary", "Where the plan stands and what the committee should take from this period.")
    achievements = _words("Achievements", "What was done and what changed for children and families.")
    concerns = _words("Concerns and escalations", "What is off track, why, and what is escalated to the committee.")
    decisions = _words("Decisions needed", "What the committee is asked to decide or note.")
    area_commentary = FieldList(TextAreaField(validators=[Optional(), Length(
        max=5000, message="Keep an area's commentary under 5,000 characters.")]), max_entries=MAX_AREAS)
    correction_reason = _words("Why is it corrected?", "Shown on the corrected version: “corrected on … because …”.",
                               2000)
    version = VersionField()


class PublishForm(Form):
    """Publishing names the draft's version the plan owner read: a draft saved since is not published unseen."""

    version = VersionField()
