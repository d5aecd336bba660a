"""Log records that never carry an anonymous link's token.

A link's token is its secret address: whoever reads it can answer as the link's audience. An
error on a ``/s/<token>`` page would be logged with its path (Flask's "Exception on /s/...
[GET]", gunicorn's "Error handling request /s/..."), and the token can turn up again in the
exception's own text (a failed query lists its parameters). ``LinkTokenFilter`` rewrites such
a record: the path reads ``/s/<token>`` and the token is gone from the message and the
traceback. create_app puts it on the app's logger; accesslog.RespondentSafeLogger on
gunicorn's error log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# A link's path, however spelt: "//s/..." and "/%73/..." reach /s/ too. The token is the
# segment after it, up to the next slash, query, space, quote or bracket.
_LINK_PATH = re.compile(r"(/+(?:s|%73)/+)([^/?#\s\"'\[\]<>]+)", re.IGNORECASE)
HIDDEN = "<token>"


def link_tokens(text: str) -> set[str]:
    """The tokens of the link paths in ``text``."""
    return {match.group(2) for match in _LINK_PATH.finditer(text)}


def redact(text: str, tokens: Iterable[str] = ()) -> str:
    """``text`` with every link path's token, and each of ``tokens`` anywhere, hidden."""
    text = _LINK_PATH.sub(lambda match: match.group(1) + HIDDEN, text)
    for token in sorted(tokens, key=len, reverse=True):
        text = text.replace(token, HIDDEN)
    return text


class LinkTokenFilter(logging.Filter):
    """Hides link tokens in a record's message and traceback. The traceback is kept as text
    only (``exc_text``; ``exc_info`` is dropped): a handler formatting the exception itself
    would print its message, token and all."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record: logging's handler reports it as it is
        tokens = link_tokens(message)
        if tokens:
            record.msg, record.args = redact(message, tokens), None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, tokens)
        return True


def install(logger: logging.Logger) -> None:
    """Put one ``LinkTokenFilter`` on ``logger``, however often this runs."""
    if not any(isinstance(f, LinkTokenFilter) for f in logger.filters):
        logger.addFilter(LinkTokenFilter())
