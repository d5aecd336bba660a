"""The demo's calendar: the services date what they record by ``models.types.today()``
(a questionnaire's completion, a decline, a case form checked against "the future"), so the
demo study, spread over 2019-2023, is entered with that clock set to each event's day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from ..models import types


@contextmanager
def on_day(day: dt.date) -> Iterator[None]:
    """Within the block, the services' today is ``day`` (every today() reads types.utcnow)."""
    real = types.utcnow
    types.utcnow = lambda: dt.datetime.combine(day, dt.time(12, 0))
    try:
        yield
    finally:
        types.utcnow = real
