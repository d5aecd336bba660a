"""At the kiosk's door and on the way out: no draft before she agrees (an ID entered and
left makes nothing), a note to the fieldworker for an ID registered at another prison, and
plain words after Stop (kiosk and link) about what was kept."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests.flows import (
    PASSWORD,
    Auth,
    consented_link,
    csrf_token,
    enter_id,
    list_rows,
    past_consent,
    register,
    responses,
    submit_form,
    unlock,
)

KEPT = "Your answers are kept. A member of the research team can help you go on later."


# --- no draft before any answer ------------------------------------------------------------


def test_an_id_entered_and_left_makes_no_draft(app: Flask, client: FlaskClient, auth: Auth) -> None:
    unlock(auth, client)
    pseudonym = register(app)
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/page/0"
    assert client.get("/kiosk/page/0").status_code == 200
    # Back, a language switch, an idle timeout on page 1, untouched: nothing is kept.
    page = client.get("/kiosk/page/0")
    for action in ("lang:cy", "lang:en", "timeout"):
        client.post("/kiosk/page/0", data={"csrf_token": csrf_token(page), "action": action})
        page = client.get("/kiosk/page/0") if action != "timeout" else page
    client.get("/kiosk/lock")
    assert responses(app) == []
    # No password asked next time: she starts afresh.
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/page/0"
    researcher = app.test_client()
    Auth(app, researcher).login("researcher", email="r@example.org")
    row = list_rows(researcher.get("/research/participants").get_data(as_text=True))[pseudonym]
    assert "in progress" not in " ".join(row)


def test_the_draft_is_made_when_she_agrees(app: Flask, client: FlaskClient, auth: Auth) -> None:
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    past_consent(app, client)
    [draft] = responses(app)
    assert draft.status == "in_progress" and draft.answers["consent_take_part"] == 1
    client.get("/kiosk/lock")
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/resume"


# --- an ID registered at another prison ----------------------------------------------------


def test_an_id_from_another_prison_needs_the_fieldworker_to_confirm(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)  # at HMP Send
    pseudonym = register(app, site="eastwood_park")
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/notice"
    notice = client.get("/kiosk/notice").get_data(as_text=True)
    assert "This ID was registered at HMP Eastwood Park, not here: has she moved?" in notice
    assert client.get("/kiosk/page/0").headers["Location"] == "/kiosk/lock"
    wrong = submit_form(client, "/kiosk/notice", {"password": "not it"})
    assert wrong.status_code == 422
    went_on = submit_form(client, "/kiosk/notice", {"password": PASSWORD})
    assert went_on.headers["Location"] == "/kiosk/page/0"
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "kiosk.other_site_confirmed")
        ).all()
        assert event.detail == {"registered": "eastwood_park", "kiosk": "send"}
    past_consent(app, client)
    [draft] = responses(app)
    assert draft.flags["answered_at"] == "send"


def test_an_id_from_this_prison_goes_straight_on(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client, site="eastwood_park")
    assert enter_id(client, register(app, site="eastwood_park")).headers["Location"] == (
        "/kiosk/page/0"
    )


# --- the words after Stop -------------------------------------------------------------------


def _stop(client: FlaskClient, url: str, choice: str) -> str:
    page = client.get(url)
    reply = client.post(url, data={"csrf_token": csrf_token(page), "choice": choice})
    assert reply.headers["Location"] == "/kiosk/lock"
    return client.get("/kiosk/lock").get_data(as_text=True)


def test_after_stop_and_keep_the_lock_screen_says_her_answers_are_kept(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    past_consent(app, client)
    lock = _stop(client, "/kiosk/stop?from=1", "keep")
    assert KEPT in lock
    assert KEPT not in client.get("/kiosk/lock").get_data(as_text=True)  # said once


def test_the_lock_screen_note_is_in_her_language(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    second = past_consent(app, client)
    page = client.get(second)
    client.post(second, data={"csrf_token": csrf_token(page), "action": "lang:cy"})
    lock = _stop(client, "/kiosk/stop?from=1", "keep")
    assert 'id="lock-note" lang="cy"' in lock and KEPT not in lock


def test_stop_before_she_agrees_says_nothing_was_kept(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    stop_page = client.get("/kiosk/stop?from=0").get_data(as_text=True)
    assert "You have not answered yet, so nothing is kept." in stop_page
    assert "Stop and keep my answers" not in stop_page
    lock = _stop(client, "/kiosk/stop?from=0", "keep")
    assert "You stopped before answering, so nothing was kept." in lock
    assert responses(app) == []


def test_after_stop_on_a_link_she_is_told_she_cannot_come_back(
    app: Flask, client: FlaskClient
) -> None:
    token = consented_link(app, client)
    page = client.get(f"/s/{token}/page/1")
    assert "If you stop, you cannot come back to your answers" in page.get_data(as_text=True)
    reply = client.post(f"/s/{token}/stop", data={"csrf_token": csrf_token(page)})
    stopped = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Nothing was kept for you: you cannot come back to these answers." in stopped
    assert "To answer, open the link again and start over." in stopped
    assert "Start over" in stopped
