from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import Optional

from .validators import NotBefore


class ReportForm(FlaskForm):  # type: ignore[misc]
    """The report page's filters, the export's own, sent in the address (GET): viewing
    changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    site = SelectField("Site", choices=[SelectChoice("", "All sites")], default="")
    date_from = DateField("Completed from", validators=[Optional()])
    date_to = DateField("Completed to", validators=[Optional(), NotBefore("date_from")])
    versions = SelectMultipleField("Instrument versions (none chosen: all)", choices=[])
    publication = BooleanField("For publication: hide counts under 5")
    by_period = BooleanField("Also split by study period (Year 1, Year 2)")


class ReportDownloadForm(ReportForm):
    """The same filters posted to download the workbook: a download is audited, so it is a
    POST with a CSRF token."""

    class Meta:
        csrf = True
