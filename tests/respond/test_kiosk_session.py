"""Kiosk mode rests on the fieldworker's session: logout, a password change or deactivation
ends it, and so does its time limit (KIOSK_MAX_HOURS). A copied kiosk cookie then starts and
sends nothing; the mother's draft stays saved and can be resumed once the kiosk is unlocked."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.auth.operations import change_user
from survey_app.extensions import db
from survey_app.models import User
from tests import factories
from tests.flows import (
    PASSWORD,
    Auth,
    answer_pages,
    csrf_token,
    enter_id,
    instrument,
    past_consent,
    question_names,
    register,
    responses,
    second_page,
    submission_key,
    submit_form,
    unlock,
)

FIELDWORKER = "fw@example.org"
NEW_PASSWORD = "a brand new kiosk passphrase 42"
ENDED = "Kiosk mode has ended"


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _copy(app: Flask, client: FlaskClient | str) -> FlaskClient:
    """Another browser with a copy of this browser's cookie (or of a cookie kept earlier)."""
    copy = app.test_client()
    copy.set_cookie("session", client if isinstance(client, str) else _cookie(client))
    return copy


def _deactivate(app: Flask) -> None:
    admin = factories.user(app, role="admin", email="admin@example.org")
    with app.app_context():
        fieldworker = db.session.scalar(select(User).where(User.email == FIELDWORKER))
        assert fieldworker is not None
        change_user(db.session, fieldworker, "deactivate", admin.id)
        db.session.commit()


def _change_password(app: Flask) -> None:
    office = app.test_client()  # her office computer
    submit_form(office, "/login", {"email": FIELDWORKER, "password": PASSWORD})
    changed = submit_form(
        office,
        "/account/password",
        {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302


def _log_out_elsewhere(app: Flask) -> None:
    office = app.test_client()
    submit_form(office, "/login", {"email": FIELDWORKER, "password": PASSWORD})
    page = office.get("/research/")
    assert office.post("/logout", data={"csrf_token": csrf_token(page)}).status_code == 302


REVOCATIONS: dict[str, Callable[[Flask], None]] = {
    "deactivated": _deactivate,
    "password changed": _change_password,
    "logged out elsewhere": _log_out_elsewhere,
}


@pytest.mark.parametrize("revoke", REVOCATIONS)
def test_a_copied_kiosk_cookie_starts_nothing_once_the_session_is_revoked(
    app: Flask, client: FlaskClient, auth: Auth, revoke: str
) -> None:
    unlock(auth, client)
    pseudonym = register(app)
    start_page = client.get("/kiosk/start")
    assert start_page.status_code == 200
    copied = _cookie(client)
    copy = _copy(app, copied)
    assert copy.get("/kiosk/start").status_code == 200  # the copy works as the kiosk does

    REVOCATIONS[revoke](app)

    for browser in (copy, client):
        tried = browser.post(
            "/kiosk/start",
            data={"csrf_token": csrf_token(start_page), "participant_id": pseudonym},
        )
        assert tried.status_code == 302 and tried.headers["Location"] == "/kiosk/ended"
    assert responses(app) == []
    for url in ("/kiosk/lock", "/kiosk/start", "/kiosk/page/0", "/kiosk/exit", "/kiosk/resume"):
        reply = _copy(app, copied).get(url)  # a fresh copy of the old cookie each time
        assert reply.headers["Location"] == "/kiosk/ended", url
    ended = client.get("/kiosk/ended")
    assert ended.status_code == 200
    body = ended.get_data(as_text=True)
    assert ENDED in body and "please log in again" in body
    # This browser has left kiosk mode: the setup page asks for a login.
    assert client.get("/kiosk/lock").headers["Location"] == "/kiosk/"
    assert client.get("/kiosk/").headers["Location"].startswith("/login")


@pytest.mark.parametrize("revoke", REVOCATIONS)
def test_a_copied_kiosk_cookie_cannot_send_her_draft_once_the_session_is_revoked(
    app: Flask, client: FlaskClient, auth: Auth, revoke: str
) -> None:
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    finish = answer_pages(client, "/kiosk/page/0", instrument(app, "mothers_t1"))
    copy = _copy(app, client)
    REVOCATIONS[revoke](app)

    sent = copy.post(
        "/kiosk/submit",
        data={"csrf_token": csrf_token(finish), "submission_key": submission_key(finish)},
    )
    assert sent.status_code == 302 and sent.headers["Location"] == "/kiosk/ended"
    [draft] = responses(app)
    assert draft.status == "in_progress" and draft.answers["consent_take_part"] == 1

    # Her draft is kept: unlocked again (by this fieldworker, or by a colleague when her
    # account was closed), the kiosk resumes it with the unlocking fieldworker's password.
    fresh = app.test_client()
    if revoke == "deactivated":
        factories.user(app, role="fieldworker", email="colleague@example.org")
        email, password = "colleague@example.org", PASSWORD
    else:
        email, password = FIELDWORKER, NEW_PASSWORD if revoke == "password changed" else PASSWORD
    assert submit_form(fresh, "/login", {"email": email, "password": password}).status_code == 302
    assert submit_form(fresh, "/kiosk/", {"site": "send", "wave": "T1"}).status_code == 302
    assert enter_id(fresh, pseudonym).headers["Location"] == "/kiosk/resume"
    resumed = submit_form(fresh, "/kiosk/resume", {"password": password})
    assert resumed.status_code == 302 and resumed.headers["Location"].startswith("/kiosk/page/")
    finish_again = fresh.get("/kiosk/finish")
    reply = fresh.post(
        "/kiosk/submit",
        data={
            "csrf_token": csrf_token(finish_again),
            "submission_key": submission_key(finish_again),
        },
    )
    assert reply.headers["Location"] == "/kiosk/thanks"
    assert responses(app)[0].status == "complete"


def test_kiosk_mode_lasts_kiosk_max_hours_and_the_page_she_was_on_is_kept(
    app: Flask, client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.config["KIOSK_MAX_HOURS"] == 10  # a working day, by default
    unlocked_at = time.time()
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    second = past_consent(app, client)

    # Late in the day the kiosk still works: she is resumed with the password.
    almost = unlocked_at + 10 * 3600 - 120
    monkeypatch.setattr(time, "time", lambda: almost)
    assert client.get("/kiosk/lock").status_code == 200
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/resume"
    assert submit_form(client, "/kiosk/resume", {"password": PASSWORD}).status_code == 302
    page = client.get(second)
    assert page.status_code == 200
    names = question_names(page)

    # Her Next comes just after the limit: her page is saved, then kiosk mode ends.
    monkeypatch.setattr(time, "time", lambda: almost + 180)
    reply = client.post(
        second, data={"csrf_token": csrf_token(page), "action": "next", names[0]: "4"}
    )
    assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/ended"
    [draft] = responses(app)
    assert draft.answers[names[0]] == 4 and draft.status == "in_progress"
    assert ENDED in client.get("/kiosk/ended").get_data(as_text=True)
    assert client.get(second).headers["Location"] == "/kiosk/"
    assert client.get("/research/").headers["Location"].startswith("/login")


def test_a_copied_cookie_past_the_limit_writes_nothing(
    app: Flask, client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    unlocked_at = time.time()
    at = second_page(app, client, auth)
    names = at.names
    copy = _copy(app, client)
    # The next day: her respondent state is long idle, kiosk mode long over.
    monkeypatch.setattr(time, "time", lambda: unlocked_at + 24 * 3600)
    reply = copy.post(at.url, data={"csrf_token": csrf_token(at.page), names[0]: "4"})
    assert reply.headers["Location"] == "/kiosk/ended"
    assert names[0] not in responses(app)[0].answers


def test_the_limit_is_configurable(make_app: Callable[..., Flask]) -> None:
    short = make_app(KIOSK_MAX_HOURS="1")
    assert short.config["KIOSK_MAX_HOURS"] == 1
    factories.user(short, role="fieldworker", email=FIELDWORKER)
    client = short.test_client()
    submit_form(client, "/login", {"email": FIELDWORKER, "password": PASSWORD})
    submit_form(client, "/kiosk/", {"site": "send", "wave": "T1"})
    with client.session_transaction() as s:
        since = s["kiosk"]["since"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: since + 3600 - 1)
        assert client.get("/kiosk/lock").status_code == 200
        patch.setattr(time, "time", lambda: since + 3600 + 1)
        assert client.get("/kiosk/lock").headers["Location"] == "/kiosk/ended"
