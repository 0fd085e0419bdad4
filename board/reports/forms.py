from datetime import date, timedelta

from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from board.forms import (
    MAX_ID,
    CheckboxListField,
    Form,
    IsoDateField,
    NumberField,
    QueryForm,
    VersionField,
    plausible_date,
)
from models import Frequency, Polarity, Unit


class KpiValueForm(Form):
    """A measure's value for a period; a correction names the value it replaces and says why."""

    period = StringField("Period", validators=[DataRequired(message="Say which period the value is for."),
                                               Length(max=20)])
    value = NumberField("Value", validators=[InputRequired(message="Enter a number."),
                                             NumberRange(min=-1e12, max=1e12, message="Enter a plausible number.")])
    source_note = StringField("Source", validators=[
        DataRequired(message="Say where the figure comes from (the report, system or audit)."), Length(max=1000)],
        description="Where the figure comes from, e.g. “Liquidlogic, month-end report”.")
    # The id of the value a correction replaces, as the person saw it (empty for a new period).
    replaces = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    reason = StringField("Why is it corrected?", validators=[Optional(), Length(max=1000)],
                         description="Only for a correction: the earlier value is kept beside it.")


UNIT_CHOICES = [SelectChoice(unit.value, unit.label) for unit in Unit]
POLARITY_CHOICES = [SelectChoice(p.value, p.label) for p in Polarity]
FREQUENCY_CHOICES = [SelectChoice(f.value, f.label) for f in Frequency]


class MeasureForm(Form):
    """What a measure is (admins): added on the scorecard, changed on the measure's page."""

    name = StringField("Measure", validators=[DataRequired(message="Name the measure."), Length(max=300)],
                       description="e.g. Compliance measures achieved")
    unit = SelectField("Unit", choices=UNIT_CHOICES)
    polarity = SelectField("Which way is better", choices=POLARITY_CHOICES,
                           description="Volumes such as children in need are context: never rated.")
    target = NumberField("Target (optional)", validators=[Optional(), NumberRange(min=0, max=1e12)],
                         description="e.g. 90 for the plan's 90% compliance target")
    tolerance = NumberField("Tolerance (optional)", validators=[Optional(), NumberRange(min=0, max=1e12)],
                            description="The amber band: how far short of the target still counts as Amber.")
    frequency = SelectField("Frequency", choices=FREQUENCY_CHOICES, default=Frequency.QUARTERLY.value)
    source = StringField("Source (optional)", validators=[Optional(), Length(max=300)],
                         description="Where its figures come from, e.g. the monthly performance report.")
    owner_roles = CheckboxListField("Owner roles (who records its values)", coerce=int)
    areas = CheckboxListField("Areas it evidences", coerce=int)
    outcomes = CheckboxListField("Outcomes it evidences", coerce=int)


class MeasureChangeForm(MeasureForm):
    version = VersionField()


class ScorecardForm(QueryForm):
    """The scorecard's filter, from the URL (`?area=2`)."""

    area = IntegerField("Area", validators=[Optional(), NumberRange(min=1, max=9999)])


class MeasurePageForm(QueryForm):
    """A measure's page, from the URL: `?correct=<value id>` fills the form to correct that value."""

    correct = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class ReportPeriodForm(QueryForm):
    """The highlight report's period, from the URL (`?from=2023-11-01&to=2023-12-15`)."""

    start = IsoDateField("From", name="from", validators=[Optional(), plausible_date],
                      render_kw={"autocomplete": "off"})
    end = IsoDateField("To", name="to", validators=[Optional(), plausible_date], render_kw={"autocomplete": "off"})

    def period(self, today: date, default_days: int = 28) -> tuple[date, date, str | None]:
        """The period asked for (four weeks to today by default), and a note when it was corrected."""
        end = self.cleaned("end") or today
        start = self.cleaned("start") or end - timedelta(days=default_days)
        if start > end:
            return end, start, "The period started after it ended; the dates were swapped."
        return start, end, None


class PrintHeadForm(QueryForm):
    """The words of a printed report's margins (/print-head.css?head=&period=&version=)."""

    head = StringField(validators=[Optional(), Length(max=300)])
    period = StringField(validators=[Optional(), Length(max=300)])
    version = StringField(validators=[Optional(), Length(max=300)])
