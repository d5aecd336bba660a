"""Accounts an admin manages on the Users page: a caseworker made with her prisons, and her
prisons changed later, audited; bad combinations refused with nothing made or changed."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.field.bundle import site_fieldworkers
from survey_app.models import AuditEvent, Site, User, UserSite
from tests import case_steps as steps
from tests import factories
from tests.flows import PASSWORD, Auth, csrf_token, submit_form

NEW = {"email": "sw@example.org", "role": "caseworker", "password": PASSWORD}


def _granted(app: Flask, email: str) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(Site.code).join(UserSite).join(User).where(User.email == email)
            )
        )


def test_an_admin_makes_a_caseworker_with_her_prisons(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("admin")
    page = client.get("/research/users").get_data(as_text=True)
    assert '<option value="caseworker">caseworker</option>' in page
    assert "Prisons (caseworkers and fieldworkers)" in page and "HMP Eastwood Park" in page
    reply = submit_form(client, "/research/users", {**NEW, "sites": ["send", "eastwood_park"]})
    assert reply.status_code == 302
    assert _granted(app, "sw@example.org") == ["eastwood_park", "send"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "user.sites_changed"))
        assert event is not None and event.detail == {"from": [], "to": ["eastwood_park", "send"]}
    row = client.get("/research/users").get_data(as_text=True).split("<tr><td>sw@example.org")[1]
    assert 'value="send" checked' in row and 'value="eastwood_park" checked' in row
    worker = app.test_client()
    steps.log_in(worker, "sw@example.org")
    listing = worker.get("/cases/").get_data(as_text=True)
    mine = listing.split("Your prisons: ")[1].split("</p>")[0]
    assert sorted(mine.rstrip(".").split(", ")) == ["HMP Eastwood Park", "HMP Send"]


def test_bad_combinations_make_no_account(app: Flask, client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    for data, message in (
        (NEW, "A caseworker needs at least one prison"),
        ({**NEW, "role": "researcher", "sites": ["send"]}, "Prisons are for caseworker and"),
        ({**NEW, "sites": ["community"]}, "is not a valid choice"),
        ({**NEW, "sites": ["holloway"]}, "is not a valid choice"),
    ):
        reply = submit_form(client, "/research/users", data)
        assert reply.status_code == 422, data
        assert message in reply.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1  # the admin


def _save_sites(client: FlaskClient, user_id: int, sites: list[str]) -> Any:
    page = client.get("/research/users")
    return client.post(
        f"/research/users/{user_id}/sites", data={"csrf_token": csrf_token(page), "sites": sites}
    )


def test_an_admin_changes_a_caseworkers_prisons(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    worker = factories.caseworker(app, sites=("send",))
    researcher = factories.user(app, role="researcher", email="r@example.org")
    auth.login("admin")
    assert _save_sites(client, worker.id, ["eastwood_park"]).status_code == 302
    assert _granted(app, worker.email) == ["eastwood_park"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "user.sites_changed"))
        assert event is not None and event.detail == {"from": ["send"], "to": ["eastwood_park"]}
    emptied = _save_sites(client, worker.id, [])
    assert emptied.status_code == 422
    assert "needs at least one prison: deactivate the account instead" in emptied.get_data(
        as_text=True
    )
    assert _save_sites(client, worker.id, ["holloway"]).status_code == 400
    assert _save_sites(client, researcher.id, ["send"]).status_code == 422
    assert _save_sites(client, 999999, ["send"]).status_code == 404
    assert _granted(app, worker.email) == ["eastwood_park"]
    assert _granted(app, "r@example.org") == []


def test_a_fieldworker_goes_on_the_laptops_of_her_prisons_only(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("admin")
    for email, sites in (
        ("send@example.org", ["send"]),
        ("ep@example.org", ["eastwood_park"]),
        ("both@example.org", ["send", "eastwood_park"]),
        ("any@example.org", []),
    ):
        data = {**NEW, "email": email, "role": "fieldworker", "sites": sites}
        assert submit_form(client, "/research/users", data).status_code == 302, email
    row = client.get("/research/users").get_data(as_text=True).split("<tr><td>any@example.org")[1]
    assert "None ticked: every prison's laptops." in row.split("</tr>")[0]
    with app.app_context():
        send = db.session.scalar(select(Site).where(Site.code == "send"))
        assert send is not None
        on_laptop = [u.email for u in site_fieldworkers(db.session, send)]
    assert on_laptop == ["any@example.org", "both@example.org", "send@example.org"]
    with app.app_context():
        made = db.session.scalar(select(User).where(User.email == "send@example.org"))
        assert made is not None
        made_id = made.id
    assert _save_sites(client, made_id, []).status_code == 302  # none: every prison again
    assert _granted(app, "send@example.org") == []
