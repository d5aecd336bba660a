"""An access log that keeps no trace of anonymous respondents.

Responses have random IDs and a date only, but the exact time of each ``/s/`` request in an
access log, matched against the order of rows, would give each anonymous response its time.
A line without its time is no better: its place between timed lines brackets it. So requests
for ``/s/`` leave no line at all, and neither do ``/static/`` files (each page load fetches
them, so their times would show when a respondent was answering). Every other request is
logged in the configured format.

``gunicorn --logger-class survey_app.accesslog.RespondentSafeLogger`` (see the README), or the
filter ``RespondentRequestFilter`` on the ``gunicorn.access`` logger in a logging config."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from gunicorn.glogging import Logger

_SLASHES = re.compile("/{2,}")
UNLOGGED_PREFIXES = ("/s/", "/static/")


def is_unlogged(path: str) -> bool:
    """A respondent's request or a static file (``//s/...`` reaches ``/s/`` too)."""
    path = _SLASHES.sub("/", path)
    return path == "/s" or path.startswith(UNLOGGED_PREFIXES)


class RespondentRequestFilter(logging.Filter):
    """Drops gunicorn access-log records of unlogged paths (gunicorn passes its atoms, with
    the path as ``U``, as the record's arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if not isinstance(atoms, Mapping):
            return True
        path = atoms.get("U")
        return not (isinstance(path, str) and is_unlogged(path))


class RespondentSafeLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with ``RespondentRequestFilter`` on its access log."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # setup runs again on a configuration reload: one filter, however often.
        if not any(isinstance(f, RespondentRequestFilter) for f in self.access_log.filters):
            self.access_log.addFilter(RespondentRequestFilter())
