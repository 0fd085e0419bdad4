from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from board.forms import CheckboxListField, Form, IsoDateField, plausible_date


class StartClinicForm(Form):
    held_on = IsoDateField("Date", validators=[DataRequired(message="Enter the clinic's date."), plausible_date])
    chair = StringField("Chair", validators=[DataRequired(message="Say who chairs the clinic."), Length(max=200)])
    attendees = TextAreaField("Attendees", validators=[Optional(), Length(max=2000)],
                              description="Names and roles, one per line.")
    areas = CheckboxListField("Areas covered (none ticked: the whole plan)", coerce=int)
