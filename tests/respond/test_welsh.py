"""The Welsh of the respondent pages: each yes/no question answered with its own verb, the
banner in the page's language, and study.yaml's ``welsh`` setting (on, draft, off)."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import survey_app.study as study_module
from survey_app.config import BUNDLED_STUDY_FILE
from survey_app.instruments.loader import InstrumentError
from survey_app.study import current_study, load_study
from tests.flows import (
    Auth,
    answer_pages,
    csrf_token,
    enter_id,
    instrument,
    past_consent,
    register,
    send,
    unlock,
)

_BANNER = re.compile(r'<header class="respond-header"><span class="respond-brand">(.*?)</span>')
_SKIP = re.compile(r'<a class="skip" href="#main">(.*?)</a>')
_OPTION = re.compile(r'<input type="radio" name="([a-z_]+)" value="(-?\d+)"[^>]*>\s*<span>([^<]*)<')


def text(page: object) -> str:
    return html.unescape(page.get_data(as_text=True))  # type: ignore[attr-defined]


def banner(body: str) -> str:
    found = _BANNER.search(body)
    assert found, "no banner"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def to_welsh(client: FlaskClient, url: str) -> None:
    reply = client.post(url, data={"csrf_token": csrf_token(client.get(url)), "action": "lang:cy"})
    assert reply.status_code == 302


def test_each_yes_no_question_is_answered_in_welsh_with_its_own_verb(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client, "T2")
    enter_id(client, register(app))
    client.post("/kiosk/notice", data={"csrf_token": csrf_token(client.get("/kiosk/notice"))})
    to_welsh(client, "/kiosk/page/0")
    t2 = instrument(app, "mothers_t2")
    [index] = [i for i, s in enumerate(t2.sections) if s.id == "tac_social_worker"]
    url = "/kiosk/page/0"
    while url != f"/kiosk/page/{index}":
        page = client.get(url)
        data = {"csrf_token": csrf_token(page), "action": "next"}
        for name, value, _label in _OPTION.findall(page.get_data(as_text=True)):
            data.setdefault(name, value)
        for name in re.findall(r'name="(consent_[a-z_]+)"', page.get_data(as_text=True)):
            data[name] = "1"
        url = client.post(url, data=data).headers["Location"]
    body = text(client.get(url))
    answers: dict[str, list[str]] = {}
    for name, value, label in _OPTION.findall(body):
        if int(value) >= 0:
            answers.setdefault(name, []).append(label.strip())
    assert answers["tac_listened"] == ["Ydw", "Nac ydw"]  # "Ydych chi'n teimlo ...?"
    assert answers["tac_practical"] == ["Ydw", "Nac ydw"]  # "Ydych chi wedi cael ...?"
    assert answers["tac_emotional"] == ["Ydw", "Nac ydw"]
    assert answers["tac_confident_future"] == ["Ydy", "Nac ydy"]  # "Ydy eich gweithiwr ...?"
    assert "Ydw / Do / Oes" not in body and "/ Naddo /" not in body
    # The codes are the same in every language: 1 yes, 0 no.
    assert re.search(r'name="tac_confident_future" value="1"[^>]*>\s*<span>Ydy<', body)


def test_the_banner_and_skip_link_of_a_welsh_page_are_welsh(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    second = past_consent(app, client)
    to_welsh(client, second)
    t1 = instrument(app, "mothers_t1")
    page = text(client.get(second))
    assert 'lang="cy"' in page
    assert banner(page) == t1.title["cy"]
    assert _SKIP.search(page).group(1) == "Neidio i'r cynnwys"  # type: ignore[union-attr]
    finish = answer_pages(client, second, t1)
    assert banner(text(finish)) == t1.title["cy"]
    send(client, finish, "/kiosk/submit")
    thanks = text(client.get("/kiosk/thanks"))
    assert 'lang="cy"' in thanks and "Diolch" in thanks
    assert banner(thanks) == "Holiadur"
    assert _SKIP.search(thanks).group(1) == "Neidio i'r cynnwys"  # type: ignore[union-attr]
    # An English page's banner stays English.
    enter_id(client, register(app))
    english = text(client.get("/kiosk/page/0"))
    assert banner(english) == t1.title["en"] and "Skip to content" in english


def with_welsh(monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    changed = dataclasses.replace(current_study(), welsh=setting)
    monkeypatch.setattr(study_module, "current_study", lambda: changed)


def test_the_bundled_study_says_its_welsh_is_a_draft() -> None:
    assert load_study().welsh == "draft"


@pytest.mark.parametrize("setting", ["on", "draft", "off"])
def test_the_lock_screen_tells_the_fieldworker_when_the_welsh_is_a_draft(
    app: Flask, client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    with_welsh(monkeypatch, setting)
    unlock(auth, client)
    lock = text(client.get("/kiosk/lock"))
    assert ("Welsh: draft translation" in lock) == (setting == "draft")
    # Before her language is known the kiosk speaks both, unless Welsh is off.
    assert ("Pwyswch Dechrau" in lock) == (setting != "off")
    assert ("Holiadur" in banner(lock)) == (setting != "off")
    assert ("Rhowch yr ID" in text(client.get("/kiosk/start"))) == (setting != "off")


def test_welsh_off_hides_the_switch_and_keeps_her_pages_english(
    app: Flask, client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    second = past_consent(app, client)
    assert "Newid i'r Gymraeg" in text(client.get(second))
    to_welsh(client, second)
    assert 'lang="cy"' in text(client.get(second))
    with_welsh(monkeypatch, "off")
    # A draft begun in Welsh goes on in English; the switch is gone and cannot be forced.
    page = text(client.get(second))
    assert 'lang="en"' in page and "Newid i'r Gymraeg" not in page and "lang:cy" not in page
    to_welsh(client, second)
    assert 'lang="en"' in text(client.get(second))
    missing = text(client.get("/kiosk/nowhere"))
    assert "Error 404." in missing and "Gwall" not in missing


@pytest.mark.parametrize("value", ["yes", "", "Draft"])
def test_the_study_file_refuses_another_welsh_setting(tmp_path: Path, value: str) -> None:
    source = BUNDLED_STUDY_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "study.yaml"
    bad.write_text(source.replace("welsh: draft", f"welsh: {value!r}"), encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_study(bad)
    assert caught.value.problems == ["study.yaml: welsh: use on, draft or off"]
