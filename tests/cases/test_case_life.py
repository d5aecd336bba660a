"""A case's life through the real pages: referral, updates, closure, re-opening, another
closure; and every bad input refused with a clear message and nothing saved lost."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Case, CaseForm
from tests import case_steps as steps
from tests import factories
from tests.flows import register


def test_a_case_from_referral_to_a_second_closure(app: Flask, client: FlaskClient) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    pseudonym = register(app)
    case_url = steps.referral(client, pseudonym)
    for date in ("2022-03-01", "2022-06-01"):
        assert steps.update(client, case_url, date).status_code == 302
    assert steps.closure(client, case_url, "2022-08-01").status_code == 302
    assert steps.reopening(client, case_url, "2022-10-01").status_code == 302
    assert steps.update(client, case_url, "2022-11-01").status_code == 302
    assert steps.closure(client, case_url, "2023-01-15").status_code == 302
    page = client.get(case_url).get_data(as_text=True).split('id="forms"')[1]
    order = [
        page.index(k)
        for k in ("10 Jan 2022", "1 Mar 2022", "1 Aug 2022", "1 Oct 2022", "15 Jan 2023")
    ]
    assert order == sorted(order)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None
        assert (case.status, str(case.opened_on), str(case.closed_on)) == (
            "closed",
            "2022-01-10",
            "2023-01-15",
        )
        kinds = [f.kind for f in db.session.scalars(select(CaseForm).order_by(CaseForm.id))]
        assert kinds == [
            "referral",
            "update",
            "update",
            "closure",
            "reopening",
            "update",
            "closure",
        ]
        children = db.session.scalar(select(CaseForm).where(CaseForm.kind == "referral"))
        assert children is not None and len(children.answers["children"]) == 2
    listing = client.get("/cases/").get_data(as_text=True)
    assert pseudonym in listing and "closed" in listing


def test_the_participant_page_shows_her_case_to_researchers_only(
    app: Flask, client: FlaskClient
) -> None:
    from tests.flows import Auth

    factories.caseworker(app)
    steps.log_in(client)
    pseudonym = register(app)
    case_url = steps.referral(client, pseudonym)
    researcher = app.test_client()
    Auth(app, researcher).login("researcher")
    page = researcher.get(f"/research/participants/{pseudonym}").get_data(as_text=True)
    assert "Case tracker" in page and case_url in page and "10 Jan 2022" in page
    fieldworker = app.test_client()
    Auth(app, fieldworker).login("fieldworker")
    page = fieldworker.get(f"/research/participants/{pseudonym}").get_data(as_text=True)
    assert "Case tracker" not in page and case_url not in page
