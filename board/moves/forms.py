from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from board.forms import MAX_ID, Form, NextField
from models import Status

STATUS_CHOICES = [SelectChoice(s.value, f"{s.label} ({s.meaning})") for s in Status]


class MoveForm(Form):
    """One move: from the drag (status, neighbours, index) or the keyboard form (status, up/down)."""

    status = SelectField("Move to", choices=STATUS_CHOICES, validators=[DataRequired()])
    # Hidden in the keyboard form: the version the person saw, and the card's own area.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    area = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=9999)])
    position = IntegerField(validators=[Optional(), NumberRange(min=0, max=100000)])
    before = StringField(validators=[Optional(), Length(max=20)])
    after = StringField(validators=[Optional(), Length(max=20)])
    direction = StringField(validators=[Optional(), Length(max=4)])
    next = NextField()


class ReasonForm(Form):
    reason = StringField("Why?", validators=[DataRequired(message="Write a reason, or choose Skip."),
                                             Length(max=300)])
    next = NextField()
