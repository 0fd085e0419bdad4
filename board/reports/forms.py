from flask_wtf import FlaskForm
from wtforms import FloatField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class KpiValueForm(FlaskForm):
    measure = SelectField("Measure", coerce=int, validators=[DataRequired()])
    quarter = StringField("Quarter", validators=[DataRequired(message="Write the quarter like 2023/24 Q2."),
                                                 Length(max=12)], description="Like 2023/24 Q2.")
    value = FloatField("Value", validators=[InputRequired(message="Enter a number."), NumberRange(min=0)])


class KpiMeasureForm(FlaskForm):
    name = StringField("Measure", validators=[DataRequired(message="Name the measure."), Length(max=300)],
                       description="e.g. % of compliance measures achieved")
    unit = SelectField("Unit", choices=[SelectChoice("count", "A count"), SelectChoice("percent", "A percentage")])
    target = FloatField("Target (optional)", validators=[Optional(), NumberRange(min=0)],
                        description="e.g. 90 for the plan's 90% compliance target")
