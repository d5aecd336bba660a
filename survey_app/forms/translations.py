"""WTForms' own messages in the page's language, each catalogue read once per process.

Flask-WTF reads WTForms' catalogue from disk on every request that shows a form (a 15th of a
question page under cProfile); the catalogues are files of the installed package and do not
change while the process runs."""

from __future__ import annotations

import functools

from babel import support
from flask import has_request_context
from flask_babel import get_locale
from wtforms.i18n import messages_path


@functools.cache
def _catalogue(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _current() -> support.NullTranslations | None:
    locale = get_locale() if has_request_context() else None
    return None if locale is None else _catalogue(str(locale))


class CachedTranslations:
    """What a form's ``Meta.get_translations`` returns: gettext and ngettext as WTForms asks."""

    def gettext(self, string: str) -> str:
        catalogue = _current()
        return string if catalogue is None else str(catalogue.ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        catalogue = _current()
        if catalogue is None:
            return singular if n == 1 else plural
        return str(catalogue.ungettext(singular, plural, n))


translations = CachedTranslations()
