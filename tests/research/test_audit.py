"""The audit log: append-only, readable by researchers and admins, free of answers and secrets."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, User
from survey_app.models.audit import AppendOnly
from tests import factories
from tests.flows import (
    PASSWORD,
    Auth,
    answer_pages,
    csrf_token,
    enter_id,
    instrument,
    register,
    send,
    submit_form,
    unlock,
)


def test_audit_events_cannot_be_changed_or_deleted_through_the_models(app: Flask) -> None:
    factories.user(app, email="someone@example.org")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "user.created"))
        event.kind = "nothing.happened"
        with pytest.raises(AppendOnly):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "user.created"))
        db.session.delete(event)
        with pytest.raises(AppendOnly):
            db.session.flush()
        db.session.rollback()


def test_no_code_path_updates_or_deletes_audit_events() -> None:
    from pathlib import Path

    import survey_app

    for path in Path(survey_app.__file__).parent.rglob("*.py"):
        text = path.read_text()
        for forbidden in ("delete(AuditEvent", "update(AuditEvent"):
            assert forbidden not in text, f"{path}: {forbidden}"


def test_researchers_read_the_audit_log_filtered_by_kind(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    factories.user(app, email="x@example.org")
    auth.login("researcher")
    page = client.get("/research/audit?kind=user.created")
    body = page.get_data(as_text=True)
    rows = body.split("<tbody>")[1]
    assert page.status_code == 200 and "<td>user.created</td>" in rows
    assert "<td>login.succeeded</td>" not in rows  # filtered out (it is in the kind menu only)
    assert client.get("/research/audit?date_from=tomorrow").status_code == 400


def test_admins_create_and_deactivate_users(app: Flask, client: FlaskClient, auth: Auth) -> None:
    admin = auth.login("admin")
    reply = submit_form(
        client,
        "/research/users",
        {"email": "new@example.org", "role": "researcher", "password": PASSWORD},
    )
    assert reply.status_code == 302
    weak = submit_form(
        client,
        "/research/users",
        {"email": "weak@example.org", "role": "researcher", "password": "password1234"},
    )
    assert weak.status_code == 422 and "common or breached" in weak.get_data(as_text=True)
    with app.app_context():
        made = db.session.scalar(select(User).where(User.email == "new@example.org"))
        created = db.session.scalar(
            select(AuditEvent).where(AuditEvent.target == f"user:{made.id}")
        )
        assert created.actor_id == admin.id
    page = client.get("/research/users")
    client.post(f"/research/users/{made.id}/deactivate", data={"csrf_token": csrf_token(page)})
    other = app.test_client()
    assert (
        submit_form(other, "/login", {"email": "new@example.org", "password": PASSWORD}).status_code
        == 200
    )


def test_a_password_change_revokes_other_sessions(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("researcher")
    elsewhere = app.test_client()
    submit_form(elsewhere, "/login", {"email": "researcher@example.org", "password": PASSWORD})
    new = "Lantern-Orchard-Biscuit-42"
    wrong = submit_form(
        client, "/account/password", {"current": "not it at all", "new": new, "confirm": new}
    )
    assert wrong.status_code == 422
    reply = submit_form(
        client, "/account/password", {"current": PASSWORD, "new": new, "confirm": new}
    )
    assert reply.status_code == 302
    assert client.get("/research/").status_code == 200  # this browser stays logged in
    assert elsewhere.get("/research/").status_code == 302  # the other session is gone
    with app.app_context():
        kinds = db.session.scalars(select(AuditEvent.kind)).all()
        assert "user.password_changed" in kinds
        db.session.execute(delete(AuditEvent))  # test clean-up bypasses the ORM guard on purpose
        db.session.commit()


def test_logs_hold_no_answers_passwords_tokens_or_addresses(
    app: Flask, client: FlaskClient, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {"User-Agent": "DistinctiveKioskAgent/1.0", "X-Forwarded-For": "198.51.100.23"}
    client.environ_base.update(
        {
            "HTTP_USER_AGENT": headers["User-Agent"],
            "HTTP_X_FORWARDED_FOR": headers["X-Forwarded-For"],
        }
    )
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    finish = answer_pages(
        client, "/kiosk/page/0", instrument(app, "mothers_t1"), {"tac_hopes": "a very private hope"}
    )
    send(client, finish, "/kiosk/submit")
    client.get("/kiosk/exit")
    submit_form(client, "/kiosk/exit", {"password": PASSWORD})
    client.post(
        "/research/export",
        data={"csrf_token": csrf_token(client.get("/research/")), "format": "xlsx"},
    ).close()
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (
        "a very private hope",
        PASSWORD,
        "DistinctiveKioskAgent",
        "198.51.100.23",
        "127.0.0.1",
    ):
        assert secret not in text
    with app.app_context():
        keys = db.session.scalars(select(AuditEvent.detail)).all()
        assert "a very private hope" not in str(keys)


def test_an_admin_cannot_deactivate_themselves(app: Flask, client: FlaskClient, auth: Auth) -> None:
    admin = auth.login("admin")
    page = client.get("/research/users")
    reply = client.post(
        f"/research/users/{admin.id}/deactivate", data={"csrf_token": csrf_token(page)}
    )
    assert reply.status_code == 409
    # The Users page itself, with the reason: a browser shows a redirect's 409 as a blank page.
    assert "You cannot deactivate your own account." in reply.text
    assert "<h1>Users</h1>" in reply.text
    assert "You cannot deactivate" not in client.get("/research/users").text  # shown once
    assert client.get("/research/users").status_code == 200  # still logged in, still active
    assert (
        client.post(
            f"/research/users/{admin.id}/explode", data={"csrf_token": csrf_token(page)}
        ).status_code
        == 404
    )
