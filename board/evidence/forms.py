from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from models import ImpactRating


def http_link(form, field):
    """Only web links: a javascript: or file: link must never reach a page."""
    if field.data:
        parts = urlsplit(field.data.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError("Enter a web link starting with https:// (or http://).")


class NoteForm(FlaskForm):
    text = TextAreaField("Evidence note", validators=[
        DataRequired(message="Write the evidence: what happened, and what it shows."),
        Length(max=5000, message="Keep the note under 5,000 characters.")])
    link_url = URLField("Link to a document (optional)", validators=[
        Optional(), Length(max=2000), http_link])


class WithdrawForm(FlaskForm):
    reason = StringField("Why withdraw this note?", validators=[
        DataRequired(message="Say why the note is withdrawn."), Length(max=500)])


class DueChangeForm(FlaskForm):
    new_due = StringField("New due", validators=[
        DataRequired(message="Enter the new due: a month, a date, a cadence or TBC."), Length(max=100)],
        description="A month (Jan 2024), a date (2024-01-31), a cadence (Monthly, Quarterly, Every 8 weeks) or TBC.")
    reason = StringField("Reason for the change", validators=[
        DataRequired(message="Say why the due date moves."), Length(max=500)])


class ImpactCommentForm(FlaskForm):
    text = TextAreaField("What changed for children?", validators=[
        DataRequired(message="Write what changed for children and young people, and how you know."),
        Length(max=5000, message="Keep the comment under 5,000 characters.")])
    rating = RadioField("Impact rating", choices=[SelectChoice(r.value, r.label) for r in ImpactRating],
                        validators=[DataRequired(message="Choose an impact rating.")])
    next = HiddenField(validators=[Optional(), Length(max=1000)])
