from urllib.parse import urlsplit

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from board.forms import (
    MAX_ID,
    UNTICKED,
    Form,
    IsoDateField,
    NextField,
    QueryForm,
    VersionField,
    plausible_date,
)
from board.services.activity import KINDS, ActivityFilter
from models import ImpactRating


def http_link(form, field):
    """Only web links: a javascript: or file: link must never reach a page."""
    if field.data:
        parts = urlsplit(field.data.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError("Enter a web link starting with https:// (or http://).")


class _NoteWords(Form):
    text = TextAreaField("Evidence note", validators=[
        DataRequired(message="Write the evidence: what happened, and what it shows."),
        Length(max=5000, message="Keep the note under 5,000 characters.")])
    link_url = URLField("Link to a document (optional)", validators=[
        Optional(), Length(max=2000), http_link])


class NoteForm(_NoteWords):
    internal = BooleanField("Internal: for the board only, never shown to committees", false_values=UNTICKED)


class NoteEditForm(_NoteWords):
    version = VersionField()


class WithdrawForm(Form):
    reason = StringField("Why withdraw this note?", validators=[
        DataRequired(message="Say why the note is withdrawn."), Length(max=500)])
    version = VersionField()


class CommentWithdrawForm(Form):
    reason = StringField("Why withdraw this comment?", validators=[
        DataRequired(message="Say why the comment is withdrawn."), Length(max=500)])
    version = VersionField()


class SignOffForm(Form):
    """The plan owner's sign-off of a completion, naming the card's version they looked at."""

    version = VersionField()


def _sent(form, field) -> None:
    if not field.raw_data:
        raise ValidationError("This form is out of date: reload the page.")


class DueChangeForm(Form):
    new_due = StringField("New due", validators=[
        DataRequired(message="Enter the new due: a month, a date, a cadence or TBC."), Length(max=100)],
        description="A month (Jan 2024), a date (2024-01-31), a cadence (Monthly, Quarterly, Every 8 weeks) or TBC.")
    reason = StringField("Reason for the change", validators=[
        DataRequired(message="Say why the due date moves."), Length(max=500)])
    # The due as the person saw it: if it changed since, their change is refused, not applied on top.
    current_due = HiddenField(validators=[_sent, Length(max=200)])


class ImpactCommentForm(Form):
    text = TextAreaField("What changed for children?", validators=[
        DataRequired(message="Write what changed for children and young people, and how you know."),
        Length(max=5000, message="Keep the comment under 5,000 characters.")])
    rating = RadioField("Impact rating", choices=[SelectChoice(r.value, r.label) for r in ImpactRating],
                        validators=[DataRequired(message="Choose an impact rating.")])
    next = NextField()


class ImpactCommentEditForm(ImpactCommentForm):
    version = VersionField()


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Everything")] + [SelectChoice(key, label) for key, (label, _) in KINDS.items()]


class ActivityFilterForm(QueryForm):
    """The activity page's filters and page number, from the URL."""

    area = IntegerField("Area", validators=[Optional(), NumberRange(min=1, max=9999)])
    user = IntegerField("Person", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    kind = SelectField("Kind", choices=_kind_choices(), validators=[Optional()])
    since = IsoDateField("Since", validators=[Optional(), plausible_date], render_kw={"autocomplete": "off"})
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=100000)])

    def chosen(self) -> ActivityFilter:
        return ActivityFilter(area_number=self.cleaned("area"), user_id=self.cleaned("user"),
                              kind=self.cleaned("kind"), since=self.cleaned("since"))

    def query_args(self) -> dict:
        """The valid filters (not the page) as url_for arguments."""
        return {name: self.cleaned(name) for name in ("area", "user", "kind", "since")
                if self.cleaned(name) is not None}
