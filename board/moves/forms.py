from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from board.evidence.forms import http_link
from board.forms import MAX_ID, Form, NextField
from models import Status

STATUS_CHOICES = [SelectChoice(s.value, f"{s.label} ({s.meaning})") for s in Status]


class MoveForm(Form):
    """One move: from the drag (status, neighbours, index) or the keyboard form (status, up/down).
    A move to Complete carries its evidence: a note, and a link when there is one."""

    status = SelectField("Move to", choices=STATUS_CHOICES, validators=[DataRequired()])
    # Hidden in the keyboard form: the version the person saw, the card's own area, and where a drop
    # put it (kept while the form asks for a Complete's evidence).
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    area = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=9999)])
    position = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=0, max=100000)])
    before = StringField(widget=HiddenInput(), validators=[Optional(), Length(max=20)])
    after = StringField(widget=HiddenInput(), validators=[Optional(), Length(max=20)])
    direction = StringField(validators=[Optional(), Length(max=4)])
    evidence = TextAreaField("What shows it is done?", validators=[
        Optional(), Length(max=5000, message="Keep the evidence under 5,000 characters.")])
    evidence_link = URLField("Link to the evidence (optional)", validators=[Optional(), Length(max=2000), http_link])
    next = NextField()


class ReasonForm(Form):
    reason = StringField("Why?", validators=[DataRequired(message="Write a reason, or choose Skip."),
                                             Length(max=300)])
    next = NextField()
