from wtforms import HiddenField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from board import clock
from board.evidence.forms import http_link
from board.forms import Form, IsoDateField, VersionField, plausible_date
from board.moves.forms import STATUS_CHOICES


class AskForUpdatesForm(Form):
    reply_by = IsoDateField("Reply by", validators=[DataRequired(message="Choose the date replies are needed by."),
                                                    plausible_date])
    message = TextAreaField("Your message to the owners", validators=[
        DataRequired(message="Write a message: what you need to know, and why."),
        Length(max=2000, message="Keep the message under 2,000 characters.")],
        description="It opens each email, above the list of that person’s actions.")
    # The actions the page listed, so what is sent is what was seen even if the board changes meanwhile.
    refs = HiddenField(validators=[DataRequired(message="Choose some actions on the board first."),
                                   Length(max=5000)])

    def validate_reply_by(self, field):
        if field.data and field.data < clock.today():
            raise ValidationError("The reply-by date must be today or later.")


class GiveUpdateForm(Form):
    """One form for the whole update: status (with why), an evidence note, a new due (with why)."""

    # No `required` here: a select always sends one of its choices, and WTForms checks it is one.
    status = SelectField("Status", choices=STATUS_CHOICES)
    status_reason = StringField("Why this status?", validators=[Length(max=300)],
                                description="Needed when the status changes: one line for the history.")
    note = TextAreaField("Evidence note (optional)", validators=[
        Length(max=5000, message="Keep the note under 5,000 characters.")],
        description="What happened, and what it shows. Needed to move to Complete: it is the evidence that it is "
                    "done.")
    link_url = URLField("Link to a document (optional)", validators=[Optional(), Length(max=2000), http_link])
    new_due = StringField("New due (optional)", validators=[Length(max=100)],
                          description="Only if the due moves: a month (Jan 2024), a date (2024-01-31), "
                                      "a cadence (Monthly) or TBC.")
    due_reason = StringField("Why the due moves", validators=[Length(max=500)])
    # What the form showed: a change made by someone else meanwhile is refused, never overwritten.
    current_status = HiddenField(validators=[Length(max=20)])
    current_due = HiddenField(validators=[Length(max=200)])
    version = VersionField()
