"""API tokens through the real account pages: made (shown once, stored hashed), listed,
revoked; and the rules that end a token: expiry, revocation, its owner deactivated or given
another role."""

from __future__ import annotations

import hashlib
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey_app.extensions import db
from survey_app.kinds import Role
from survey_app.models import ApiToken, AuditEvent, User
from tests import factories
from tests.flows import PASSWORD, Auth, Clock, csrf_token

TOKEN = re.compile(r'id="token-value"[^>]*value="([^"]+)"')


def _make(
    client: FlaskClient, name: str = "Nightly R import", days: str = "30", password: str = PASSWORD
) -> TestResponse:
    page = client.get("/account/tokens")
    assert page.status_code == 200
    return client.post(
        "/account/tokens/add",
        data={"csrf_token": csrf_token(page), "name": name, "days": days, "password": password},
    )


def _call(client: FlaskClient, token: str, url: str = "/api/v1/due") -> int:
    return client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_token_made_on_the_account_page_is_shown_once_and_kept_only_as_its_hash(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("fieldworker")
    made = _make(client)
    assert made.status_code == 201
    shown = TOKEN.search(made.get_data(as_text=True))
    assert shown, "the new token is on the page"
    token = shown.group(1)
    assert len(token) > 40
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row is not None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(row.__dict__)
        assert row.role == Role.FIELDWORKER
        events = db.session.scalars(select(AuditEvent.kind)).all()
        assert "api_token.created" in events
        assert not any(token in str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    # Listed by name, never shown again.
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert "Nightly R import" in listed
    assert token not in listed
    assert "Not yet" in listed
    assert _call(client, token) == 200
    assert "Not yet" not in client.get("/account/tokens").get_data(as_text=True)


def test_revoking_on_the_account_page_ends_the_token_at_once(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("researcher")
    token = TOKEN.search(_make(client).get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert _call(client, token, "/api/v1/responses") == 200
    page = client.get("/account/tokens")
    action = re.search(r'action="(/account/tokens/\d+/revoke)"', page.get_data(as_text=True))
    assert action
    revoked = client.post(action.group(1), data={"csrf_token": csrf_token(page)})
    assert revoked.status_code == 302
    after = client.get("/account/tokens").get_data(as_text=True)
    assert "Revoked" in after
    assert 'action="/account/tokens/' not in after.split("Make a token")[0]  # no Revoke left
    reply = client.get("/api/v1/responses", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401
    assert "revoked" in reply.get_json()["error"]["message"]


def test_a_token_is_refused_with_a_wrong_password_a_bad_name_or_a_bad_lifetime(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("researcher")
    assert _make(client, password="not my password").status_code == 422
    assert _make(client, name="").status_code == 422
    assert _make(client, name="x" * 61).status_code == 422
    for days in ("0", "366", "-3", "ten", ""):
        reply = _make(client, days=days)
        assert reply.status_code == 422, days
        assert 'class="field-error"' in reply.get_data(as_text=True), days
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None
    assert _make(client, days="365").status_code == 201


def test_nobody_revokes_another_account_s_token(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    other = factories.user(app, "researcher", "other@example.org")
    token = factories.api_token(app, other.id)
    auth.login("researcher")
    page = client.get("/account/tokens")
    assert "valid token" not in page.get_data(as_text=True)  # not listed for her
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    reply = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 404
    assert _call(client, token) == 200


def test_the_tokens_page_needs_a_login_and_its_forms_a_csrf_token(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    assert client.get("/account/tokens").status_code == 302
    auth.login("researcher")
    reply = client.post(
        "/account/tokens/add", data={"name": "x", "days": "3", "password": PASSWORD}
    )
    assert reply.status_code == 400


def _set(app: Flask, user_id: int, **values: object) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()


def test_a_token_stops_working_when_its_owner_is_deactivated_or_changes_role(
    app: Flask, client: FlaskClient
) -> None:
    owner = factories.user(app, "researcher")
    token = factories.api_token(app, owner.id)
    assert _call(client, token, "/api/v1/responses") == 200
    _set(app, owner.id, active=False)
    assert _call(client, token) == 401
    _set(app, owner.id, active=True)
    assert _call(client, token) == 200
    # A researcher made a fieldworker: her old token neither keeps a researcher's reach nor
    # quietly becomes a fieldworker's.
    _set(app, owner.id, role=Role.FIELDWORKER)
    assert _call(client, token) == 401
    assert _call(client, token, "/api/v1/responses") == 401


def test_a_token_expires_after_its_days(app: Flask, client: FlaskClient, clock: Clock) -> None:
    owner = factories.user(app, "fieldworker")
    token = factories.api_token(app, owner.id, days=1)
    assert _call(client, token) == 200
    clock.advance(days=2)
    reply = client.get("/api/v1/due", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401
    assert "expired" in reply.get_json()["error"]["message"]
