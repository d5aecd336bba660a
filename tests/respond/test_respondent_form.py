"""The respondent form's fields parse answers and tell missing from tampered."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale
from flask_wtf.i18n import translations as per_request
from werkzeug.datastructures import MultiDict

from survey_app.forms.respondent import build_page_form
from survey_app.forms.translations import translations as cached
from survey_app.instruments.model import Item, Section, build


def _section() -> Section:
    definition = {
        "key": "demo",
        "version": 1,
        "audience": "mother",
        "title": {"en": "Demo"},
        "waves": ["T1"],
        "scales": {
            "agree3": {"options": [{"code": c, "label": {"en": str(c)}} for c in (1, 2, 3)]}
        },
        "sections": [
            {
                "id": "s",
                "title": {"en": "S"},
                "items": [
                    {
                        "type": "likert",
                        "variable": "q",
                        "scale": "agree3",
                        "text": {"en": "Q"},
                        "required": True,
                        "offer": ["prefer_not_to_say"],
                    },
                    {
                        "type": "multiple",
                        "variable": "m",
                        "text": {"en": "M"},
                        "options": [
                            {"code": 1, "label": {"en": "a"}},
                            {"code": 2, "label": {"en": "b"}},
                        ],
                        "offer": ["dont_know"],
                    },
                    {"type": "long_text", "variable": "t", "text": {"en": "T"}, "max_length": 10},
                ],
            }
        ],
    }
    return build(definition).sections[0]


def _form(app: Flask, data: dict[str, object]) -> object:
    section = _section()
    items: list[Item] = list(section.items)
    with app.test_request_context(method="POST"):
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            form = build_page_form(items, {}, "Please answer.", formdata=MultiDict(data))
            form.validate()
        finally:
            app.config["WTF_CSRF_ENABLED"] = True
        return form


def test_answers_are_parsed_to_codes_lists_and_clean_text(app: Flask) -> None:
    form = _form(app, {"q": "2", "m": ["2", "1"], "t": "a\x00b\r\nc\x07"})
    assert form.answers() == {"q": 2, "m": [1, 2], "t": "ab\nc"}  # type: ignore[attr-defined]
    assert form.tampered() == []  # type: ignore[attr-defined]


def test_missing_and_tampered_are_told_apart(app: Flask) -> None:
    missing_form = _form(app, {})
    assert missing_form.missing_required() == ["q"]  # type: ignore[attr-defined]
    assert missing_form.tampered() == []  # type: ignore[attr-defined]
    for bad in (
        {"q": "9"},
        {"q": ["1", "2"]},
        {"q": "one"},
        {"m": ["1", "-1"]},
        {"m": "7"},
        {"t": "x" * 11},
    ):
        form = _form(app, {"q": "1", **bad})
        assert form.tampered(), bad  # type: ignore[attr-defined]


def test_an_offered_missing_code_is_an_answer(app: Flask) -> None:
    form = _form(app, {"q": "-2", "m": "-1"})
    assert form.answers() == {"q": -2, "m": -1, "t": None}  # type: ignore[attr-defined]
    assert form.missing_required() == []  # type: ignore[attr-defined]


def test_forms_for_the_same_items_share_no_answers(app: Flask) -> None:
    """The form class is made once per set of items; each request's form is its own."""
    items: list[Item] = list(_section().items)
    with app.test_request_context(method="POST"):
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            first = build_page_form(items, {}, "Please answer.", formdata=MultiDict({"q": "1"}))
            second = build_page_form(items, {}, "Please answer.", formdata=MultiDict({"q": "3"}))
            saved = build_page_form(items, {"q": 2}, "Please answer.")
            first.validate()
            second.validate()
        finally:
            app.config["WTF_CSRF_ENABLED"] = True
    assert type(first) is type(second)
    assert first.answers()["q"] == 1
    assert second.answers()["q"] == 3
    assert saved.answers()["q"] == 2
    assert first.missing_required() == second.missing_required() == []


def test_wtforms_messages_come_in_the_page_language_as_flask_wtf_gives_them(app: Flask) -> None:
    """The catalogue read once per process says what Flask-WTF's per-request read says."""
    message = "This field is required."
    for locale in ("cy", "en"):
        with app.test_request_context(), force_locale(locale):
            assert cached.gettext(message) == per_request.gettext(message)
            assert cached.ngettext("%(num)d x", "%(num)d xs", 2) == per_request.ngettext(
                "%(num)d x", "%(num)d xs", 2
            )
    with app.test_request_context(), force_locale("cy"):
        assert cached.gettext(message) != message  # WTForms has Welsh: the test can tell
