from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..kinds import Role

ROLES = [
    SelectChoice(r.value) for r in (Role.FIELDWORKER, Role.CASEWORKER, Role.RESEARCHER, Role.ADMIN)
]


class NewUserForm(FlaskForm):  # type: ignore[misc]
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=ROLES, default=Role.FIELDWORKER.value)
    # A caseworker's or fieldworker's prisons (choices: the study's prisons, set by the page).
    sites = SelectMultipleField("Prisons (caseworkers and fieldworkers)")
    password = PasswordField(
        "Starting password (12 to 128 characters)", validators=[DataRequired(), Length(max=1024)]
    )


class UserSitesForm(FlaskForm):  # type: ignore[misc]
    sites = SelectMultipleField("Prisons")


class AuditFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a GET filter changes nothing

    kind = SelectField(
        "Kind", choices=[SelectChoice("", "All kinds")], default="", validate_choice=False
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])


class PasswordChangeForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    new = PasswordField(
        "New password (12 to 128 characters)", validators=[DataRequired(), Length(max=1024)]
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", "The two new passwords differ.")],
    )
