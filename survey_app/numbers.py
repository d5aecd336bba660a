"""The one reading of a whole number taken from a request: a form field, the query string or
the URL (issue 21). ``str.isdigit`` is true for "²" and "١", which ``int`` then refuses or
reads; and an id past the column's range is an error on PostgreSQL, not a miss. So: ASCII
digits only, and a range that fits a 32-bit integer column, or no number at all."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BaseConverter, ValidationError

# The largest value of PostgreSQL's (and SQLAlchemy's Integer) 32-bit column.
INT_MAX = 2**31 - 1


def whole_number(raw: object, low: int = 0, high: int = INT_MAX) -> int | None:
    """``raw`` as an int when it is ASCII digits (at most ten) from ``low`` to ``high``,
    else None; the caller says what a missing or bad number means on its page."""
    if not isinstance(raw, str) or not 0 < len(raw) <= 10:
        return None
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if low <= value <= high else None


class NumberConverter(BaseConverter):
    """``<number:name>`` in a route: the same rule, so an id past the column's range is a 404
    (no such page) rather than a database error. Registered app-wide in ``create_app``."""

    regex = r"[0-9]{1,10}"
    weight = 50  # as werkzeug's int converter: a number is preferred to a string segment
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = whole_number(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))
