"""The coding pages' forms. The coding form is made for the codebook as it is: one tick box
per live theme, and a quote field beside each."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..models import Theme
from ..models.coding import DEFINITION_MAX, NAME_MAX, QUOTE_MAX

_NAME = [
    DataRequired("Please give a name."),
    Length(max=NAME_MAX, message=f"A name is at most {NAME_MAX} characters."),
]
_DEFINITION = [
    Optional(),
    Length(max=DEFINITION_MAX, message=f"A definition is at most {DEFINITION_MAX} characters."),
]


class KeyThemeForm(FlaskForm):  # type: ignore[misc]
    name = StringField("Name", validators=_NAME)
    definition = TextAreaField("Short definition", validators=_DEFINITION)


class ThemeForm(FlaskForm):  # type: ignore[misc]
    key_theme = SelectField(
        "Key theme",
        coerce=int,
        validators=[InputRequired("Please choose the key theme.")],
        invalid_choice_message="Please choose one of the key themes listed.",
    )
    name = StringField("Name", validators=_NAME)
    definition = TextAreaField("Short definition", validators=_DEFINITION)


class MergeForm(FlaskForm):  # type: ignore[misc]
    into = SelectField(
        "Merge into",
        coerce=int,
        validators=[InputRequired("Please choose the theme to merge into.")],
        invalid_choice_message="Please choose one of the themes listed.",
    )


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button's form: its CSRF token only."""


class CodersForm(FlaskForm):  # type: ignore[misc]
    coder_a = SelectField(
        "First coder", coerce=int, invalid_choice_message="Please choose a researcher listed."
    )
    coder_b = SelectField(
        "Second coder", coerce=int, invalid_choice_message="Please choose a researcher listed."
    )


class ImportForm(FlaskForm):  # type: ignore[misc]
    codebook = FileField("Codebook file (.qdc)", validators=[FileRequired("Please choose a file.")])


class CodingFormBase(FlaskForm):  # type: ignore[misc]
    answer = HiddenField(
        validators=[DataRequired("The page lost its answer: please reload it."), Length(max=40)]
    )
    version = IntegerField(
        widget=HiddenField.widget,
        validators=[InputRequired("Please reload the page."), NumberRange(min=0)],
    )
    themes: Field

    def quote_field(self, theme_id: int) -> Field:
        return self[f"quote_{theme_id}"]


def coding_form(themes: Sequence[Theme]) -> type[CodingFormBase]:
    """A form class with the tick boxes and quote fields of ``themes``."""

    class CodingForm(CodingFormBase):
        pass

    CodingForm.themes = SelectMultipleField(
        "Themes that apply",
        coerce=int,
        choices=[SelectChoice(str(t.id), t.name) for t in themes],
        # A theme merged since the page opened is the service's refusal, with its message.
        validate_choice=False,
    )
    for theme in themes:
        setattr(
            CodingForm,
            f"quote_{theme.id}",
            TextAreaField(
                f"Quote for {theme.name} (optional)",
                validators=[
                    Optional(),
                    Length(max=QUOTE_MAX, message=f"A quote is at most {QUOTE_MAX} characters."),
                ],
            ),
        )
    return CodingForm
