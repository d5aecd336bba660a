"""The respondent pages' Welsh: every interface string has a Welsh translation in the
catalogue, the committed messages.mo matches messages.po, and the pages use it."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext

from survey_app.i18n import TEXT, t, use_language
from tests.flows import Auth, csrf_token, enter_id, past_consent, register, unlock

ROOT = Path(__file__).resolve().parent.parent.parent
CATALOGUE = ROOT / "survey_app" / "translations" / "cy" / "LC_MESSAGES"
# As babel.cfg and `make translations`: the respondent side only, with the bilingual pages'
# english() and welsh() as keywords beside gettext's usual ones.
METHOD_MAP = [
    ("respond/**.py", "python"),
    ("i18n.py", "python"),
    ("templates/respond/**.html", "jinja2"),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "english": None, "welsh": None}


def _po() -> Catalog:
    with (CATALOGUE / "messages.po").open("rb") as f:
        return read_po(f)


def _messages(catalog: Catalog) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in catalog if m.id}


def _used_msgids() -> dict[str, str]:
    """msgid -> where it is used, as `pybabel extract` finds them."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "survey_app"), METHOD_MAP, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_the_extraction_finds_the_respondent_strings() -> None:
    used = _used_msgids()
    for msgid in ("Next", "Back", "Send my answers", "Are you still there?", "Enter the ID"):
        assert msgid in used, msgid
    assert set(TEXT.values()) <= set(used)


def test_every_interface_string_has_a_welsh_translation() -> None:
    catalog = _po()
    welsh = {m.id: m for m in catalog if m.id}
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in sorted(_used_msgids().items())
        if msgid not in welsh or not welsh[msgid].string or welsh[msgid].fuzzy
    ]
    assert not missing, (
        "no Welsh (or a fuzzy one) in messages.po; run `make translations` and translate:\n"
        + "\n".join(missing)
    )


def test_the_catalogue_is_well_formed() -> None:
    # Placeholders (%(n)s) the same in English and Welsh, and so on (babel's own checks).
    problems = [f"{message.id!r}: {error}" for message, errors in _po().check() for error in errors]
    assert not problems, problems
    assert "AWAITING REVIEW BY A QUALIFIED TRANSLATOR" in (CATALOGUE / "messages.po").read_text()


def test_the_committed_mo_is_compiled_from_the_po() -> None:
    compiled = BytesIO()
    write_mo(compiled, _po())
    compiled.seek(0)
    with (CATALOGUE / "messages.mo").open("rb") as f:
        committed = read_mo(f)
    assert _messages(committed) == _messages(read_mo(compiled)), (
        "messages.mo is stale: run `make translations` and commit messages.mo"
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Up to 5 characters."), ("cy", "Hyd at 5 nod.")],
)
def test_t_gives_the_catalogue_text_in_either_language(
    app: Flask, lang: str, expected: str
) -> None:
    with app.test_request_context("/research/"):
        assert t("characters_max", lang, n=5) == expected
        assert t("agree", lang) == {"en": "Yes, I agree", "cy": "Ydw, rwy'n cytuno"}[lang]


def test_a_kiosk_page_speaks_the_catalogue_s_welsh_and_english(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    second = past_consent(app, client)
    english = client.get(second).get_data(as_text=True)
    assert ">Next</button>" in english and ">Back</button>" in english
    assert "Nesaf" not in english and "Yn ôl" not in english
    reply = client.post(
        second, data={"csrf_token": csrf_token(client.get(second)), "action": "lang:cy"}
    )
    assert reply.status_code == 302
    welsh = client.get(second).get_data(as_text=True)
    assert ">Nesaf</button>" in welsh and ">Yn ôl</button>" in welsh
    assert ">Next</button>" not in welsh and ">Back</button>" not in welsh
    # ... and the Welsh comes from the catalogue, not from the code.
    assert _messages(_po())["Next"] == "Nesaf"
    assert "Nesaf" not in (ROOT / "survey_app" / "i18n.py").read_text()


def test_the_pages_before_her_language_is_known_speak_both(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    lock = client.get("/kiosk/lock").get_data(as_text=True)
    assert "Press Start when the researcher asks you to." in lock
    assert "Pwyswch Dechrau pan fydd yr ymchwilydd yn gofyn i chi." in lock
    start = client.get("/kiosk/start").get_data(as_text=True)
    assert "Enter the ID" in start and "Rhowch yr ID" in start
    assert "er enghraifft <strong>TC-7KX-Q2M9</strong>." in start
    missing = client.get("/kiosk/nowhere")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 404
    assert "Error 404." in page and "Gwall 404." in page


def test_other_pages_stay_english(app: Flask) -> None:
    # The locale selector answers Welsh only where a respondent page asked for it.
    with app.test_request_context("/research/"):
        assert gettext("Next") == "Next"
        use_language("cy")
        assert gettext("Next") == "Nesaf"
