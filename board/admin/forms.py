from __future__ import annotations

from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from board import clock
from board.forms import UNTICKED, CheckboxListField, Form, IsoDateField, VersionField, plausible_date
from models import Role

ROLE_CHOICES = [SelectChoice(role.value, f"{role.label}: {role.may}") for role in Role]


class CreateUserForm(Form):
    email = EmailField("Email", validators=[
        DataRequired(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@council.gov.uk."),
    ])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.VIEWER.value)
    owner_roles = CheckboxListField("Owner roles in the plan (for “My actions”)", coerce=int)
    # Two ways to make the account: an emailed invitation (they choose their password), or a one-time
    # password shown once here, to hand over (the button a form without either name means).
    invite = SubmitField("Send an invitation by email")
    submit = SubmitField("Create user with a one-time password")


class AccountForm(Form):
    """A change to an account: carries the account's version as the admin saw it."""

    version = VersionField()


class RoleForm(AccountForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")


class OwnerRolesForm(AccountForm):
    owner_roles = CheckboxListField("Owner roles in the plan", coerce=int)
    submit = SubmitField("Save owner roles")


class _RevocableTokenForm(Form):
    """What making a share link or an API token asks: who it is for, and until when it works."""

    label = StringField("Label", validators=[DataRequired(), Length(max=200)],
                        description="Who it is for, e.g. “Children and Families Committee, November”.")
    expires_on = IsoDateField("Expires on (optional)", validators=[Optional(), plausible_date],
                              description="The link works until the end of this day.")
    submit = SubmitField("Create link")

    def validate_expires_on(self, field):
        if field.data and field.data < clock.today():
            raise ValidationError("The expiry date must be today or later.")


class ShareLinkForm(_RevocableTokenForm):
    """A committee link: the live board or one publication, people by role unless names are shown."""

    publication = SelectField("What it shows", coerce=int, validate_choice=True,
                              description="The live board, or one publication as it was published.")
    show_names = BooleanField("Show people's names (otherwise each person is shown by their role)",
                              false_values=UNTICKED)


class ApiTokenForm(_RevocableTokenForm):
    """A share link's form, said of a token."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label.description = "Who or what uses it, e.g. “Power BI performance dashboard”."
        self.expires_on.description = "The token works until the end of this day."


class PlanSettingsForm(Form):
    require_sign_off = BooleanField("Completions need my sign-off: a card moved to Complete shows "
                                    "“Complete, awaiting sign-off” until I sign it off", false_values=UNTICKED)
    submit = SubmitField("Save settings")
