"""Words in either language, for both sides (the research side previews respondent pages).
The English is the gettext message id; the Welsh lives in the catalogue,
``survey_app/translations/cy/LC_MESSAGES/messages.po`` (a draft awaiting review by a qualified
translator, like the instruments' Welsh). Plain words, short sentences.

The respondent pages call ``_()`` in the page's language, which ``use_language`` sets (the
locale selector reads ``g.lang``; research pages stay English). Pages shown before her language
is known (lock screen, ID entry, error page) speak both, through ``english()`` and ``welsh()``.
``t(key, lang)`` gives the text of a ``TEXT`` key in either language (the research side's
instrument preview shows a respondent's page with it)."""

from __future__ import annotations

from typing import Final

from flask import g
from flask_babel import force_locale, gettext, refresh
from markupsafe import Markup

LANGUAGES: Final = ("en", "cy")


def N_(message: str) -> str:
    """Marks a message for extraction without translating it yet."""
    return message


TEXT: Final[dict[str, str]] = {
    "agree": N_("Yes, I agree"),
    "choose_all": N_("Choose all that apply."),
    "characters_max": N_("Up to %(n)s characters."),
    "other_conflict": N_(
        "You wrote in the box, but chose another answer. Tick “%(other)s”, or clear the box."
    ),
}


def welsh_setting() -> str:
    """study.yaml's ``welsh``: "on", "draft" (awaiting review) or "off" (no Welsh offered)."""
    from .study import current_study

    return current_study().welsh


def current_language() -> str:
    """Flask-Babel's locale selector: the respondent page's language, else English."""
    lang = g.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def use_language(lang: str) -> None:
    """The language of the page about to be rendered (and of its messages)."""
    g.lang = lang if lang in LANGUAGES else "en"
    refresh()


def in_language(lang: str, message: str, **values: object) -> str:
    with force_locale(lang):
        text = str(gettext(message))
    return text % values if values else text


def t(key: str, lang: str, **values: object) -> str:
    return in_language(lang, TEXT[key], **values)


def _bilingual(lang: str, message: str, **values: object) -> Markup:
    with force_locale(lang):
        text = str(gettext(message))
    # As Jinja's own _() does: the catalogue's text is trusted, the values are escaped.
    return Markup(text) % values  # noqa: S704


def english(message: str, **values: object) -> Markup:
    """In a template: ``message`` in English whatever the page's language."""
    return _bilingual("en", message, **values)


def welsh(message: str, **values: object) -> Markup:
    """In a template: ``message`` in Welsh whatever the page's language."""
    return _bilingual("cy", message, **values)
