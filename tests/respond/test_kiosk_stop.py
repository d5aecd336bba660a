"""Stop on the kiosk: from any of her pages she can stop, keeping her answers (a draft the
fieldworker resumes with the password) or deleting them; then the lock screen."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests.flows import (
    PASSWORD,
    Auth,
    csrf_token,
    enter_id,
    kiosk_finish,
    past_consent,
    register,
    responses,
    submit_form,
    unlock,
)


def _stop_from(client: FlaskClient, url: str) -> str:
    """The Stop control on ``url``: its address, as the page links to it."""
    body = client.get(url).get_data(as_text=True)
    assert '<a class="button secondary stop" href="/kiosk/stop?from=' in body
    start = body.index('href="/kiosk/stop?from=') + len('href="')
    return body[start : body.index('"', start)]


def _choose(client: FlaskClient, stop_url: str, choice: str) -> str:
    page = client.get(stop_url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Stop and keep my answers" in body and "Stop and delete my answers" in body
    reply = client.post(stop_url, data={"csrf_token": csrf_token(page), "choice": choice})
    assert reply.status_code == 302
    return str(reply.headers["Location"])


def test_stop_keeps_her_answers_for_the_fieldworker_to_resume(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = register(app)
    unlock(auth, client)
    enter_id(client, pseudonym)
    assert _stop_from(client, "/kiosk/page/0") == "/kiosk/stop?from=0"  # consent page too
    second = past_consent(app, client)
    assert _choose(client, _stop_from(client, second), "keep") == "/kiosk/lock"
    [draft] = responses(app)
    assert draft.status == "in_progress" and draft.answers  # her consent is kept
    # Her pages are closed to the browser, and the ID alone does not reopen them.
    assert client.get(second).headers["Location"] == "/kiosk/lock"
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/resume"
    resumed = submit_form(client, "/kiosk/resume", {"password": PASSWORD})
    assert resumed.headers["Location"].startswith("/kiosk/page/")


def test_stop_and_delete_leaves_nothing_but_an_audit_without_content(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = register(app)
    unlock(auth, client)
    enter_id(client, pseudonym)
    second = past_consent(app, client)
    assert _choose(client, _stop_from(client, second), "delete") == "/kiosk/lock"
    assert responses(app) == []
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "kiosk.stopped_deleted")
        ).all()
        assert event.target is None and not event.detail
    # Her ID starts afresh, at the consent page.
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/page/0"


def test_stop_is_offered_on_the_finish_page_and_go_back_returns_there(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:

    finish = kiosk_finish(app, client, auth)
    assert finish.status_code == 200
    stop_url = _stop_from(client, "/kiosk/finish")
    assert stop_url == "/kiosk/stop?from=finish"
    assert 'href="/kiosk/finish"' in client.get(stop_url).get_data(as_text=True)


def test_the_stop_page_speaks_welsh_after_she_switches(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    second = past_consent(app, client)
    page = client.get(second)
    client.post(second, data={"csrf_token": csrf_token(page), "action": "lang:cy"})
    body = client.get("/kiosk/stop?from=1").get_data(as_text=True)
    assert "Stopio a chadw fy atebion" in body and "Stopio a dileu fy atebion" in body
    assert "Stop and keep my answers" not in body and '<html lang="cy">' in body


def test_stop_without_a_draft_or_with_an_expired_page_loses_nothing(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    assert client.get("/kiosk/stop").headers["Location"] == "/kiosk/lock"
    enter_id(client, register(app))
    past_consent(app, client)  # her draft is kept from her first saved page
    stale = client.post("/kiosk/stop", data={"csrf_token": "stale", "choice": "delete"})
    assert stale.status_code == 400
    assert len(responses(app)) == 1
