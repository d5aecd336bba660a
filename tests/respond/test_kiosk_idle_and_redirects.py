"""Edges of the respondent flows found in review: idle saves, redirects, suppression, locks."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Participant
from survey_app.report import grid
from tests import factories
from tests.flows import (
    PASSWORD,
    Auth,
    answer_pages,
    csrf_token,
    enter_id,
    instrument,
    kiosk_finish,
    register,
    responses,
    second_page,
    submit_form,
    unlock,
)


def test_an_idle_page_is_saved_before_the_kiosk_locks(
    app: Flask, client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = second_page(app, client, auth)
    second, names = at.url, at.names
    later = time.time() + app.config["KIOSK_IDLE_SECONDS"] + 2
    monkeypatch.setattr(time, "time", lambda: later)
    # The page's own timer fires just after the server's limit, as in a real browser.
    reply = at.post(client, "timeout", {names[0]: "4"})
    assert reply.headers["Location"] == "/kiosk/lock"
    assert responses(app)[0].answers[names[0]] == 4
    assert client.get(second).headers["Location"] == "/kiosk/lock"


def test_a_long_pause_then_next_saves_and_locks(
    app: Flask, client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = second_page(app, client, auth)
    names = at.names
    later = time.time() + app.config["KIOSK_IDLE_SECONDS"] + 300
    monkeypatch.setattr(time, "time", lambda: later)
    reply = at.post(client, ["next", "next"], {names[0]: "2"})
    assert reply.headers["Location"] == "/kiosk/lock"
    assert responses(app)[0].answers[names[0]] == 2


def test_only_the_kiosk_respondent_sends_an_unfinished_draft(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    finish = kiosk_finish(app, client, auth)
    key = finish.get_data(as_text=True).split('name="submission_key" value="')[1].split('"')[0]
    stranger = app.test_client()
    reply = stranger.post("/kiosk/submit", data={"submission_key": key})
    assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/lock"
    assert responses(app)[0].status == "in_progress"


def test_the_finish_page_locks_when_idle(app: Flask, client: FlaskClient, auth: Auth) -> None:
    finish = kiosk_finish(app, client, auth)
    body = finish.get_data(as_text=True)
    assert 'data-idle-leave="/kiosk/lock"' in body and "data-idle-seconds=" in body


@pytest.mark.parametrize(
    "target", ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example"]
)
def test_next_never_leaves_the_site(app: Flask, client: FlaskClient, target: str) -> None:
    factories.user(app, email="n@example.org")
    page = client.get(f"/login?next={target}")
    reply = client.post(
        f"/login?next={target}",
        data={"csrf_token": csrf_token(page), "email": "n@example.org", "password": PASSWORD},
    )
    assert reply.headers["Location"] == "/research/"


def test_leaving_the_kiosk_as_a_researcher_needs_the_second_step(
    make_app: Callable[..., Flask],
) -> None:
    strict = make_app(TOTP_REQUIRED_ROLES="admin,researcher")
    factories.user(strict, role="researcher", email="visit@example.org")
    client = strict.test_client()
    # A researcher without TOTP set up: password, then enrolment, before the kiosk.
    assert (
        submit_form(client, "/login", {"email": "visit@example.org", "password": PASSWORD}).headers[
            "Location"
        ]
        == "/login/enrol"
    )
    from survey_app.auth import sessions
    from survey_app.models import User

    with strict.app_context():
        researcher = db.session.get(User, _user_id(strict, "visit@example.org"))
        assert researcher is not None
        state = sessions.kiosk_state(researcher, "send", "T1")
    with client.session_transaction() as s:
        s.clear()
        s["kiosk"] = state
    reply = submit_form(client, "/kiosk/exit", {"password": PASSWORD})
    assert reply.headers["Location"] in ("/login/enrol", "/login/code")
    assert client.get("/research/").status_code == 302  # no research session yet


def _user_id(app: Flask, email: str) -> int:
    from survey_app.models import User

    with app.app_context():
        found = db.session.scalar(select(User.id).where(User.email == email))
        assert found is not None
        return found


def test_kiosk_passwords_are_throttled(make_app: Callable[..., Flask]) -> None:
    strict = make_app(LOGIN_ADDRESS_LIMIT="30 per minute")
    factories.user(strict, role="fieldworker", email="fw2@example.org")
    client = strict.test_client()
    submit_form(client, "/login", {"email": "fw2@example.org", "password": PASSWORD})
    submit_form(client, "/kiosk/", {"site": "send", "wave": "T1"})
    codes = [
        submit_form(client, "/kiosk/exit", {"password": "wrong wrong wrong"}).status_code
        for _ in range(5)
    ]
    assert codes == [422] * 5
    page = client.get("/kiosk/exit")
    blocked = client.post(
        "/kiosk/exit", data={"csrf_token": csrf_token(page), "password": PASSWORD}
    )
    assert blocked.status_code == 429


def _column(counts: list[int]) -> dict[int, object]:
    """A column of counts with its total last, as a publication release shows it."""
    line = [[n] for n in [*counts, sum(counts)]]
    hidden = grid.hide(line, [[(r, 0) for r in range(len(line))]], 5)
    return {
        i: grid.shown(row[0], h[0]) for i, (row, h) in enumerate(zip(line, hidden, strict=True))
    }


def test_a_small_total_is_hidden_with_its_cells() -> None:
    assert _column([3, 0]) == {0: "[c]", 1: 0, 2: "[c]"}
    # b is small; a is hidden too so that the total cannot give b away, marked "[c]" as every
    # hidden cell is; the total stays.
    assert _column([10, 3, 0]) == {0: "[c]", 1: "[c]", 2: 0, 3: 13}


def test_a_nul_byte_in_a_path_is_404(client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    assert client.get("/research/instruments/mothers%00t1/diff").status_code == 404


def test_a_withdrawn_participant_cannot_finish_an_open_draft(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    finish = answer_pages(client, "/kiosk/page/0", instrument(app, "mothers_t1"))
    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.pseudonym == pseudonym)
        )
        participant.withdrawn_at = dt.datetime(2026, 1, 1)
        db.session.commit()
    key = finish.get_data(as_text=True).split('name="submission_key" value="')[1].split('"')[0]
    client.post("/kiosk/submit", data={"csrf_token": csrf_token(finish), "submission_key": key})
    assert responses(app)[0].status == "in_progress"


def test_the_password_page_respects_the_session_limits(
    client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth.login("researcher")
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    reply = client.get("/account/password")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")
