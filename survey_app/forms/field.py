"""The researcher's choice between two responses for one mother and wave."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired


class ConflictForm(FlaskForm):  # type: ignore[misc]
    keep = RadioField(
        "Keep",
        choices=[
            SelectChoice("existing", "the response held first"),
            SelectChoice("field", "the later duplicate"),
        ],
        validators=[InputRequired("Choose which response to keep.")],
    )
