"""The respondent pages' own words. The English is the gettext message id; the Welsh lives in
the catalogue, ``survey_app/translations/cy/LC_MESSAGES/messages.po`` (a draft awaiting review
by a qualified translator, like the instruments' Welsh). Plain words, short sentences.

The respondent pages call ``_()`` in the page's language, which ``use_language`` sets (the
locale selector reads ``g.lang``; research pages stay English). Pages shown before her language
is known (lock screen, ID entry, error page) speak both, through ``english()`` and ``welsh()``.
``t(key, lang)`` gives the text of a ``TEXT`` key in either language (the research side's
instrument preview uses it)."""

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
    "next": N_("Next"),
    "back": N_("Back"),
    "send": N_("Send my answers"),
    "start": N_("Start"),
    # TRANSLATORS: the language switch shows the name of the other language.
    "switch_language": N_("Cymraeg"),
    # TRANSLATORS: the language switch's spoken label, in the other language.
    "switch_language_label": N_("Newid i'r Gymraeg"),
    "progress": N_("Page %(n)s of %(total)s"),
    "required": N_("Please answer this question."),
    "consent_required": N_(
        "Please tick this box if you agree. If you do not agree, you do not have to take part."
    ),
    "page_has_errors": N_("Please look at the questions marked below."),
    "expired": N_(
        "This page was open for a long time, so your answers on it were not saved yet. Please check them and press the button again."
    ),
    "read_aloud": N_("Read aloud"),
    "decline": N_("I do not want to take part"),
    "agree": N_("Yes, I agree"),
    "finish_title": N_("You have reached the end"),
    "finish_body": N_(
        "Thank you. Press the button to send your answers. You can still go back and change them."
    ),
    "thanks_title": N_("Thank you"),
    "thanks_body": N_("Your answers have been sent. Thank you for taking part."),
    "thanks_kiosk": N_(
        "Please give the device back to the researcher. This screen will close by itself."
    ),
    "still_there": N_("Are you still there?"),
    "still_there_body": N_(
        "This screen will close in one minute to keep your answers private. Your answers so far are kept."
    ),
    "still_here": N_("I'm still here"),
    "choose_all": N_("Choose all that apply."),
    # The banner of a page without a questionnaire's title, and the skip link.
    "questionnaire": N_("Questionnaire"),
    "skip": N_("Skip to content"),
    "characters_max": N_("Up to %(n)s characters."),
    "optional": N_("You can skip this question."),
    # Stop, on every page: on the kiosk she keeps her answers (the default) or deletes them.
    "stop": N_("Stop"),
    "stop_title": N_("Do you want to stop?"),
    "stop_body": N_("You can stop now. Do you want us to keep your answers so far?"),
    "stop_keep": N_("Stop and keep my answers"),
    "stop_keep_hint": N_("The researcher can help you carry on another day."),
    "stop_delete": N_("Stop and delete my answers"),
    "stop_delete_hint": N_("Your answers are wiped. Nothing is kept."),
    "stop_back": N_("Go back to the questions"),
    "stop_link": N_("Stop and close this questionnaire"),
    "stop_link_hint": N_(
        "Your answers so far are kept for a short time, then deleted. This browser will no longer show them, so the next person to use it cannot see them."
    ),
}


def welsh_setting() -> str:
    """study.yaml's ``welsh``: "on", "draft" (awaiting review) or "off" (no Welsh offered)."""
    from ..study import current_study

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
