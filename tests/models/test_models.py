"""Invariants held by the database itself, not only by Python checks."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import InstrumentVersion, Participant, Response, ResponseStatus, Site, Wave


def _setup() -> tuple[Participant, Wave, InstrumentVersion]:
    site = db.session.scalar(select(Site).where(Site.code == "send"))
    participant = Participant(pseudonym="TC-AAA-AAAA", site=site)
    db.session.add(participant)
    wave = db.session.scalar(select(Wave).where(Wave.code == "T1"))
    version = db.session.scalar(
        select(InstrumentVersion).where(InstrumentVersion.key == "mothers_t1")
    )
    db.session.flush()
    return participant, wave, version


def _response(
    participant: Participant, wave: Wave, version: InstrumentVersion, key: str, **kw: object
) -> Response:
    return Response(
        instrument_version=version,
        channel="kiosk",
        participant=participant,
        wave=wave,
        submission_key=key,
        answers={},
        **kw,
    )


def test_a_pseudonym_is_unique(app: Flask) -> None:
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "send"))
        db.session.add_all(
            [
                Participant(pseudonym="TC-AAA-AAAA", site=site),
                Participant(pseudonym="TC-AAA-AAAA", site=site),
            ]
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_instrument_key_and_version_are_unique(app: Flask) -> None:
    with app.app_context():
        existing = db.session.scalar(select(InstrumentVersion).limit(1))
        db.session.add(
            InstrumentVersion(
                key=existing.key,
                version=existing.version,
                audience="mother",
                title="x",
                content_hash="0" * 64,
                definition={},
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_one_live_response_per_participant_and_wave(app: Flask) -> None:
    with app.app_context():
        participant, wave, version = _setup()
        db.session.add(
            _response(
                participant,
                wave,
                version,
                "k1",
                status=ResponseStatus.COMPLETE,
                completed_on=dt.date(2026, 1, 1),
            )
        )
        db.session.flush()
        db.session.add(_response(participant, wave, version, "k2"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_voiding_frees_the_wave(app: Flask) -> None:
    with app.app_context():
        participant, wave, version = _setup()
        first = _response(
            participant,
            wave,
            version,
            "k1",
            status=ResponseStatus.COMPLETE,
            completed_on=dt.date(2026, 1, 1),
        )
        db.session.add(first)
        db.session.flush()
        first.voided_at = dt.datetime(2026, 1, 2)
        first.void_reason = "wrong participant"
        db.session.add(
            _response(
                participant,
                wave,
                version,
                "k2",
                status=ResponseStatus.COMPLETE,
                completed_on=dt.date(2026, 1, 3),
            )
        )
        db.session.flush()
        assert len(db.session.scalars(select(Response)).all()) == 2
        db.session.rollback()


def test_the_submission_key_is_unique(app: Flask) -> None:
    with app.app_context():
        participant, wave, version = _setup()
        t2 = db.session.scalar(select(Wave).where(Wave.code == "T2"))
        db.session.add_all(
            [
                _response(participant, wave, version, "same"),
                _response(participant, t2, version, "same"),
            ]
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_kiosk_response_needs_a_participant_and_a_wave(app: Flask) -> None:
    with app.app_context():
        _, _, version = _setup()
        db.session.add(
            Response(instrument_version=version, channel="kiosk", submission_key="k", answers={})
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_complete_responses_carry_their_completion_date(app: Flask) -> None:
    with app.app_context():
        participant, wave, version = _setup()
        db.session.add(_response(participant, wave, version, "k", status=ResponseStatus.COMPLETE))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_response_ids_are_random_not_sequential(app: Flask) -> None:
    with app.app_context():
        participant, wave, version = _setup()
        t2 = db.session.scalar(select(Wave).where(Wave.code == "T2"))
        a, b = _response(participant, wave, version, "a"), _response(participant, t2, version, "b")
        db.session.add_all([a, b])
        db.session.flush()
        assert len(a.id) == 32 and a.id != b.id
        assert abs(int(a.id, 16) - int(b.id, 16)) > 1000
        db.session.rollback()
