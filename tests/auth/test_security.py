"""Sessions, throttling, passwords: the research side's defences."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.flows import PASSWORD, Auth, csrf_token, submit_form


def _logout(client: FlaskClient) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/research/"))})


def test_a_replayed_cookie_fails_after_logout(app: Flask, client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    stolen = client.get_cookie("session")
    assert stolen is not None
    _logout(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    reply = thief.get("/research/")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")


def test_logout_ends_the_users_other_sessions_too(app: Flask, auth: Auth) -> None:
    first, second = app.test_client(), app.test_client()
    factories.user(app, role="researcher", email="two@example.org")
    for c in (first, second):
        assert (
            submit_form(c, "/login", {"email": "two@example.org", "password": PASSWORD}).status_code
            == 302
        )
    _logout(first)
    assert second.get("/research/").status_code == 302


def test_login_starts_a_new_session(app: Flask, client: FlaskClient) -> None:
    factories.user(app, email="new@example.org")
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    submit_form(client, "/login", {"email": "new@example.org", "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after


@pytest.mark.parametrize(("shift", "expired"), [(29 * 60, False), (31 * 60, True)])
def test_research_sessions_end_after_30_idle_minutes(
    client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch, shift: int, expired: bool
) -> None:
    auth.login("researcher")
    later = time.time() + shift
    monkeypatch.setattr(time, "time", lambda: later)
    reply = client.get("/research/")
    assert (reply.status_code == 302) is expired
    if expired:
        assert reply.headers["Location"].startswith("/login")


def test_research_sessions_end_after_12_hours_even_when_busy(
    client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth.login("researcher")
    start = time.time()
    for hours in range(1, 12):
        monkeypatch.setattr(time, "time", lambda h=hours: start + h * 3600 - 60)
        with client.session_transaction() as s:
            s["seen_at"] = start + hours * 3600 - 120  # she was active a minute ago
        assert client.get("/research/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 12 * 3600 + 1)
    with client.session_transaction() as s:
        s["seen_at"] = start + 12 * 3600 - 10
    assert client.get("/research/").status_code == 302


@pytest.fixture
def strict_app(make_app: Callable[..., Flask]) -> Flask:
    """An app with the production login limits, on the suite's database."""
    return make_app(LOGIN_ADDRESS_LIMIT="30 per minute")


def test_five_failed_logins_a_minute_per_account(strict_app: Flask) -> None:
    factories.user(strict_app, email="target@example.org")
    client = strict_app.test_client()
    for _ in range(5):
        reply = submit_form(
            client, "/login", {"email": "target@example.org", "password": "wrong guess 123"}
        )
        assert reply.status_code == 200
    blocked = submit_form(client, "/login", {"email": "Target@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    other = submit_form(
        client, "/login", {"email": "other@example.org", "password": "wrong guess 123"}
    )
    assert other.status_code == 200  # another account is not locked by these failures


def test_successful_logins_do_not_use_up_the_account_limit(strict_app: Flask) -> None:
    factories.user(strict_app, email="busy@example.org")
    client = strict_app.test_client()
    for _ in range(7):
        assert (
            submit_form(
                client, "/login", {"email": "busy@example.org", "password": PASSWORD}
            ).status_code
            == 302
        )
        client = strict_app.test_client()  # a new browser each time


def test_the_address_limit_applies_to_login_only(strict_app: Flask) -> None:
    client = strict_app.test_client()
    page = client.get("/login")
    token = csrf_token(page)
    codes = [
        client.post(
            "/login", data={"csrf_token": token, "email": f"u{i}@example.org", "password": "x"}
        ).status_code
        for i in range(31)
    ]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    assert client.get("/").status_code == 200
    assert client.get("/kiosk/lock").status_code == 302  # respondent pages are never limited


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("x" * 129, "at most 128"),
        ("password1234", "common or breached"),
        ("qwertyuiop123", "common or breached"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    from survey_app.auth.passwords import password_problem

    found = password_problem(password)
    assert found is not None and problem in found


def test_the_bundled_list_has_at_least_10000_passwords_and_long_ones_pass() -> None:
    from survey_app.auth.passwords import _common, password_problem

    assert len(_common()) >= 10_000
    assert password_problem("Kettle-Harbour-91 " * 7) is None
    assert password_problem(PASSWORD) is None


def test_respondent_pages_leave_nothing_in_the_limiter_storage(strict_app: Flask) -> None:
    from survey_app.extensions import db, limiter
    from survey_app.services import links as link_ops

    with strict_app.app_context():
        token = link_ops.create(db.session, "prison_staff").token
        db.session.commit()
    browser = strict_app.test_client()
    browser.environ_base.update(
        {"REMOTE_ADDR": "192.0.2.55", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    )
    landing = browser.get(f"/s/{token}")
    browser.post(f"/s/{token}", data={"csrf_token": csrf_token(landing)})
    browser.get(f"/s/{token}/page/0")
    browser.get("/kiosk/lock")
    with strict_app.app_context():
        stored = dict(limiter.storage.storage)  # type: ignore[attr-defined]  # memory://
    assert not any("192.0.2.55" in key or "203.0.113.9" in key for key in stored), stored
    # Only a login leaves a counter, and it counts by address there by design.
    submit_form(browser, "/login", {"email": "nobody@example.org", "password": "wrong guess 123"})
    with strict_app.app_context():
        assert any("192.0.2.55" in key for key in limiter.storage.storage)  # type: ignore[attr-defined]


def test_wrong_current_passwords_at_a_password_change_are_throttled_like_logins(
    strict_app: Flask,
) -> None:
    """A session left open is not a way round the login limit: the current password asked
    for by a password change counts against the same five a minute."""
    factories.user(strict_app, email="changer@example.org")
    client = strict_app.test_client()
    assert (
        submit_form(
            client, "/login", {"email": "changer@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )
    new = "Lantern-Orchard-Biscuit-42"
    for _ in range(5):
        wrong = submit_form(
            client, "/account/password", {"current": "not it at all", "new": new, "confirm": new}
        )
        assert wrong.status_code == 422
    blocked = submit_form(
        client, "/account/password", {"current": PASSWORD, "new": new, "confirm": new}
    )
    assert blocked.status_code == 429
    login = submit_form(
        strict_app.test_client(), "/login", {"email": "changer@example.org", "password": PASSWORD}
    )
    assert login.status_code == 429  # one account, one count


def test_limiter_counters_carry_the_prefix_set_in_the_environment(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """RATELIMIT_KEY_PREFIX keeps apps (or test runs) sharing one Redis apart."""
    from survey_app.extensions import limiter

    monkeypatch.setenv("RATELIMIT_KEY_PREFIX", "site-b")
    prefixed = make_app(LOGIN_ADDRESS_LIMIT="30 per minute")
    submit_form(
        prefixed.test_client(), "/login", {"email": "no@example.org", "password": "wrong guess 1"}
    )
    with prefixed.app_context():
        keys = list(limiter.storage.storage)  # type: ignore[attr-defined]  # memory://
    assert len(keys) == 2 and all("site-b" in key for key in keys), keys
