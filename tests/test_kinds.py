"""Audience, channel and role are each one enum (survey_app/kinds.py): the columns, the study
file, the instrument files and the config read them from there."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from survey_app.config import ConfigError, load_settings
from survey_app.extensions import db
from survey_app.instruments import model
from survey_app.instruments.loader import load_all
from survey_app.kinds import LINK_AUDIENCES, Audience, Channel, Role
from survey_app.models import InstrumentVersion, Response, User
from survey_app.study import load_study
from tests import factories


def test_the_columns_read_back_as_members_of_their_enums(app: Flask) -> None:
    factories.user(app, "caseworker")
    factories.complete_response(app, "TC-AAA-AAAA", "T1", {})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "caseworker@example.org"))
        response = db.session.scalar(select(Response).limit(1))
        assert user is not None and response is not None
        assert user.role is Role.CASEWORKER
        assert response.channel is Channel.KIOSK
        assert response.instrument_version.audience is Audience.MOTHER
        # Stored as the same plain strings as before the enums.
        stored = db.session.execute(text('SELECT role FROM "user" WHERE id = :id'), {"id": user.id})
        assert stored.scalar() == "caseworker"


@pytest.mark.parametrize(
    ("make", "value"),
    [
        (lambda: User(email="x@example.org", password_hash="x", role="boss"), "boss"),
        (
            lambda: InstrumentVersion(
                key="x", version=1, audience="visitor", title="x", content_hash="0", definition={}
            ),
            "visitor",
        ),
    ],
)
def test_a_string_outside_its_enum_is_refused_before_it_reaches_the_database(
    app: Flask, make: object, value: str
) -> None:
    with app.app_context():
        db.session.add(make())  # type: ignore[operator]
        with pytest.raises(StatementError) as caught:
            db.session.flush()
        # Refused by the column type (a LookupError naming the value), not by the CHECK.
        assert isinstance(caught.value.orig, LookupError)
        assert repr(value) in str(caught.value.orig)
        db.session.rollback()


def test_the_study_schedule_and_the_instruments_carry_audiences() -> None:
    study = load_study()
    assert {type(entry.audience) for entry in study.schedule} == {Audience}
    definitions = load_all()
    # The stored definition keeps the file's plain string (its content hash is unchanged)...
    assert {type(d["audience"]) for d in definitions} == {str}
    # ...and the parsed instrument holds the member.
    assert {type(model.build(d).audience) for d in definitions} == {Audience}


def test_staff_and_practitioners_answer_through_links_mothers_on_the_kiosk() -> None:
    assert LINK_AUDIENCES == (Audience.PRISON_STAFF, Audience.PRACTITIONER)
    assert Audience.MOTHER.channel is Channel.KIOSK
    assert Audience.CASEWORKER.channel is None


def test_totp_required_roles_are_read_into_roles(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, {"SECRET_KEY": "x", "TOTP_REQUIRED_ROLES": " fieldworker,"})
    assert settings.totp_required_roles == (Role.FIELDWORKER,)
    assert type(settings.totp_required_roles[0]) is Role
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, {"SECRET_KEY": "x", "TOTP_REQUIRED_ROLES": "admin,Researcher"})
    assert str(caught.value) == (
        "survey_app: TOTP_REQUIRED_ROLES: unknown role 'Researcher'"
        " (the roles are admin, researcher, fieldworker, caseworker)"
    )
