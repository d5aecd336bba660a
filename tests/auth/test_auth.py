"""Logins through the real form, with CSRF, one message for every failure, and roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import extract_parameters
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app import create_app
from survey_app.auth import passwords
from survey_app.auth.passwords import hash_password, needs_rehash, verify_password
from survey_app.auth.views import LOGIN_FAILED
from survey_app.extensions import db
from survey_app.models import AuditEvent, User
from tests import factories
from tests.flows import PASSWORD, Auth, submit_form


def test_login_and_logout(app: Flask, client: FlaskClient) -> None:
    factories.user(app, role="researcher", email="r@example.org")
    response = submit_form(client, "/login", {"email": "R@Example.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/research/"
    page = client.get("/research/")
    assert page.status_code == 200 and "r@example.org" in page.get_data(as_text=True)
    logout = client.post("/logout", data={"csrf_token": _token(client)})
    assert logout.status_code == 302
    assert client.get("/research/").status_code == 302  # back to the login page


def _token(client: FlaskClient) -> str:
    from tests.flows import csrf_token

    return csrf_token(client.get("/research/"))


def test_the_password_is_stored_as_argon2id(app: Flask) -> None:
    factories.user(app, email="h@example.org")
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.email == "h@example.org"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize("env", ["production", "development"])
def test_outside_the_test_suite_passwords_are_hashed_with_the_strong_parameters(
    env: str, tmp_path: Path
) -> None:
    """The suite hashes cheaply (SURVEY_APP_ENV=testing); nothing else may."""
    settings = {"SECRET_KEY": "k" * 32, "RATELIMIT_STORAGE_URI": "memory://"}
    settings["DATABASE_URL"] = f"sqlite:///{tmp_path / 'strong.db'}"
    deployed = create_app({"SURVEY_APP_ENV": env, **settings})
    with deployed.app_context():
        stored = hash_password(PASSWORD)
        assert not needs_rehash(stored)
    parameters = extract_parameters(stored)
    assert parameters == passwords.STRONG._parameters  # noqa: SLF001 - argon2-cffi's own record
    assert parameters.memory_cost >= 19 * 1024 and parameters.time_cost >= 2  # OWASP's floor


def test_the_suite_hashes_cheaply_and_still_verifies_a_strong_hash(app: Flask) -> None:
    strong = passwords.STRONG.hash(PASSWORD)
    with app.app_context():
        assert extract_parameters(hash_password(PASSWORD)).memory_cost < 1024
        assert verify_password(strong, PASSWORD)
        assert not verify_password(strong, "not the password")


def test_unknown_email_and_wrong_password_get_the_same_answer(
    app: Flask, client: FlaskClient
) -> None:
    factories.user(app, email="known@example.org")
    wrong = submit_form(
        client, "/login", {"email": "known@example.org", "password": "not the password"}
    )
    unknown = submit_form(client, "/login", {"email": "nobody@example.org", "password": PASSWORD})
    for response in (wrong, unknown):
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert LOGIN_FAILED in body
        assert 'name="email"' in body  # the form again
    with app.app_context():
        kinds = db.session.scalars(select(AuditEvent.kind)).all()
    assert kinds.count("login.failed") == 2


def test_a_login_without_csrf_token_gets_a_page_that_explains(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "This page had expired" in response.get_data(as_text=True)


def test_next_only_goes_to_local_paths(app: Flask, client: FlaskClient) -> None:
    factories.user(app, email="n@example.org")
    page = client.get("/login?next=//evil.example/")
    from tests.flows import csrf_token

    response = client.post(
        "/login?next=//evil.example/",
        data={"csrf_token": csrf_token(page), "email": "n@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/research/"


def test_roles_rank_admin_over_researcher_over_fieldworker(app: Flask) -> None:
    fieldworker = factories.user(app, role="fieldworker", email="f@example.org")
    admin = factories.user(app, role="admin", email="a@example.org")
    assert fieldworker.has_role("fieldworker") and not fieldworker.has_role("researcher")
    assert admin.has_role("researcher") and admin.has_role("admin")


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/research/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logged_in_fieldworker_sees_no_instrument_table(auth: Auth, client: FlaskClient) -> None:
    auth.login("fieldworker")
    body = client.get("/research/").get_data(as_text=True)
    assert "Instrument versions" not in body


def test_users_create_reads_the_password_from_stdin(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "new@example.org", "--role", "fieldworker"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "created new@example.org (fieldworker)" in result.output
    again = runner.invoke(
        args=["users", "create", "new@example.org", "--role", "fieldworker"], input=PASSWORD + "\n"
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_users_create_refuses_a_short_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "s@example.org", "--role", "admin"], input="short\n"
    )
    assert result.exit_code == 1 and "at least 12 characters" in result.output


def test_the_development_admin_is_printed_once(app: Flask, client: FlaskClient) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["users", "ensure-dev-admin"])
    assert first.exit_code == 0 and "admin@example.org" in first.output
    password = first.output.split("password:")[1].split()[0]
    second = runner.invoke(args=["users", "ensure-dev-admin"])
    assert password not in second.output and "set-password" in second.output
    response = submit_form(client, "/login", {"email": "admin@example.org", "password": password})
    assert response.status_code == 302


def test_users_set_password_replaces_a_lost_password_and_ends_every_session(
    app: Flask, auth: Auth, client: FlaskClient
) -> None:
    user = auth.login("researcher")
    assert client.get("/research/").status_code == 200
    new = "a different horse battery staple"
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", " Researcher@Example.org "], input=new + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "sessions are ended" in result.output
    assert client.get("/research/").status_code == 302  # the open session is over
    old = submit_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert old.status_code == 200  # refused: the page again
    fresh = submit_form(client, "/login", {"email": user.email, "password": new})
    assert fresh.status_code == 302
    with app.app_context():
        kinds = db.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.target == f"user:{user.id}")
        ).all()
    assert "user.password_set" in kinds


def test_users_set_password_refuses_an_unknown_account_and_a_weak_password(
    app: Flask, auth: Auth
) -> None:
    auth.login("researcher")
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["users", "set-password", "nobody@example.org"], input=PASSWORD)
    assert unknown.exit_code == 1 and "No user with email nobody@example.org" in unknown.output
    weak = runner.invoke(args=["users", "set-password", "researcher@example.org"], input="short\n")
    assert weak.exit_code == 1 and "at least 12 characters" in weak.output
