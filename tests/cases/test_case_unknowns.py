"""Unknowns allowed (version 2 of the referral and closure forms): a social worker sends what
she knows, "Not known" where she does not, and the case page and her list show what is still
unknown. Forms sent on version 1 keep version 1's questions and rules."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import CaseForm, InstrumentVersion
from tests import case_data, factories
from tests import case_steps as steps
from tests.flows import csrf_token, register

BLANK_PAGES: list[dict[str, Any]] = [
    {"start_date": "2022-02-01"},
    {},
    {},
    {},
    {"children-count": "1"},
    {},
    {},
]


def test_a_referral_with_only_its_start_date_is_sent_and_the_gaps_are_listed(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    pseudonym = register(app)
    send_url = steps.fill_pages(client, steps.open_case(client, pseudonym), BLANK_PAGES)
    reply = steps.send(client, send_url)
    assert reply.status_code == 302, reply.get_data(as_text=True)
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    unknown = page.split('id="still-unknown"')[1].split("</section>")[0]
    for question in (
        "Who referred her?",
        "<li>Age</li>",
        "Child 1: Age",
        "Is she on the Mother and Baby Unit?",
        "How many children&#39;s social workers are allocated?",
        "Contact with her children now",
    ):
        assert question in unknown, question
    listing = client.get("/cases/").get_data(as_text=True)
    row = listing.split(pseudonym)[1].split("</tr>")[0]
    assert "15 referral answers" in row


def test_not_known_is_offered_where_she_may_not_know(app: Flask, client: FlaskClient) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    not_known = "9"
    pages = [
        {"start_date": "2022-02-01", "referral_source": not_known},
        {"age_band": not_known},
        {},
        {},
        {"children-count": "1", "children-0-child_age_band": not_known},
        {
            "on_mbu": not_known,
            "contact_at_referral": not_known,
            "children_social_workers": "",
        },
        {"needs": ["1"]},
    ]
    case_url = steps.send(
        client, steps.fill_pages(client, steps.open_case(client, register(app)), pages)
    ).headers["Location"]
    first = steps.start_form(client, case_url, "closure").headers["Location"]
    closure = [
        {"closure_date": "2022-06-01", "closure_reason": "1"},
        {},
        {},
        {"contact_outcome": not_known},
    ]
    assert steps.send(client, steps.fill_pages(client, first, closure)).status_code == 302
    page = client.get(case_url).get_data(as_text=True)
    assert "Contact at closure" in page.split('id="still-unknown"')[1]
    with app.app_context():
        referral = db.session.scalar(select(CaseForm).where(CaseForm.kind == "referral"))
        assert referral is not None and referral.instrument_version.version == 2
        assert referral.answers["age_band"] == 9 and referral.answers["on_mbu"] == 9
        assert referral.answers["children"] == [{"child_age_band": 9}]


def test_the_start_date_is_still_required(app: Flask, client: FlaskClient) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    first = steps.open_case(client, register(app))
    reply = steps.post_page(client, first, {"start_date": "", "referral_source": "9"})
    assert reply.status_code == 422
    assert "Please answer this question." in reply.get_data(as_text=True)


def test_a_form_sent_on_version_1_is_corrected_on_version_1(
    app: Flask, client: FlaskClient
) -> None:
    """Version 1 offered no "Not known" for her age, and asked for it: a correction of a
    version 1 referral keeps both."""
    factories.caseworker(app)
    steps.log_in(client)
    v1_answers = {
        "referral_source": 1, "ethnicity": 1, "age_band": 3, "care_experience": 1,
        "relationship_status": 1, "offence_category": 4, "sentence_length": 2,
        "child_related_offence": 0, "children": [dict(case_data.CHILD)], "on_mbu": 0,
        "children_social_workers": 1, "family_court": 1, "contact_at_referral": 1,
    }  # fmt: skip
    case_data.add_case(app, "send", [("referral", "2022-01-10", v1_answers)])
    with app.app_context():
        form = db.session.scalar(select(CaseForm))
        assert form is not None
        form.instrument_version = db.session.scalar(
            select(InstrumentVersion).where(
                InstrumentVersion.key == "case_referral", InstrumentVersion.version == 1
            )
        )
        db.session.commit()
        case_url, form_url = f"/cases/{form.case_id}", f"/cases/{form.case_id}/forms/{form.id}"
    page = client.get(form_url)
    reply = client.post(f"{form_url}/correct", data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 302
    about_her = f"{form_url}/correction/pages/1"
    age = client.get(about_her).get_data(as_text=True).split('id="q-age_band"')[1]
    assert "Not known" not in age.split("</fieldset>")[0]
    refused = steps.post_page(client, about_her, {"age_band": "9", "ethnicity": "1"})
    assert refused.status_code == 400
    asked = steps.post_page(
        client, about_her,
        {"ethnicity": "1", "care_experience": "1", "relationship_status": "1"},
    )  # fmt: skip
    assert asked.status_code == 422
    assert "Still unknown" not in client.get(case_url).get_data(as_text=True)
