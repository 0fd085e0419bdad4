from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from board.forms import Form


class SignInForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Sign in")


class ChangePasswordForm(Form):
    current = PasswordField("Current password", validators=[
        DataRequired(message="Enter your current password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"})
    new = PasswordField("New password", validators=[DataRequired(message="Enter a new password."), Length(max=200)],
                        description="At least 12 characters, not a common password. A few words together are "
                                    "easy to remember and hard to guess.",
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again", validators=[
        DataRequired(message="Enter the new password again."),
        EqualTo("new", message="The two new passwords are not the same.")],
        render_kw={"autocomplete": "new-password"})


class ForgotPasswordForm(Form):
    email = EmailField("Email", validators=[DataRequired(message="Enter the email address you sign in with."),
                                            Length(max=254)], render_kw={"autocomplete": "email"})


class SetPasswordForm(Form):
    """A new password through an emailed link (an invitation or a reset): the same rules as changing it."""

    new = ChangePasswordForm.new
    confirm = ChangePasswordForm.confirm
