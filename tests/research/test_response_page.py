"""Reading a response in the app: researchers and admins (never fieldworkers) open a
read-only page with each question as worded in the version she answered and her answer's
label, missing-data codes spelled out; each reading is audited without content."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.instruments.loader import load_all
from survey_app.instruments.publish import sync_instruments
from survey_app.models import AuditEvent, Response, ResponseStatus
from tests import factories
from tests.flows import Auth

PRIVATE = "my private hope for my children"
T1_ANSWERS: dict[str, Any] = {
    "consent_info_sheet": 1,
    "consent_recontact": 0,
    "css_willing": 4,
    "css_trust": -2,
    "meetings_share_views": -1,
    "decision_involvement": 7,
    "csw_contact": 1,
    "wai_csw_01": -3,
    "tac_hopes": PRIVATE,
}
_ROW = re.compile(
    r'<th scope="row">(.*?) <code class="variable">([a-z0-9_]+)</code></th>\s*'
    r"<td>(.*?)</td>\s*<td class=\"num\">(.*?)</td>",
    re.S,
)


def rows(reply: Any) -> dict[str, tuple[str, str, str]]:
    """variable -> (question, answer, code) as the page shows them."""
    body = reply.get_data(as_text=True)
    return {
        variable: (html.unescape(question), html.unescape(answer), html.unescape(code))
        for question, variable, answer, code in _ROW.findall(body)
    }


@pytest.fixture
def t1(app: Flask) -> tuple[str, str]:
    [pseudonym] = factories.participants(app, 1)
    response_id = factories.complete_response(
        app, pseudonym, "T1", T1_ANSWERS, completed_on=dt.date(2026, 1, 15)
    )
    return pseudonym, response_id


def test_a_researcher_reads_each_answer_by_its_label(
    client: FlaskClient, auth: Auth, t1: tuple[str, str]
) -> None:
    pseudonym, response_id = t1
    auth.login("researcher")
    reply = client.get(f"/research/responses/{response_id}")
    assert reply.status_code == 200
    shown = rows(reply)
    assert shown["consent_info_sheet"][1:] == ("Agreed", "1")
    assert shown["consent_recontact"][1:] == ("No", "0")
    assert shown["css_willing"][1:] == ("Agree", "4")
    assert shown["css_willing"][0].startswith("I am willing to engage with Children")
    assert shown["decision_involvement"][1:] == ("7 on a scale of 1 to 10", "7")
    assert shown["csw_contact"][1:] == ("Never met them", "1")
    assert shown["tac_hopes"][1:] == (PRIVATE, "—")
    body = reply.get_data(as_text=True)
    assert f'href="/research/participants/{pseudonym}"' in body
    assert "Together a Chance: questions for mothers (start of support), version 2" in body


def test_missing_codes_and_blanks_are_spelled_out(
    client: FlaskClient, auth: Auth, t1: tuple[str, str]
) -> None:
    auth.login("researcher")
    shown = rows(client.get(f"/research/responses/{t1[1]}"))
    assert shown["css_trust"][1:] == ("Prefer not to say", "-2")
    assert shown["meetings_share_views"][1:] == ("Don't know", "-1")
    assert shown["wai_csw_01"][1:] == ("Not applicable", "-3")
    assert shown["support_inside"][1:] == ("Not answered", "—")  # nothing stored


def test_every_question_of_the_version_is_listed_once(
    app: Flask, client: FlaskClient, auth: Auth, t1: tuple[str, str]
) -> None:
    from tests.flows import instrument

    auth.login("researcher")
    shown = rows(client.get(f"/research/responses/{t1[1]}"))
    variables = [item.variable for item in instrument(app, "mothers_t1").questions()]
    assert list(shown) == variables


def test_the_questions_are_worded_as_in_the_version_she_answered(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    response_id = factories.link_response(app, "practitioners", {"consent_take_part": 1})
    with app.app_context():
        definition = copy.deepcopy(
            max((d for d in load_all() if d["key"] == "practitioners"), key=lambda d: d["version"])
        )
        definition["version"] += 1
        consent = next(
            item
            for section in definition["sections"]
            for item in section["items"]
            if item.get("variable") == "consent_take_part"
        )
        old_text = consent["text"]["en"]
        consent["text"] = {**consent["text"], "en": "Reworded in version two"}
        sync_instruments(db.session, [definition])
        db.session.commit()
    auth.login("researcher")
    reply = client.get(f"/research/responses/{response_id}")
    assert rows(reply)["consent_take_part"][0] == old_text
    body = reply.get_data(as_text=True)
    assert "Reworded in version two" not in body
    answered = definition["version"] - 1  # the newest bundled version, before this one
    assert "an anonymous link for HMP Send</a>" in body and f"version {answered}" in body


@pytest.mark.parametrize(
    ("role", "status"), [("researcher", 200), ("admin", 200), ("fieldworker", 403)]
)
def test_researchers_and_admins_read_it_fieldworkers_never(
    client: FlaskClient, auth: Auth, t1: tuple[str, str], role: str, status: int
) -> None:
    pseudonym, response_id = t1
    auth.login(role)
    reply = client.get(f"/research/responses/{response_id}")
    assert reply.status_code == status
    assert (PRIVATE in reply.get_data(as_text=True)) == (status == 200)
    participant_page = client.get(f"/research/participants/{pseudonym}").get_data(as_text=True)
    link = f'href="/research/responses/{response_id}"'
    assert (link in participant_page) == (role != "fieldworker")


def test_each_reading_is_audited_without_content(
    app: Flask, client: FlaskClient, auth: Auth, t1: tuple[str, str]
) -> None:
    user = auth.login("researcher")
    for _ in range(2):
        assert client.get(f"/research/responses/{t1[1]}").status_code == 200
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "response.viewed")
        ).all()
        assert [(e.actor_id, e.target) for e in events] == [(user.id, f"response:{t1[1]}")] * 2
        stored = json.dumps([e.detail for e in events])
        assert PRIVATE not in stored and "css_willing" not in stored
        assert db.session.get(Response, t1[1]) is not None  # reading changed nothing


def test_a_fieldworkers_attempt_is_not_audited_as_a_reading(
    app: Flask, client: FlaskClient, auth: Auth, t1: tuple[str, str]
) -> None:
    auth.login("fieldworker")
    assert client.get(f"/research/responses/{t1[1]}").status_code == 403
    with app.app_context():
        assert not db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "response.viewed")
        ).all()


@pytest.mark.parametrize("response_id", ["0" * 32, "nonsense", "x" * 300])
def test_an_unknown_response_is_not_found(
    client: FlaskClient, auth: Auth, response_id: str
) -> None:
    auth.login("researcher")
    assert client.get(f"/research/responses/{response_id}").status_code == 404


def test_a_draft_and_a_voided_response_say_so(
    app: Flask, client: FlaskClient, auth: Auth, t1: tuple[str, str]
) -> None:
    with app.app_context():
        response = db.session.get(Response, t1[1])
        assert response is not None
        response.voided_at = dt.datetime(2026, 2, 1, 10, 0)
        response.void_reason = "entered under the wrong ID"
        db.session.commit()
    auth.login("researcher")
    body = client.get(f"/research/responses/{t1[1]}").get_data(as_text=True)
    assert "voided on 1 Feb 2026: entered under the wrong ID" in body
    with app.app_context():
        response = db.session.get(Response, t1[1])
        assert response is not None
        response.voided_at, response.void_reason = None, None
        response.status, response.completed_on = ResponseStatus.IN_PROGRESS, None
        db.session.commit()
    body = client.get(f"/research/responses/{t1[1]}").get_data(as_text=True)
    assert "in progress (a draft" in body and "voided" not in body


def test_a_links_responses_are_listed_each_to_be_read(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    response_id = factories.link_response(app, "prison_staff", {"consent_take_part": 1})
    with app.app_context():
        link_id = db.session.get(Response, response_id).link_id  # type: ignore[union-attr]
    auth.login("researcher")
    links = client.get("/research/links").get_data(as_text=True)
    assert f'href="/research/links/{link_id}/responses">1<' in links
    listing = client.get(f"/research/links/{link_id}/responses")
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert "Responses to Together a Chance: questionnaire for prison staff" in body
    assert re.findall(r'href="/research/responses/([0-9a-f]+)"', body) == [response_id]
    page = client.get(f"/research/responses/{response_id}").get_data(as_text=True)
    assert f'href="/research/links/{link_id}/responses"' in page
    assert client.get("/research/links/999999/responses").status_code == 404
