from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField("Log in")


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        "Code from your authenticator app (or a recovery code)",
        validators=[DataRequired("Please enter the code."), Length(max=20)],
    )


class KeyAddForm(FlaskForm):  # type: ignore[misc]
    """Before a new security key: a name for it, and both factors again."""

    name = StringField(
        "A name for the key (for example, Blue key or This laptop)",
        validators=[DataRequired("Please give the key a name."), Length(max=60)],
    )
    password = PasswordField(
        "Your password", validators=[DataRequired("Please enter your password."), Length(max=1024)]
    )
    code = StringField("Code from your authenticator app", validators=[Length(max=20)])


class KeyNameForm(FlaskForm):  # type: ignore[misc]
    """A first login's key in place of the app: its name (her password was just given)."""

    name = StringField(
        "A name for the key (for example, Blue key or This laptop)",
        validators=[DataRequired("Please give the key a name."), Length(max=60)],
    )


class KeyAnswerForm(FlaskForm):  # type: ignore[misc]
    """What the page's script fills in: the authenticator's answer, as JSON."""

    answer = StringField(validators=[DataRequired("The key gave no answer."), Length(max=20_000)])


class TokenAddForm(FlaskForm):  # type: ignore[misc]
    """A new API token: a name, how many days it lasts, and her password again."""

    name = StringField(
        "A name for the token (for example, Nightly R import)",
        validators=[DataRequired("Please give the token a name."), Length(max=60)],
    )
    days = IntegerField(
        "Days until it expires (1 to 365)",
        default=90,
        validators=[
            InputRequired("Please say how many days it lasts."),
            NumberRange(1, 365, "A token lasts 1 to 365 days."),
        ],
    )
    password = PasswordField(
        "Your password", validators=[DataRequired("Please enter your password."), Length(max=1024)]
    )
