"""Forms of the kiosk: unlocking it, entering an ID, and the fieldworker's password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length


class KioskSetupForm(FlaskForm):  # type: ignore[misc]
    site = SelectField("Site", validators=[DataRequired()])
    wave = SelectField("Wave", validators=[DataRequired()])


class ParticipantIdForm(FlaskForm):  # type: ignore[misc]
    participant_id = StringField(
        "Participant ID", validators=[DataRequired("Please enter the ID."), Length(max=40)]
    )


class FieldworkerPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        "Fieldworker's password",
        validators=[DataRequired("Please enter the password."), Length(max=1024)],
    )
