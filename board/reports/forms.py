from datetime import date, timedelta

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from board.forms import Form, IsoDateField, NumberField, QueryForm, plausible_date


class KpiValueForm(Form):
    measure = SelectField("Measure", coerce=int, validators=[DataRequired()], render_kw={"required": False})
    quarter = StringField("Quarter", validators=[DataRequired(message="Write the quarter like 2023/24 Q2."),
                                                 Length(max=12)], description="Like 2023/24 Q2.")
    value = NumberField("Value", validators=[InputRequired(message="Enter a number."), NumberRange(min=0)])
    # The value a correction replaces, as the person saw it (empty for a quarter with no value yet).
    replaces = NumberField(widget=HiddenInput(), validators=[Optional()])


class KpiMeasureForm(Form):
    name = StringField("Measure", validators=[DataRequired(message="Name the measure."), Length(max=300)],
                       description="e.g. % of compliance measures achieved")
    unit = SelectField("Unit", choices=[SelectChoice("count", "A count"), SelectChoice("percent", "A percentage")])
    target = NumberField("Target (optional)", validators=[Optional(), NumberRange(min=0)],
                        description="e.g. 90 for the plan's 90% compliance target")


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
