"""A half-answered questionnaire shows on the research pages: the list, her page and the
dashboard say which wave is in progress, on which page, saved when; the fieldworker's
dashboard counts the follow-ups due now and overdue."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from survey_app.services import responses as ops
from tests import factories
from tests.flows import (
    Auth,
    Clock,
    complete_wave,
    csrf_token,
    enter_id,
    instrument,
    past_consent,
    question_names,
    register,
    responses,
    text_of,
    unlock,
)

T1_ANSWERS = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1, "css_trust": 4}


def _start_t1_two_pages(app: Flask, client: FlaskClient, auth: Auth) -> str:
    """A mother answers the consent page and the next, then leaves; her ID."""
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    second = past_consent(app, client)
    page = client.get(second)
    data = {"csrf_token": csrf_token(page), "action": "next"}
    reply = client.post(second, data=data | {n: "" for n in question_names(page)})
    assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
    return pseudonym


def _pages_shown(app: Flask) -> int:
    [draft] = responses(app)
    with app.app_context():
        return len(ops.visible_sections(instrument(app, "mothers_t1"), draft.answers))


def _researcher(app: Flask) -> FlaskClient:
    other = app.test_client()
    Auth(app, other).login("researcher")
    return other


def test_a_half_answered_t1_shows_in_the_list_and_on_her_page(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock
) -> None:
    pseudonym = _start_t1_two_pages(app, client, auth)
    expected = f"T1 in progress, page 2 of {_pages_shown(app)}, saved 15 Mar 2026"
    research = _researcher(app)
    listed = research.get("/research/participants").get_data(as_text=True)
    row = next(r for r in listed.split("<tr>") if pseudonym in r)
    assert expected in text_of(row)
    mine = research.get(f"/research/participants/{pseudonym}").get_data(as_text=True)
    assert expected in text_of(mine)
    assert f"in progress, page 2 of {_pages_shown(app)}, saved 15 Mar 2026" in text_of(
        mine.split('id="responses"')[1]
    )


def test_the_page_and_date_follow_her_last_save(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock
) -> None:
    pseudonym = _start_t1_two_pages(app, client, auth)
    clock.advance(days=2)
    page = client.get("/kiosk/page/0")  # she goes back to the first page and saves it again
    data = {"csrf_token": csrf_token(page), "action": "back_here"}
    client.post("/kiosk/page/0", data=data | {n: "1" for n in question_names(page)})
    research = _researcher(app)
    body = text_of(research.get(f"/research/participants/{pseudonym}").get_data(as_text=True))
    assert f"T1 in progress, page 1 of {_pages_shown(app)}, saved 17 Mar 2026" in body


def test_a_sent_questionnaire_is_no_longer_in_progress_and_exports_no_draft_flag(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock
) -> None:
    unlock(auth, client)
    pseudonym = register(app)
    reply = complete_wave(app, client, pseudonym, "mothers_t1")
    assert reply.status_code in (200, 302)
    [sent] = responses(app)
    assert sent.status == "complete" and "draft" not in sent.flags
    research = _researcher(app)
    listed = research.get("/research/participants").get_data(as_text=True)
    assert "in progress" not in text_of(listed)


def test_the_dashboard_counts_drafts_per_wave(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock
) -> None:
    _start_t1_two_pages(app, client, auth)
    body = _researcher(app).get("/research/").get_data(as_text=True)
    t1 = re.search(r'<tr id="drafts-t1">(.*?)</tr>', body, re.S)
    t2 = re.search(r'<tr id="drafts-t2">(.*?)</tr>', body, re.S)
    assert t1 and text_of(t1.group(1)).endswith(" 1")
    assert t2 and text_of(t2.group(1)).endswith(" 0")


def test_the_fieldworker_dashboard_counts_follow_ups_due_now_and_overdue(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock
) -> None:
    # Window 5 to 8 months after T1, today 15 March 2026.
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1_ANSWERS, dt.date(2025, 10, 15))
    factories.complete_response(app, "TC-BBB-BBBB", "T1", T1_ANSWERS, dt.date(2025, 7, 14))
    factories.complete_response(app, "TC-CCC-CCCC", "T1", T1_ANSWERS, dt.date(2025, 6, 1))
    auth.login("fieldworker")
    body = client.get("/research/").get_data(as_text=True)
    assert '<span class="figure" id="due-now">1</span>' in body
    assert '<span class="figure" id="overdue">2</span>' in body
    # IDs and dates only, as before: no answers, no complete-response table.
    assert "TC-AAA-AAAA" not in body and "complete-responses" not in body
