"""Forms of the research area: registering participants, filtering the list, withdrawing,
voiding, and anonymous links. Pseudonymous IDs only: no name, prison number or date of
birth field anywhere."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..models.types import today
from ..services.participants import WITHDRAW_DELETE, WITHDRAW_KEEP
from ..services.reasons import REASON_MAX_LENGTH

REGISTER_COUNTS = (1, 2, 3, 5, 10)
_CHOOSE_MODE = "Please choose whether to delete or keep her answers."


class RegisterParticipantsForm(FlaskForm):  # type: ignore[misc]
    site = SelectField(
        "Site",
        validators=[DataRequired("Please choose the site.")],
        invalid_choice_message="Please choose one of the sites listed.",
    )
    count = SelectField(
        "How many IDs",
        choices=[SelectChoice(str(n)) for n in REGISTER_COUNTS],
        default="1",
        validators=[DataRequired("Please choose how many IDs.")],
        invalid_choice_message="Please choose one of the numbers listed.",
    )


class ParticipantFilterForm(FlaskForm):  # type: ignore[misc]
    """The list's filters, read from the query string: nothing is changed, so no CSRF token."""

    class Meta:
        csrf = False

    site = SelectField(
        "Site", default="", invalid_choice_message="Please choose one of the sites listed."
    )
    status = SelectField(
        "Follow-up", default="", invalid_choice_message="Please choose one of the statuses listed."
    )
    wave = SelectField(
        "Follow-up wave",
        default="",
        invalid_choice_message="Please choose one of the waves listed.",
    )
    # The search by ID: a form of its own on the page, read from the same query string.
    q = StringField(
        "Participant ID",
        validators=[Optional(), Length(max=40, message="An ID is 11 characters: please check it.")],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


def _reason(what: str) -> TextAreaField:
    return TextAreaField(
        f"Reason for {what}",
        validators=[
            DataRequired(f"Please give the reason for {what}."),
            Length(
                max=REASON_MAX_LENGTH,
                message=f"The reason must be at most {REASON_MAX_LENGTH} characters.",
            ),
        ],
    )


class WithdrawForm(FlaskForm):  # type: ignore[misc]
    mode = RadioField(
        "Her answers",
        choices=[
            SelectChoice(WITHDRAW_DELETE, "Delete her answers"),
            SelectChoice(WITHDRAW_KEEP, "Keep answers given up to today (she agreed)"),
        ],
        validators=[InputRequired(_CHOOSE_MODE)],
        invalid_choice_message=_CHOOSE_MODE,
    )
    reason = _reason("the withdrawal")


class VoidForm(FlaskForm):  # type: ignore[misc]
    reason = _reason("voiding this response")


class RecontactForm(FlaskForm):  # type: ignore[misc]
    reason = _reason("recording that she asked to take part again")


class LinkForm(FlaskForm):  # type: ignore[misc]
    instrument = SelectField(
        "Questionnaire",
        validators=[DataRequired("Please choose the questionnaire.")],
        invalid_choice_message="Please choose one of the questionnaires listed.",
    )
    site = SelectField(
        "Site (optional)",
        validators=[Optional()],
        invalid_choice_message="Please choose one of the sites listed.",
    )
    closes_on = DateField(
        "Closes after (optional)",
        validators=[Optional()],
        description="The last day on which the link takes answers.",
    )

    def validate_closes_on(self, field: DateField) -> None:
        value: dt.date | None = field.data
        if value is not None and value < today():
            raise ValidationError("The closing date must be today or later.")
