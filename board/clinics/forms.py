from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from board.forms import CheckboxListField, Form, IsoDateField, plausible_date


def optional_id(value):
    """A person's id from a list whose first choice ("") is nobody."""
    return None if value in ("", None) else int(value)


def people_choices(people, blank: str | None = None) -> list[SelectChoice]:
    return ([SelectChoice("", blank)] if blank else []) + [SelectChoice(person.id, person.name) for person in people]


class StartClinicForm(Form):
    # InputRequired, not DataRequired: a date written wrongly keeps the message saying how to write it.
    held_on = IsoDateField("Date", validators=[InputRequired(message="Enter the clinic's date."), plausible_date])
    chair = SelectField("Chair", coerce=int, invalid_value_message="Choose who chairs the clinic.",
                        invalid_choice_message="Choose who chairs the clinic from the list.",
                        description="The chair, or an admin, ends the clinic.")
    attendees = TextAreaField("Attendees", validators=[Optional(), Length(max=2000)],
                              description="Names and roles, one per line.")
    areas = CheckboxListField("Areas covered (none ticked: the whole plan)", coerce=int)


class ClinicNoteForm(Form):
    text = TextAreaField("Note", validators=[
        DataRequired(message="Write the note: what was discussed or agreed."),
        Length(max=5000, message="Keep the note under 5,000 characters.")])


class NoteCorrectionForm(Form):
    text = TextAreaField("Corrected note", validators=[
        DataRequired(message="Write the corrected note."),
        Length(max=5000, message="Keep the note under 5,000 characters.")])


class ArisingForm(Form):
    """An action arising, or its correction: what, who (a person or a name), by when."""

    what = TextAreaField("Action arising", validators=[
        DataRequired(message="Say what is to be done."), Length(max=1000, message="Keep it under 1,000 characters.")])
    owner = SelectField("Who (a person with an account)", coerce=optional_id,
                        invalid_value_message="Choose a person from the list.",
                        invalid_choice_message="Choose a person from the list.")
    owner_name = StringField("Or their name and role", validators=[Optional(), Length(max=200)],
                             description="For someone without an account.")
    due_on = IsoDateField("By when", validators=[InputRequired(message="Enter the date it is due by."),
                                                 plausible_date])


class ArisingOutcomeForm(Form):
    """Mark an action arising done, or carry it again (perhaps to a new date): two buttons, one form."""

    outcome = StringField(validators=[AnyOf(["done", "carried"], message="Choose Mark done or Carry again.")])
    due_on = IsoDateField("New date (to carry it again)", validators=[Optional(), plausible_date])
    note = StringField("Note (optional)", validators=[Optional(), Length(max=500)])
