"""Read-aloud audio made on the server (eSpeak NG): a clip for every question, help text and
answer of a published version, in each of its languages; cached as files; served by a route
that knows nothing of any respondent."""

from __future__ import annotations

import io
import re
import wave
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.config import SETTINGS_KEY
from survey_app.extensions import db
from survey_app.instruments import model
from survey_app.models import InstrumentVersion
from survey_app.speech import clips, espeak
from tests.flows import Auth, answer_pages, enter_id, instrument, register, second_page, unlock


@pytest.fixture
def audio_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's audio in a folder of its own, so that "made" and "reused" mean this test's."""
    _with_settings(app, monkeypatch, speech_audio_dir=str(tmp_path / "speech"))
    return tmp_path / "speech"


def _with_settings(app: Flask, monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    """The app's typed settings with ``changes``, for this test only."""
    changed = replace(app.extensions[SETTINGS_KEY], **changes)
    monkeypatch.setitem(app.extensions, SETTINGS_KEY, changed)


def _seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getnframes() / wav.getframerate()


def _version(app: Flask, key: str) -> InstrumentVersion:
    with app.app_context():
        version = instrument(app, key).version
        row = db.session.scalar(
            select(InstrumentVersion).where(
                InstrumentVersion.key == key, InstrumentVersion.version == version
            )
        )
        assert row is not None
        db.session.expunge(row)
        return row


def test_the_wheel_carries_english_and_welsh_voices(app: Flask) -> None:
    for lang in ("en", "cy"):
        assert espeak.available(lang), lang
        assert _seconds(espeak.synthesise("Read aloud. Darllen yn uchel.", lang)) > 0.5
    assert not espeak.available("fr")  # only the app's languages


def test_audio_is_made_for_every_item_of_a_version_then_reused(
    app: Flask, audio_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = _version(app, "mothers_t1")
    with app.app_context():
        parsed = model.from_version(row)
        made = clips.make_all(row.content_hash, parsed)
    expected = set(clips.clip_ids(parsed).values())
    assert {"consent_take_part", "css_trust"} <= expected
    assert parsed.languages == ("en", "cy") or set(parsed.languages) == {"en", "cy"}
    for lang in parsed.languages:
        folder = audio_dir / row.content_hash / lang
        assert {p.stem for p in folder.glob("*.wav")} == expected
        for path in folder.glob("*.wav"):
            assert _seconds(path.read_bytes()) > 0.3, path
    assert len(made) == len(expected) * len(parsed.languages)

    # Made once: a second pass, and the route, use the files without speaking again.
    def no_second_time(text: str, lang: str) -> bytes:
        raise AssertionError("audio made again")

    monkeypatch.setattr(espeak, "synthesise", no_second_time)
    with app.app_context():
        clips.make_all(row.content_hash, parsed)
    with app.test_client().get(f"/speech/mothers_t1/{row.version}/cy/css_trust.wav") as reply:
        assert reply.status_code == 200 and reply.mimetype == "audio/wav"


def test_flask_instruments_speak_makes_a_versions_audio(app: Flask, audio_dir: Path) -> None:
    result = app.test_cli_runner().invoke(args=["instruments", "speak", "prison_staff"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.scalars(
            select(InstrumentVersion).where(InstrumentVersion.key == "prison_staff")
        ).all()
        for row in rows:
            parsed = model.from_version(row)
            expected = len(clips.clip_ids(parsed)) * len(parsed.languages)
            assert f"prison_staff {row.version}: {expected} clips" in result.output
            assert len(list((audio_dir / row.content_hash).rglob("*.wav"))) == expected
        # That instrument's versions only.
        assert {p.name for p in audio_dir.iterdir()} == {row.content_hash for row in rows}


def test_a_clip_says_the_question_its_help_and_its_answers_in_its_language(app: Flask) -> None:
    t1 = instrument(app, "mothers_t1")
    trust = t1.item("css_trust")
    recontact = t1.item("consent_recontact")
    assert trust is not None and recontact is not None and recontact.help
    for lang in ("en", "cy"):
        said = clips.words(trust, lang)
        assert model.pick(trust.text, lang).rstrip(".") in said
        for option in trust.options:
            assert model.pick(option.label, lang).rstrip(".") in said
        assert model.pick(recontact.help, lang).rstrip(".") in clips.words(recontact, lang)
    assert "Ydw, rwy'n cytuno" in clips.words(t1.item("consent_take_part"), "cy")  # type: ignore[arg-type]


def test_the_route_serves_a_clip_made_on_first_request(app: Flask, audio_dir: Path) -> None:
    row = _version(app, "mothers_t1")
    client = app.test_client()
    url = f"/speech/mothers_t1/{row.version}/cy/css_trust.wav"
    assert not (audio_dir / row.content_hash / "cy" / "css_trust.wav").exists()
    with client.get(url) as reply:
        assert reply.status_code == 200 and reply.mimetype == "audio/wav"
        assert _seconds(reply.get_data()) > 0.5
        made = audio_dir / row.content_hash / "cy" / "css_trust.wav"
        assert made.read_bytes() == reply.get_data()


@pytest.mark.parametrize(
    "url",
    [
        "/speech/mothers_t1/{v}/en/no_such_item.wav",  # an unknown item
        "/speech/mothers_t1/{v}/fr/css_trust.wav",  # a language with no voice
        "/speech/mothers_t1/{v}/cy/..%2Fsecret_key.wav",  # no way out of the folder
        "/speech/mothers_t1/999/en/css_trust.wav",  # an unknown version
        "/speech/no_such_instrument/1/en/css_trust.wav",
        "/speech/mothers_t1/x1/en/css_trust.wav",  # not a number
        "/speech/mothers_t1/{v}/en/css_trust.mp3",
    ],
)
def test_an_unknown_clip_is_a_404(app: Flask, audio_dir: Path, url: str) -> None:
    version = _version(app, "mothers_t1").version
    with app.test_client().get(url.format(v=version)) as reply:
        assert reply.status_code == 404
    assert not audio_dir.exists() or not any(audio_dir.rglob("*.wav"))


def test_the_page_buttons_point_at_audio_that_says_nothing_of_her(
    app: Flask, client: FlaskClient, auth: Auth, audio_dir: Path
) -> None:
    t1 = instrument(app, "mothers_t1")
    texts = [q.variable for q in t1.questions() if q.type in ("short_text", "long_text")]
    assert texts, "mothers_t1 has a text question"
    secret = "Ninety-nine Quayside Lane"
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    page = client.get("/kiosk/page/0")
    body = page.get_data(as_text=True)
    urls = re.findall(r'data-audio="([^"]+)"', body)
    assert len(urls) == body.count('class="read-aloud') and urls
    for url in urls:
        assert re.fullmatch(rf"/speech/mothers_t1/{t1.version}/en/[\w.]+\.wav", url), url
        with client.get(url) as reply:
            assert reply.status_code == 200
    # Her answers go in; nothing of them, nor her ID, reaches an audio URL or file.
    finish = answer_pages(client, "/kiosk/page/0", t1, {texts[0]: secret})
    assert finish.status_code == 200
    for url in ("/kiosk/page/0", "/kiosk/page/1"):  # and the pages again, answered
        for audio in re.findall(r'data-audio="([^"]+)"', client.get(url).get_data(as_text=True)):
            assert re.fullmatch(rf"/speech/mothers_t1/{t1.version}/en/[\w.]+\.wav", audio)
            client.get(audio).close()
    made = list(audio_dir.rglob("*"))
    assert made
    for path in made:
        assert pseudonym not in str(path) and "Quayside" not in str(path)
        if path.is_file():
            assert (
                b"Quayside" not in path.read_bytes() and pseudonym.encode() not in path.read_bytes()
            )


def test_welsh_pages_point_at_welsh_audio(app: Flask, client: FlaskClient, auth: Auth) -> None:
    second = second_page(app, client, auth)
    switched = second.post(client, "lang:cy", {})
    assert switched.status_code in (200, 302)
    body = client.get(second.url).get_data(as_text=True)
    urls = re.findall(r'data-audio="([^"]+)"', body)
    assert urls and all("/cy/" in url for url in urls)


def test_without_a_server_voice_the_buttons_have_no_audio_and_set_up_says_so(
    app: Flask, client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_settings(app, monkeypatch, speech_audio=False)
    unlock(auth, client)  # (the set-up page, checked below, shows before the kiosk locks)
    enter_id(client, register(app))
    body = client.get("/kiosk/page/0").get_data(as_text=True)
    assert 'class="read-aloud' in body and "data-audio" not in body
    version = instrument(app, "mothers_t1").version
    with client.get(f"/speech/mothers_t1/{version}/en/css_trust.wav") as reply:
        assert reply.status_code == 404
    setup = app.test_client()
    Auth(app, setup).login("fieldworker", email="fw2@example.org")
    assert "This server has no voice for: English, Welsh." in setup.get("/kiosk/").get_data(
        as_text=True
    )


def test_the_set_up_page_names_the_servers_voices(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("fieldworker", email="fw@example.org")
    setup = client.get("/kiosk/").get_data(as_text=True)
    assert "This server has its own voice (eSpeak NG) for: English, Welsh" in setup
