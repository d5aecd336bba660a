"""Fixture chain: database -> app (migrated, instruments published) -> client -> login.

Every test that touches the database runs on SQLite by default and on PostgreSQL when
TEST_DATABASE_URL names a server (``make test`` runs the suite once for each)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import delete, select
from werkzeug.test import TestResponse

from survey_app import create_app
from survey_app.extensions import db
from survey_app.instruments.publish import sync_instruments, sync_study
from survey_app.models import AuditEvent, InstrumentVersion, Link, Participant, Response, User
from survey_app.models.field import FieldBatch, ResponseConflict
from survey_app.study import current_study
from tests import factories
from tests.dbutil import BACKEND, fresh_database

PASSWORD = "correct horse battery staple"


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
        # The suite logs in hundreds of times from one address; tests/test_security.py
        # checks the real limits on an app of its own.
        "LOGIN_ADDRESS_LIMIT": "100000 per minute",
        # Two-step login has its own tests (tests/test_totp.py); elsewhere a password will do.
        "TOTP_REQUIRED_ROLES": "",
        **overrides,
    }


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(app_config(database_url))
    with app.app_context():
        upgrade()
        study = current_study()
        sync_study(db.session, study)
        sync_instruments(db.session, study=study)
        db.session.commit()
        app.config["BUNDLED_VERSION_IDS"] = frozenset(
            db.session.scalars(select(InstrumentVersion.id))
        )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts from the published instruments and no other data."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        for model in (ResponseConflict, FieldBatch, Response, Link, Participant, AuditEvent, User):
            db.session.execute(delete(model))
        db.session.execute(
            delete(InstrumentVersion).where(
                InstrumentVersion.id.not_in(app.config["BUNDLED_VERSION_IDS"])
            )
        )
        db.session.commit()


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


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: TestResponse) -> str:
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


def submit_form(
    client: FlaskClient, url: str, data: dict[str, Any], *, follow: bool = False
) -> TestResponse:
    """GET the page, take its CSRF token, POST the form: as a browser does."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token(page), **data}, follow_redirects=follow)


class Auth:
    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client

    def login(self, role: str = "researcher", email: str | None = None) -> User:
        user = factories.user(self.app, role=role, email=email or f"{role}@example.org")
        response = submit_form(self.client, "/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> Auth:
    return Auth(app, client)


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
