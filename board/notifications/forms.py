from wtforms import BooleanField, HiddenField
from wtforms.validators import AnyOf

from board.forms import Form


class EmailPreferencesForm(Form):
    weekly_digest = BooleanField("Send me the weekly digest",
                                 description="Every Monday morning: my actions overdue, due within 30 days and "
                                             "stale, and the updates I have been asked for. Nothing is sent when "
                                             "there is nothing to say.")


class DigestChoiceForm(Form):
    """The buttons on the digest's one-click page: stop it, or have it again (the button pressed carries
    `wanted`; the page renders only the CSRF token, never an empty `wanted` ahead of the button's)."""

    wanted = HiddenField(validators=[AnyOf(["off", "on"], message="Choose a button.")])
