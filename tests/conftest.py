"""Fixture chain: database -> app (migrated, instruments published) -> client -> login.

Every test that touches the database runs on SQLite by default and on PostgreSQL when
TEST_DATABASE_URL names a server (``make test`` runs the suite once for each)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import delete, select

from survey_app import create_app
from survey_app.extensions import db, limiter
from survey_app.instruments.loader import load_all, load_instrument_file, load_library
from survey_app.instruments.publish import sync_instruments, sync_study
from survey_app.models import (
    InstrumentVersion,
)
from survey_app.study import current_study
from tests.dbutil import BACKEND, fresh_database
from tests.flows import Auth, Clock


def pytest_report_header() -> str:
    return f"survey_app test database: {BACKEND}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


def app_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SURVEY_APP_ENV": "testing",
        "TESTING": True,
        # The suite logs in hundreds of times from one address; tests/auth/test_security.py
        # checks the real limits on an app of its own.
        "LOGIN_ADDRESS_LIMIT": "100000 per minute",
        # Two-step login has its own tests (tests/auth/test_totp.py); elsewhere a password will do.
        "TOTP_REQUIRED_ROLES": "",
        **overrides,
    }


def publish(app: Flask, extra: list[dict[str, Any]] | None = None) -> None:
    """Migrate the app's database and publish its study and the bundled instruments (and
    ``extra`` instrument definitions); remember the versions, which stay between tests."""
    with app.app_context():
        upgrade()
        study = current_study()
        sync_study(db.session, study)
        sync_instruments(db.session, load_all() + (extra or []), study=study)
        db.session.commit()
        app.config["BUNDLED_VERSION_IDS"] = frozenset(
            db.session.scalars(select(InstrumentVersion.id))
        )


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(app_config(database_url))
    publish(app)
    yield app
    with app.app_context():
        db.engine.dispose()


THREE_WAVES = Path(__file__).parent / "fixtures" / "three_waves"


@pytest.fixture(scope="session")
def three_wave_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app of its own database whose study has a third wave: T3, twelve months after T1
    (window 11 to 14 months), with a third mothers' questionnaire (tests/fixtures/three_waves)."""
    with fresh_database(tmp_path_factory.mktemp("three_waves")) as url:
        app = create_app(app_config(url, STUDY_FILE=str(THREE_WAVES / "study.yaml")))
        publish(app, [load_instrument_file(THREE_WAVES / "mothers_t3.yaml", load_library())])
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts from the published instruments and no other data."""
    yield
    for name in ("app", "three_wave_app"):
        if name in request.fixturenames:
            _empty_tables(request.getfixturevalue(name))


# What publishing the study and its instruments made: kept between tests (instrument versions
# other than the bundled ones go, below). Every other table is emptied, so that a new table needs
# no change here.
KEPT_TABLES = frozenset({"site", "wave", "instrument_version"})


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):  # children before their parents
            if table.name not in KEPT_TABLES:
                db.session.execute(table.delete())
        db.session.execute(
            delete(InstrumentVersion).where(
                InstrumentVersion.id.not_in(app.config["BUNDLED_VERSION_IDS"])
            )
        )
        db.session.commit()
        # Throttle counters are keyed by user id, and SQLite reuses the ids of emptied tables:
        # a test must not inherit the last one's failed attempts.
        limiter.reset()


@pytest.fixture
def make_app(database_url: str, app: Flask) -> Iterator[Callable[..., Flask]]:
    """Another app on the suite's database with other settings; its connections are closed
    at the end of the test (an open connection left to the garbage collector is a warning)."""
    made: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        other = create_app(app_config(database_url, **overrides))
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> Auth:
    return Auth(app, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The app's today, frozen on a fixed date: statuses and dates do not drift with the
    calendar. ``clock.set(day)`` and ``clock.advance(months=6)`` move it."""
    frozen = Clock(dt.date(2026, 3, 15))
    frozen.install(monkeypatch)
    return frozen


@pytest.fixture
def in_db(app: Flask) -> Callable[[Callable[[], Any]], Any]:
    """Run a function in an app context and commit: ``in_db(lambda: ...)``."""

    def run(fn: Callable[[], Any]) -> Any:
        with app.app_context():
            result = fn()
            db.session.commit()
            return result

    return run


@pytest.fixture
def tmp_instance(tmp_path: Path) -> Path:
    return tmp_path
