"""Form pieces shared by several blueprints, and the board's filters (a GET form)."""
from __future__ import annotations

import math
from datetime import date
from urllib.parse import urlencode

from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from board.security import MAX_ID, safe_next
from board.services.board_view import BoardFilter
from models import Status

DUE_WITHIN_CHOICES = (7, 14, 30, 60, 90)
# "0" and "" mean unticked in a URL (?overdue=0), as well as an absent box.
UNTICKED = ("", "0", "false", "off")


# Dates anyone means: outside these, date arithmetic (a period's end plus a day) would overflow.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)


def plausible_date(form, field) -> None:
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(f"Choose a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}.")


class IsoDateField(DateField):
    """A date written YYYY-MM-DD (what a date input sends), with a message that says so."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Write the date as YYYY-MM-DD, like 2023-12-15.") from None


class NumberField(FloatField):
    """A number that is a number: NaN and infinity ("nan", "inf", "1e309") are refused."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError("Enter a number.")


class VersionField(IntegerField):
    """The version of a record as the form was shown: a change names it, so a stale one is refused."""

    widget = HiddenInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, validators=[InputRequired(message="This form is out of date: reload the page."),
                                            NumberRange(min=1, max=MAX_ID)], **kwargs)

    def catch_up(self, version: int) -> None:
        """After a conflict: the form now names the current version, so saving again is deliberate."""
        self.data, self.raw_data = version, [str(version)]


class NextField(HiddenField):
    """Where to go back to after the form: only ever a path on this site (else None)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, filters=[lambda value: safe_next(value, None)], **kwargs)


class Form(FlaskForm):
    """The project's form: its hidden fields (CSRF token, versions) render without an id, since a page
    often holds the same form many times and ids must be unique."""

    def hidden_tag(self, *fields):
        hidden = fields or [field for field in self if isinstance(field.widget, HiddenInput)]
        return Markup("\n".join(str(field(id=False)) for field in hidden))


class ConfirmForm(Form):
    """A button that changes state: carries only the CSRF token."""

    submit = SubmitField("Confirm")


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (easier than a multi-select with a keyboard)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QueryForm(Form):
    """A form read from the URL's query string: no CSRF token (GET changes nothing)."""

    class Meta:
        csrf = False

    @classmethod
    def from_query(cls, args=None):
        """Read and check `args` (default: this request's query). Values with errors are set aside
        (`cleaned`), so a bad value shows its message and the page shows what the others ask for."""
        form = cls(formdata=request.args if args is None else args)
        form.validate()
        return form

    def cleaned(self, name: str, empty=None):
        field = self[name]
        return empty if field.errors or field.data in (None, "", []) else field.data


def _area_numbers(form, field) -> None:
    if any(not 1 <= number <= 9999 for number in field.data or []):
        raise ValidationError("Choose an area from the list.")


class BoardFilterForm(QueryForm):
    """What the board is narrowed to, as the filter bar's GET form and every board URL carry it."""

    area = SelectMultipleField("Area", coerce=int, validate_choice=False, validators=[_area_numbers])
    owner = IntegerField("Owner", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    status = SelectMultipleField("Status", choices=[SelectChoice(s.value, s.label) for s in Status])
    due = IntegerField("Due within", validators=[
        Optional(), AnyOf(DUE_WITHIN_CHOICES, message="Choose a number of days from the list.")])
    overdue = BooleanField("Overdue", false_values=UNTICKED)
    stale = BooleanField("Stale", false_values=UNTICKED)
    mine = BooleanField("My actions", false_values=UNTICKED)
    q = StringField("Search", validators=[Length(max=200, message="Search for at most 200 characters.")])
    # How the board is drawn, not which cards: kept in every board URL so partial answers match the page.
    view = SelectField("View", choices=[SelectChoice("whole", "Whole plan"), SelectChoice("detailed", "Detailed")],
                       validators=[Optional()], validate_choice=False)
    mode = SelectField("Screen", choices=[SelectChoice("clinic", "Clinic mode")], validators=[Optional()],
                       validate_choice=False)

    FILTER_FIELDS = ("area", "owner", "status", "due", "overdue", "stale", "mine", "q", "view", "mode")
    VIEWS = ("whole", "detailed")

    def validate_view(self, field) -> None:
        if field.data and field.data not in self.VIEWS:
            raise ValidationError("Choose the whole plan or the detailed board.")

    def validate_mode(self, field) -> None:
        if field.data and field.data != "clinic":
            raise ValidationError("Choose clinic mode or nothing.")

    def filters_active(self) -> bool:
        """Does the query narrow the cards (not just how they are drawn)?"""
        return any(self.cleaned(name) not in (None, "", [], False) for name in self.FILTER_FIELDS[:8])

    def board_filter(self, user=None) -> BoardFilter:
        """The filter for the board service; "My actions" needs a signed-in user's owner roles."""
        mine = bool(self.cleaned("mine")) and getattr(user, "is_authenticated", False)
        return BoardFilter(
            areas=self.cleaned("area", []), owner_role_id=self.cleaned("owner"),
            statuses=self.cleaned("status", []), overdue=bool(self.cleaned("overdue")),
            stale=bool(self.cleaned("stale")), due_within_days=self.cleaned("due"),
            mine_role_ids=[role.id for role in user.owner_roles] if mine else None,
            text=(self.cleaned("q") or "").strip())

    def query_pairs(self) -> list[tuple[str, str]]:
        """The valid filters as URL query pairs, in a fixed order."""
        pairs: list[tuple[str, str]] = []
        for name in self.FILTER_FIELDS:
            value = self.cleaned(name)
            if value in (None, "", [], False):
                continue
            if isinstance(value, list):
                pairs.extend((name, str(item)) for item in value)
            else:
                pairs.append((name, "1" if value is True else str(value)))
        return pairs

    def query_string(self, **extra) -> str:
        """"?area=2&q=plans" (with `extra` pairs added), or "" for the whole plan."""
        pairs = self.query_pairs() + [(k, str(v)) for k, v in extra.items() if v is not None]
        return "?" + urlencode(pairs) if pairs else ""


class BoardPageForm(BoardFilterForm):
    """The board page's query: its filters, and the status change waiting for its reason."""

    explain = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class BoardChangesForm(BoardFilterForm):
    """The live refresh's query: its filters, and the change counter the page was drawn at."""

    since = IntegerField(validators=[Optional(), NumberRange(min=0, max=MAX_ID)])
