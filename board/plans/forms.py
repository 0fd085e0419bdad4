from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from board.forms import CheckboxListField, Form
from models import Closure

# Carried forward is not chosen here: it happens when the next plan is imported with its lineage.
CLOSURE_CHOICES = [SelectChoice(how.value, how.label) for how in Closure if how is not Closure.CARRIED_FORWARD]


class CloseActionsForm(Form):
    """Close the plan's open actions that no later plan carries forward, together, with how and why."""

    refs = CheckboxListField("Actions to close", validators=[DataRequired("Choose at least one action.")])
    how = SelectField("How they end", choices=CLOSURE_CHOICES, default=Closure.COMPLETED.value)
    note = StringField("Why, or what they were merged into", validators=[Length(max=500)])
    submit = SubmitField("Close these actions")

    def validate_note(self, field) -> None:
        if self.how.data == Closure.MERGED.value and not (field.data or "").strip():
            raise ValidationError("Say what they were merged into (for example 2024-25 3.2).")
