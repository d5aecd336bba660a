"""Validators shared by the research forms."""

from __future__ import annotations

from typing import Any

from wtforms import Field
from wtforms.validators import ValidationError


class NotBefore:
    """A date field that may not be earlier than another date field of the form (a date range
    given the wrong way round is a mistake to point out, not an empty result)."""

    def __init__(self, other: str, message: str = "This date is before the start date.") -> None:
        self.other, self.message = other, message

    def __call__(self, form: Any, field: Field) -> None:
        start = form[self.other].data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(self.message)
