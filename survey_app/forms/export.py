from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import Optional

from ..export.formats import FORMATS
from .validators import NotBefore


class ExportForm(FlaskForm):  # type: ignore[misc]
    format = SelectField(
        "Format",
        choices=[SelectChoice(name, fmt.label) for name, fmt in FORMATS.items()],
        default="xlsx",
    )
    site = SelectField("Site", choices=[SelectChoice("", "All sites")], default="")
    date_from = DateField("Completed from", validators=[Optional()])
    date_to = DateField("Completed to", validators=[Optional(), NotBefore("date_from")])
    versions = SelectMultipleField("Questionnaire versions", choices=[])
    publication = BooleanField(
        "For publication: hide counts under 5 in the Themes, Summary and Report sheets"
    )
