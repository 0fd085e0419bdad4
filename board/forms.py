"""Form pieces shared by several blueprints."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget


class ConfirmForm(FlaskForm):
    """A button that changes state: carries only the CSRF token."""

    submit = SubmitField("Confirm")


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (easier than a multi-select with a keyboard)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
