from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField("Log in")


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        "Code from your authenticator app (or a recovery code)",
        validators=[DataRequired("Please enter the code."), Length(max=20)],
    )
