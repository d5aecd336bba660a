"""Two-step login for researchers and admins."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, User
from tests import factories
from tests.flows import PASSWORD, csrf_token, submit_form


@pytest.fixture
def totp_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(TOTP_REQUIRED_ROLES="admin,researcher")


def _password(client: FlaskClient, email: str) -> str:
    reply = submit_form(client, "/login", {"email": email, "password": PASSWORD})
    assert reply.status_code == 302
    return reply.headers["Location"]


def _enrol(app: Flask, client: FlaskClient, email: str) -> tuple[str, list[str]]:
    assert _password(client, email) == "/login/enrol"
    page = client.get("/login/enrol")
    body = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in body  # the QR code is made here
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body).group(1)  # type: ignore[union-attr]
    wrong = client.post("/login/enrol", data={"csrf_token": csrf_token(page), "code": "000000"})
    assert wrong.status_code == 422
    right = client.post(
        "/login/enrol", data={"csrf_token": csrf_token(page), "code": pyotp.TOTP(secret).now()}
    )
    assert right.status_code == 200
    codes = re.findall(
        r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", right.get_data(as_text=True)
    )
    return secret, codes


def test_a_researcher_enrols_at_first_login(totp_app: Flask) -> None:
    factories.user(totp_app, role="researcher", email="r@example.org")
    client = totp_app.test_client()
    assert _password(client, "r@example.org") == "/login/enrol"
    assert client.get("/research/").status_code == 302  # not logged in before the code
    client = totp_app.test_client()
    secret, codes = _enrol(totp_app, client, "r@example.org")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/research/").status_code == 200
    with totp_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "r@example.org"))
        assert user.totp_secret == secret
        assert not set(codes) & set(user.recovery_codes)  # stored hashed
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "totp.enrolled"))
            is not None
        )


def test_a_code_is_accepted_once_only(totp_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    factories.user(totp_app, role="admin", email="a@example.org")
    secret, _ = _enrol(totp_app, totp_app.test_client(), "a@example.org")
    used = pyotp.TOTP(secret).now()
    client = totp_app.test_client()
    assert _password(client, "a@example.org") == "/login/code"
    replay = submit_form(client, "/login/code", {"code": used})
    assert replay.status_code == 422 and "used already" in replay.get_data(as_text=True)
    later = time.time() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    fresh = submit_form(client, "/login/code", {"code": pyotp.TOTP(secret).at(later)})
    assert fresh.status_code == 302 and fresh.headers["Location"] == "/research/"


def test_a_recovery_code_works_once(totp_app: Flask) -> None:
    factories.user(totp_app, role="researcher", email="lost@example.org")
    _, codes = _enrol(totp_app, totp_app.test_client(), "lost@example.org")
    first = totp_app.test_client()
    _password(first, "lost@example.org")
    assert submit_form(first, "/login/code", {"code": codes[3].upper()}).status_code == 302
    second = totp_app.test_client()
    _password(second, "lost@example.org")
    assert submit_form(second, "/login/code", {"code": codes[3]}).status_code == 422


def test_fieldworkers_are_exempt_by_configuration(totp_app: Flask) -> None:
    factories.user(totp_app, role="fieldworker", email="f@example.org")
    assert _password(totp_app.test_client(), "f@example.org") == "/research/"


def test_the_code_page_needs_a_password_first(totp_app: Flask) -> None:
    client = totp_app.test_client()
    assert client.get("/login/code").headers["Location"] == "/login"
    assert client.get("/login/enrol").headers["Location"] == "/login"


def test_reset_totp_makes_the_user_enrol_again(totp_app: Flask) -> None:
    factories.user(totp_app, role="researcher", email="phone@example.org")
    enrolled = totp_app.test_client()
    _enrol(totp_app, enrolled, "phone@example.org")
    result = totp_app.test_cli_runner().invoke(args=["users", "reset-totp", "phone@example.org"])
    assert result.exit_code == 0, result.output
    assert enrolled.get("/research/").status_code == 302  # sessions ended
    assert _password(totp_app.test_client(), "phone@example.org") == "/login/enrol"


def test_two_requests_with_one_code_get_one_login(totp_app: Flask) -> None:
    from survey_app.auth import totp

    factories.user(totp_app, role="researcher", email="race@example.org")
    secret, _ = _enrol(totp_app, totp_app.test_client(), "race@example.org")
    later = time.time() + 90
    code = pyotp.TOTP(secret).at(later)
    with totp_app.app_context():
        # Two requests that both read the user before either wrote: both see the old step.
        first = db.session.scalar(select(User).where(User.email == "race@example.org"))
        db.session.expunge(first)
        second = db.session.scalar(select(User).where(User.email == "race@example.org"))
        assert first.totp_last_step == second.totp_last_step
        import unittest.mock

        with unittest.mock.patch.object(time, "time", return_value=later):
            results = [totp.verify(db.session, u, code) for u in (first, second)]
        db.session.commit()
    assert sorted(map(str, results)) == ["None", "code"]


def test_a_failed_code_is_audited(totp_app: Flask) -> None:
    factories.user(totp_app, role="researcher", email="audit@example.org")
    _enrol(totp_app, totp_app.test_client(), "audit@example.org")
    client = totp_app.test_client()
    _password(client, "audit@example.org")
    assert submit_form(client, "/login/code", {"code": "123456"}).status_code == 422
    with totp_app.app_context():
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "totp.failed"))
            is not None
        )
