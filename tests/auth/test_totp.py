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


# ---------------------------------------------------------------------------------------------
# Lockout after wrong codes in a row
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def lock_app(make_app: Callable[..., Flask]) -> Flask:
    # The per-minute throttle is tested on its own (tests/test_concurrency.py); lifted here so
    # that ten codes can be sent in a row.
    return make_app(TOTP_REQUIRED_ROLES="admin,researcher", LOGIN_ACCOUNT_LIMIT="1000 per minute")


def _wrong(secret: str) -> str:
    """A code no step near now accepts."""
    from survey_app.auth.totp import matching_step

    now = time.time()
    return next(
        code
        for code in (f"{n:06d}" for n in range(0, 10**6, 7919))
        if all(matching_step(secret, code, now + shift) is None for shift in (-60, 0, 60))
    )


def _lock(app: Flask, email: str) -> tuple[FlaskClient, str]:
    """Enrol, then send ten wrong codes: the tenth locks two-step login."""
    from survey_app.auth.totp import LOCK_AFTER

    factories.user(app, role="researcher", email=email)
    secret, _ = _enrol(app, app.test_client(), email)
    client = app.test_client()
    assert _password(client, email) == "/login/code"
    wrong = _wrong(secret)
    for _ in range(LOCK_AFTER - 1):
        assert submit_form(client, "/login/code", {"code": wrong}).status_code == 422
    locked = submit_form(client, "/login/code", {"code": wrong})
    assert locked.status_code == 429
    assert "locked for 15 more minutes" in locked.get_data(as_text=True)
    return client, secret


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        db.session.expunge(user)
        return user


def test_ten_wrong_codes_in_a_row_lock_two_step_login_for_15_minutes(
    lock_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, secret = _lock(lock_app, "guessed@example.org")
    # Even the right code (the next step: never used) is refused unread while locked.
    right = submit_form(client, "/login/code", {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert right.status_code == 429 and "ask an admin to unlock it" in right.get_data(as_text=True)
    assert client.get("/research/").status_code == 302
    with lock_app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "totp.locked"))
        assert event.detail == {"wrong_codes": 10, "minutes": 15}
        failed = select(AuditEvent).where(AuditEvent.kind == "totp.failed")
        assert len(db.session.scalars(failed).all()) == 10  # the refused right code was not read
    # After the lock, a right code logs in and the count starts again.
    later = time.time() + 15 * 60 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    client = lock_app.test_client()
    assert _password(client, "guessed@example.org") == "/login/code"
    ok = submit_form(client, "/login/code", {"code": pyotp.TOTP(secret).at(later)})
    assert ok.status_code == 302 and ok.headers["Location"] == "/research/"
    user = _user(lock_app, "guessed@example.org")
    assert user.totp_failures == 0


def test_each_further_lock_without_a_right_code_lasts_twice_as_long(
    lock_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey_app.auth.totp import LOCK_AFTER

    client, secret = _lock(lock_app, "again@example.org")
    later = time.time() + 15 * 60 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    client = lock_app.test_client()
    _password(client, "again@example.org")
    wrong = _wrong(secret)
    for _ in range(LOCK_AFTER - 1):
        assert submit_form(client, "/login/code", {"code": wrong}).status_code == 422
    second = submit_form(client, "/login/code", {"code": wrong})
    assert second.status_code == 429
    assert "locked for 30 more minutes" in second.get_data(as_text=True)
    assert _user(lock_app, "again@example.org").totp_failures == 2 * LOCK_AFTER


def test_locks_double_up_to_a_day() -> None:
    from survey_app.auth.totp import lock_length

    minutes = [lock_length(n).total_seconds() / 60 for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 1000)]
    assert minutes == [15, 30, 60, 120, 240, 480, 960, 1440, 1440, 1440]


def test_an_admin_sees_and_ends_a_lock(lock_app: Flask) -> None:
    from survey_app.auth.totp import LOCK_AFTER

    _lock(lock_app, "locked@example.org")
    locked = _user(lock_app, "locked@example.org")
    admin = lock_app.test_client()
    factories.user(lock_app, role="admin", email="boss@example.org")
    with lock_app.app_context():
        # The admin's own second step is not under test here.
        boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert boss is not None
    with admin.session_transaction() as s:
        s["_user_id"] = boss.get_id()
        s["auth_at"] = s["seen_at"] = time.time()
    page = admin.get("/research/users")
    body = page.get_data(as_text=True)
    assert f"after {LOCK_AFTER} wrong codes" in body and "Unlock two-step login" in body
    reply = admin.post(
        f"/research/users/{locked.id}/unlock-totp", data={"csrf_token": csrf_token(page)}
    )
    assert reply.status_code == 302
    after = _user(lock_app, "locked@example.org")
    assert (after.totp_failures, after.totp_locked_until) == (0, None)
    assert after.totp_secret == locked.totp_secret  # the phone still works
    assert "Unlock two-step login" not in admin.get("/research/users").get_data(as_text=True)
    with lock_app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "totp.unlocked"))
        assert event is not None and event.actor_id == boss.id
        assert event.target == f"user:{locked.id}"


def test_reset_totp_also_ends_a_lock(lock_app: Flask) -> None:
    _lock(lock_app, "reset@example.org")
    result = lock_app.test_cli_runner().invoke(args=["users", "reset-totp", "reset@example.org"])
    assert result.exit_code == 0, result.output
    after = _user(lock_app, "reset@example.org")
    assert (after.totp_failures, after.totp_locked_until) == (0, None)
    assert _password(lock_app.test_client(), "reset@example.org") == "/login/enrol"


def test_a_long_lock_is_told_in_hours_with_its_date() -> None:
    import datetime as dt

    from survey_app.auth.totp import Locked
    from survey_app.auth.views import _locked_message

    now = dt.datetime(2026, 3, 1, 9, 30)
    message = _locked_message(Locked(now + dt.timedelta(hours=24), now))
    assert "locked for about 24 more hours (until 02 Mar 09:30 UTC)" in message
    assert "for 1 more minute " in _locked_message(Locked(now + dt.timedelta(seconds=20), now))


def test_the_enrolment_page_names_the_readers_own_role(make_app: Callable[..., Flask]) -> None:
    app = make_app(TOTP_REQUIRED_ROLES="admin,researcher,caseworker")
    factories.caseworker(app, email="sw@example.org")
    client = app.test_client()
    assert _password(client, "sw@example.org") == "/login/enrol"
    body = client.get("/login/enrol").get_data(as_text=True)
    assert "As a caseworker, you log in with your password and a code" in body
    assert "Researchers and admins log in" not in body
