"""An access log that keeps no trace of anonymous respondents.

Responses have random IDs and a date only, but the exact time of each ``/s/`` request in an
access log, matched against the order of rows, would give each anonymous response its time.
A line without its time is no better: its place between timed lines brackets it. So requests
for ``/s/`` leave no line at all, and neither do ``/static/`` files (each page load fetches
them, so their times would show when a respondent was answering). Every other request is
logged in the configured format.

gunicorn's error log names the request it failed on ("Error handling request /s/..."): there
the link's token is hidden instead (logtokens.py).

``gunicorn --logger-class survey_app.accesslog.RespondentSafeLogger`` (see the README), or the
filters ``RespondentRequestFilter`` on the ``gunicorn.access`` logger and
``survey_app.logtokens.LinkTokenFilter`` on ``gunicorn.error`` in a logging config."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from gunicorn.glogging import Logger

from .logtokens import install as install_token_filter

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
    """gunicorn's logger with ``RespondentRequestFilter`` on its access log, and link tokens
    hidden in its error log ("Error handling request /s/<token>", logtokens.py)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # setup runs again on a configuration reload: one filter, however often.
        if not any(isinstance(f, RespondentRequestFilter) for f in self.access_log.filters):
            self.access_log.addFilter(RespondentRequestFilter())
        install_token_filter(self.error_log)
