"""One-line test data. Each factory opens its own app context and commits."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from survey_app.auth.operations import create_user
from survey_app.extensions import db
from survey_app.models import Site, User

PASSWORD = "correct horse battery staple"


def user(app: Flask, role: str = "researcher", email: str | None = None) -> User:
    with app.app_context():
        made = create_user(db.session, email or f"{role}@example.org", PASSWORD, role)
        db.session.commit()
        db.session.refresh(made)
        db.session.expunge(made)
        return made


def enrolled_researcher(app: Flask, email: str) -> str:
    """A researcher who has set up two-step login already; the secret her phone holds."""
    import pyotp

    user(app, "researcher", email)
    secret = pyotp.random_base32()
    with app.app_context():
        made = db.session.scalar(select(User).where(User.email == email))
        assert made is not None
        made.totp_secret = secret
        db.session.commit()
    return secret


def site_id(app: Flask, code: str = "send") -> int:
    with app.app_context():
        found = db.session.scalar(select(Site.id).where(Site.code == code))
        assert found is not None, code
        return found


def complete_response(
    app: Flask,
    pseudonym: str,
    wave: str,
    answers: dict[str, object],
    completed_on: object = None,
    *,
    site: str = "send",
    version: int | None = None,
) -> str:
    """A complete kiosk response made through the models (for research and export tests)."""
    import datetime as dt

    from survey_app.models import InstrumentVersion, Participant, Response, ResponseStatus, Wave
    from survey_app.study import current_study

    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.pseudonym == pseudonym)
        )
        if participant is None:
            site_row = db.session.scalar(select(Site).where(Site.code == site))
            participant = Participant(pseudonym=pseudonym, site=site_row)
            db.session.add(participant)
        wave_row = db.session.scalar(select(Wave).where(Wave.code == wave))
        key = current_study().instrument_for("mother", wave)
        query = select(InstrumentVersion).where(InstrumentVersion.key == key)
        if version is not None:
            query = query.where(InstrumentVersion.version == version)
        iv = db.session.scalar(query.order_by(InstrumentVersion.version.desc()))
        response = Response(
            instrument_version=iv,
            channel="kiosk",
            participant=participant,
            wave=wave_row,
            submission_key=f"k-{pseudonym}-{wave}",
            answers=dict(answers),
            status=ResponseStatus.COMPLETE,
            completed_on=completed_on or dt.date(2026, 1, 15),
        )
        db.session.add(response)
        db.session.commit()
        return response.id


def link_response(
    app: Flask,
    instrument_key: str,
    answers: dict[str, object],
    site: str | None = "send",
    completed_on: object = None,
) -> str:
    """A complete anonymous-link response made through the models."""
    import datetime as dt
    import secrets

    from survey_app.models import InstrumentVersion, Link, Response, ResponseStatus

    with app.app_context():
        site_row = db.session.scalar(select(Site).where(Site.code == site)) if site else None
        link = Link(instrument_key=instrument_key, site=site_row)
        iv = db.session.scalar(
            select(InstrumentVersion)
            .where(InstrumentVersion.key == instrument_key)
            .order_by(InstrumentVersion.version.desc())
        )
        response = Response(
            instrument_version=iv,
            channel="link",
            link=link,
            submission_key=secrets.token_hex(8),
            answers=dict(answers),
            status=ResponseStatus.COMPLETE,
            completed_on=completed_on or dt.date(2026, 2, 1),
        )
        db.session.add_all([link, response])
        db.session.commit()
        return response.id


def caseworker(
    app: Flask, sites: tuple[str, ...] = ("send",), email: str = "caseworker@example.org"
) -> User:
    """A caseworker account granted ``sites`` (codes)."""
    from survey_app.services import cases

    made = user(app, role="caseworker", email=email)
    with app.app_context():
        account = db.session.get(User, made.id)
        assert account is not None
        granted = db.session.scalars(select(Site).where(Site.code.in_(sites))).all()
        cases.grant_sites(db.session, account, granted)
        db.session.commit()
    return made


def participants(app: Flask, count: int = 1, site: str = "send") -> list[str]:
    """Registered participants' IDs, made as the register page makes them."""
    from survey_app.services import participants as participant_ops

    with app.app_context():
        made = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, site), count
        )
        db.session.commit()
        return [p.pseudonym for p in made]


def participant_with_id(app: Flask, pseudonym: str, site: str = "send") -> str:
    """A participant with a chosen (valid) ID, for tests that need IDs close to each other."""
    from survey_app.models import Participant

    with app.app_context():
        site_row = db.session.scalar(select(Site).where(Site.code == site))
        db.session.add(Participant(pseudonym=pseudonym, site=site_row))
        db.session.commit()
        return pseudonym


def draft_response(
    app: Flask, pseudonym: str, wave: str, page: int, pages: int, saved_on: object
) -> str:
    """An unfinished kiosk response whose last save was page ``page`` of ``pages``."""
    import datetime as dt

    from survey_app.models import InstrumentVersion, Participant, Response, Wave
    from survey_app.services.drafts import FLAG, progress_flag
    from survey_app.study import current_study

    assert isinstance(saved_on, dt.date)
    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.pseudonym == pseudonym)
        )
        key = current_study().instrument_for("mother", wave)
        response = Response(
            instrument_version=db.session.scalar(
                select(InstrumentVersion)
                .where(InstrumentVersion.key == key)
                .order_by(InstrumentVersion.version.desc())
            ),
            channel="kiosk",
            participant=participant,
            wave=db.session.scalar(select(Wave).where(Wave.code == wave)),
            submission_key=f"d-{pseudonym}-{wave}",
            answers={"consent_take_part": 1},
            flags={FLAG: progress_flag(page, pages, saved_on)},
        )
        db.session.add(response)
        db.session.commit()
        return response.id


def api_token(app: Flask, user_id: int, state: str = "valid", days: int = 30) -> str:
    """An API token of the user, made as the account page makes it, left ``valid``,
    ``expired`` (its end moved into the past), ``revoked`` or ``unknown`` (never made)."""
    import datetime as dt
    import secrets

    from survey_app.api import tokens
    from survey_app.models.types import utcnow

    if state == "unknown":
        return tokens.PREFIX + secrets.token_urlsafe(32)
    with app.app_context():
        owner = db.session.get(User, user_id)
        assert owner is not None
        made = tokens.create(db.session, owner, f"{state} token", days)
        if state == "expired":
            made.token.expires_at = utcnow() - dt.timedelta(seconds=1)
        elif state == "revoked":
            tokens.revoke(db.session, owner, made.token.id)
        else:
            assert state == "valid", state
        db.session.commit()
        return made.secret
