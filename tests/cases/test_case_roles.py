"""The caseworker role: an account granted sites from the command line, landing on her cases,
and kept apart from the fieldworkers' pages (and they from hers)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Site, User, UserSite
from tests import factories
from tests.case_steps import log_in
from tests.flows import PASSWORD, Auth


def _granted(app: Flask, email: str) -> set[str]:
    with app.app_context():
        rows = db.session.scalars(
            select(Site.code)
            .join(UserSite, UserSite.site_id == Site.id)
            .join(User, User.id == UserSite.user_id)
            .where(User.email == email)
        )
        return set(rows)


def test_users_create_grants_a_caseworker_every_site_given(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users", "create", "sw@example.org", "--role", "caseworker",
            "--site", "send", "--site", "eastwood_park",
        ],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "sites: send, eastwood_park" in result.output
    assert _granted(app, "sw@example.org") == {"send", "eastwood_park"}


def test_users_create_refuses_a_caseworker_without_a_site_or_with_an_unknown_one(
    app: Flask,
) -> None:
    runner = app.test_cli_runner()
    bare = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "caseworker"], input=PASSWORD + "\n"
    )
    assert bare.exit_code == 1
    assert "needs at least one --site" in bare.output
    unknown = runner.invoke(
        args=["users", "create", "b@example.org", "--role", "caseworker", "--site", "holloway"],
        input=PASSWORD + "\n",
    )
    assert unknown.exit_code == 1
    assert "Unknown site 'holloway'" in unknown.output
    other_role = runner.invoke(
        args=["users", "create", "c@example.org", "--role", "researcher", "--site", "send"],
        input=PASSWORD + "\n",
    )
    assert other_role.exit_code == 1
    assert "caseworker and fieldworker accounts only" in other_role.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email.like("%@example.org"))) is None


def test_a_caseworker_lands_on_her_cases_and_sees_her_sites(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app, sites=("eastwood_park",))
    log_in(client)
    landing = client.get("/research/", follow_redirects=True)
    assert landing.request.path == "/cases/"
    page = landing.get_data(as_text=True)
    assert "HMP Eastwood Park" in page
    assert "Participants</a>" not in page  # no link to pages she may not open


def test_a_caseworker_never_reaches_questionnaire_pages(app: Flask, client: FlaskClient) -> None:
    factories.caseworker(app)
    log_in(client)
    for path in ("/research/participants", "/research/participants/new", "/kiosk/"):
        assert client.get(path).status_code == 403, path


def test_a_fieldworker_never_reaches_the_cases(client: FlaskClient, auth: Auth) -> None:
    auth.login("fieldworker")
    assert client.get("/cases/").status_code == 403


def test_researchers_and_admins_read_cases_but_fieldworkers_do_not(app: Flask) -> None:
    with app.app_context():
        roles = {
            role: User(email=f"{role}@x.org", password_hash="x", role=role)
            for role in ("admin", "researcher", "fieldworker", "caseworker")
        }
    assert {r for r, u in roles.items() if u.has_role("caseworker")} == {
        "admin",
        "researcher",
        "caseworker",
    }
    assert {r for r, u in roles.items() if u.has_role("fieldworker")} == {
        "admin",
        "researcher",
        "fieldworker",
    }


def test_the_landing_page_leads_a_social_worker_to_the_case_tracker(client: FlaskClient) -> None:
    body = client.get("/").get_data(as_text=True)
    assert "social workers keep the case tracker" in body
    assert (
        '<a class="button secondary" href="/cases/">Case tracker (TaC social workers)</a>' in body
    )
