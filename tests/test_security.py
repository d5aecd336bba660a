"""Sessions, throttling, passwords: the research side's defences."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import PASSWORD, Auth, csrf_token, submit_form


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
