"""Anonymous links for prison staff and community practitioners (``/s/<token>``), driven through
their pages as a browser would: GET the page, read its hidden fields, POST what the button sends."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import DateTime, func, select
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from survey_app.downloads.export_workbook import build_export
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.extensions import db
from survey_app.instruments.model import Instrument, Item
from survey_app.models import Link, Response
from survey_app.models.types import today
from survey_app.services import links as link_ops
from tests.flows import (
    answer_pages,
    click,
    consented_link,
    create_link,
    csrf_token,
    hidden_inputs,
    instrument,
    link_consent,
    only_response,
    responses,
    send,
    start_link,
    submission_key,
)

NOT_FOUND = "There is nothing at this address"
CLOSED = "This survey has closed"
EXPIRED = "This page was open for a long time"
CONSENT_MESSAGE = "Please tick this box if you agree"

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def is_checked(page: TestResponse, name: str, value: Any) -> bool:
    match = re.search(
        rf'<input type="(?:radio|checkbox)" name="{name}" value="{value}"( checked)?>',
        page.get_data(as_text=True),
    )
    assert match, f"no option {name}={value} on the page"
    return bool(match.group(1))


def question_block(page: TestResponse, variable: str) -> str:
    match = re.search(
        rf'<fieldset[^>]*id="q-{variable}".*?</fieldset>', page.get_data(as_text=True), re.S
    )
    assert match, f"no question {variable} on the page"
    return match.group(0)


def expected_value(item: Item, posted: Any) -> Any:
    """What the app should store for what the browser posted."""
    if item.type == "multiple":
        return sorted(int(code) for code in posted)
    if item.type in ("short_text", "long_text"):
        return posted.replace("\r\n", "\n")
    return int(posted)


def finish_and_send(
    app: Flask, client: FlaskClient, token: str, key: str, posted: dict[str, Any]
) -> TestResponse:
    """Landing -> Start -> every page -> finish -> send; the reply to the send."""
    first = start_link(client, token)
    finish = answer_pages(client, first, instrument(app, key), posted)
    assert finish.request.path == f"/s/{token}/finish"
    return send(client, finish, f"/s/{token}/submit")


# The answers a prison officer gives, as her browser posts them.
PRISON_STAFF = {
    "consent_info_sheet": "1",
    "consent_take_part": "1",
    "prison": "2",
    "role_level": "1",
    "department": "6",
    "contact_frequency": "3",
    "contact_purpose": ["5", "1", "3"],
    "gaps_filled": "Someone who knows children's social care from the inside.",
    "supports_mothers": "She explains the court process\r\nand goes to meetings with them.",
    "supports_child_relationships": "Arranges video calls with the children's carers.",
    "supports_professional_relationships": "Chases the home local authority for updates.",
    "supports_release_planning": "Plans the first week after release with probation.",
    "knowledge_helps_staff": "OMU staff ask her about care proceedings.",
    "liaison_community": "She knows which prison forms the community teams need.",
    "acct_involvement": "0",
    "acct_comment": "None that I know of.",
    "qualification": "1",
    "qualification_why": "Care proceedings need a qualified social worker's judgement.",
    "based_in_prison": "1",
    "based_in_prison_why": "Mothers can see her the same day.",
}


def practitioner_answers(survey: Instrument) -> dict[str, Any]:
    """A varied, complete set of answers to the practitioners' questionnaire."""
    posted: dict[str, Any] = {}
    offered_missing_used = False
    for position, item in enumerate(survey.questions()):
        assert item.variable is not None
        if item.type == "consent":
            posted[item.variable] = "1"
        elif item.type in ("short_text", "long_text"):
            posted[item.variable] = f"Practitioner's view on {item.variable}:\r\nit helped."
        elif item.type == "multiple":
            posted[item.variable] = [str(o.code) for o in reversed(item.options)]
        elif item.offer and not offered_missing_used:
            posted[item.variable] = str(item.offer[0])  # "Don't know"
            offered_missing_used = True
        else:
            posted[item.variable] = str(item.options[position % len(item.options)].code)
    assert offered_missing_used
    return posted


# ---------------------------------------------------------------------------------------------
# 1. Complete responses, end to end
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "site"),
    [("prison_staff", "send"), ("practitioners", "community")],
    ids=["prison_staff", "practitioner"],
)
def test_a_response_is_completed_end_to_end_through_the_link(
    app: Flask, client: FlaskClient, key: str, site: str
) -> None:
    survey = instrument(app, key)
    posted = PRISON_STAFF if key == "prison_staff" else practitioner_answers(survey)
    assert set(posted) == set(survey.variables)  # every question gets a chosen answer
    token = create_link(app, key, "--site", site)

    sent = finish_and_send(app, client, token, key, posted)

    assert sent.status_code == 302 and sent.headers["Location"] == f"/s/{token}/thanks"
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200
    assert "Your answers have been sent" in thanks.get_data(as_text=True)

    response = only_response(app)
    assert response.status == "complete" and response.channel == "link"
    assert response.participant_id is None and response.wave_id is None
    with app.app_context():
        link = db.session.scalar(select(Link).where(Link.token == token))
        assert link is not None and response.link_id == link.id
        assert link.instrument_key == key and link.site is not None and link.site.code == site
    assert response.answers == {
        variable: expected_value(survey.item(variable), value)  # type: ignore[arg-type]
        for variable, value in posted.items()
    }
    if key == "prison_staff":  # spot checks of the three kinds of answer
        assert response.answers["department"] == 6
        assert response.answers["contact_purpose"] == [1, 3, 5]
        assert response.answers["acct_involvement"] == 0
        assert response.answers["supports_mothers"] == (
            "She explains the court process\nand goes to meetings with them."
        )
    else:
        assert -1 in response.answers.values()  # an offered "Don't know" is kept as its code
    assert type(response.completed_on) is dt.date and response.completed_on == today()
    assert re.fullmatch(r"[0-9a-f]{32}", response.id)


# ---------------------------------------------------------------------------------------------
# 2. Creating links on the command line
# ---------------------------------------------------------------------------------------------


def test_links_create_prints_a_path_with_an_unguessable_token(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["links", "create", "prison_staff", "--site", "send"]
    )
    assert result.exit_code == 0, result.output
    match = re.fullmatch(r"/s/(\S+)\n", result.stdout)
    assert match, result.stdout
    token = match.group(1)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)  # urlsafe; 22 characters >= 128 bits
    with app.app_context():
        link = db.session.scalar(select(Link).where(Link.token == token))
        assert link is not None
        assert link.instrument_key == "prison_staff" and link.site is not None
        assert link.site.code == "send" and link.closed_at is None
    assert create_link(app, "prison_staff", "--site", "send") != token


def _link_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Link)) or 0


def test_links_create_refuses_the_mothers_questionnaires(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["links", "create", "mothers_t1"])
    assert result.exit_code == 1
    assert "kiosk" in result.output
    assert "/s/" not in result.output
    assert _link_count(app) == 0


def test_links_create_refuses_an_unknown_instrument(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["links", "create", "no_such_survey"])
    assert result.exit_code == 1
    assert "no_such_survey" in result.output and "/s/" not in result.output
    assert _link_count(app) == 0


def test_links_create_refuses_an_unknown_site_and_lists_the_sites(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["links", "create", "prison_staff", "--site", "holloway"]
    )
    assert result.exit_code == 1
    assert "holloway" in result.output
    for code in ("send", "eastwood_park", "community"):
        assert code in result.output
    assert _link_count(app) == 0


# ---------------------------------------------------------------------------------------------
# 3. Unknown, malformed and closed links
# ---------------------------------------------------------------------------------------------


def test_an_unknown_token_gets_the_friendly_404_page(app: Flask, client: FlaskClient) -> None:
    create_link(app)
    unknown = "Zq3" + "x" * 29  # the shape of a real token, but no link has it
    for path in ("", "/page/0", "/finish", "/thanks", "/declined"):
        reply = client.get(f"/s/{unknown}{path}")
        assert reply.status_code == 404, path
        assert NOT_FOUND in reply.get_data(as_text=True)
    assert client.post(f"/s/{unknown}", data={}).status_code == 404
    assert client.post(f"/s/{unknown}/submit", data={"submission_key": "x" * 32}).status_code == 404


@pytest.fixture
def served(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """Errors answer as in production (a 500 page) instead of raising into the test."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    return app


def test_malformed_tokens_get_404_never_500(served: Flask, client: FlaskClient) -> None:
    app = served
    token = create_link(app)
    malformed = [
        "abc",
        f"{token}%00",
        f"{token}%0A",
        "A" * 200,
        f"{token[:10]}%27%20OR%20%271%27=%271",
        "%E2%80%AE" + token,
    ]
    for bad in malformed:
        for path in ("", "/page/0", "/finish", "/thanks", "/declined"):
            reply = client.get(f"/s/{bad}{path}")
            assert reply.status_code == 404, (bad, path, reply.status_code)
        assert client.post(f"/s/{bad}/submit", data={}).status_code == 404, bad
    assert client.get(f"/s/{token}").status_code == 200  # the real one still works


def test_a_malformed_submission_key_is_refused_never_500(
    served: Flask, client: FlaskClient
) -> None:
    app = served
    token = create_link(app)
    start_link(client, token)
    for key in ("", "not-a-key", "k" * 65, "abc\x00def", "\x00"):
        reply = client.post(f"/s/{token}/submit", data={"submission_key": key})
        # A NUL byte is refused before any page sees it (400); other bad keys find nothing.
        assert reply.status_code == (400 if "\x00" in key else 404), (key, reply.status_code)
    assert only_response(app).status == "in_progress"


def test_a_closed_link_answers_410(app: Flask, client: FlaskClient) -> None:
    token = consented_link(app, client)
    finish = answer_pages(client, f"/s/{token}/page/1", instrument(app, "prison_staff"))
    key = submission_key(finish)

    def close() -> None:
        link = db.session.scalar(select(Link).where(Link.token == token))
        assert link is not None
        link_ops.close(db.session, link)

    with app.app_context():
        close()
        db.session.commit()

    for path in ("", "/page/1", "/finish"):
        reply = client.get(f"/s/{token}{path}")
        assert reply.status_code == 410, (path, reply.status_code)
        assert CLOSED in reply.get_data(as_text=True)
    late = client.post(
        f"/s/{token}/submit", data={"csrf_token": csrf_token(finish), "submission_key": key}
    )
    assert late.status_code == 410 and CLOSED in late.get_data(as_text=True)
    assert only_response(app).status == "in_progress"
    # Someone new who opens the closed link is told so as well.
    newcomer = app.test_client().get(f"/s/{token}")
    assert newcomer.status_code == 410 and CLOSED in newcomer.get_data(as_text=True)


def test_a_link_past_its_closing_date_answers_410(app: Flask, client: FlaskClient) -> None:
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    expired = create_link(app, "practitioners", "--closes", yesterday)
    reply = client.get(f"/s/{expired}")
    assert reply.status_code == 410 and CLOSED in reply.get_data(as_text=True)
    assert client.post(f"/s/{expired}", data={}).status_code == 410
    assert responses(app) == []
    # The closing date is the last day that takes answers.
    last_day = create_link(app, "practitioners", "--closes", today().isoformat())
    assert start_link(client, last_day) == f"/s/{last_day}/page/0"


# ---------------------------------------------------------------------------------------------
# 4. Bad input on a page
# ---------------------------------------------------------------------------------------------


def test_a_missing_consent_shows_the_page_again_with_the_message_beside_it(
    app: Flask, client: FlaskClient
) -> None:
    token = create_link(app)
    start_link(client, token)
    reply = click(client, f"/s/{token}/page/0", {"consent_info_sheet": "1"})
    assert reply.status_code == 422
    missing_box = question_block(reply, "consent_take_part")
    assert CONSENT_MESSAGE in missing_box and 'class="field-error"' in missing_box
    ticked_box = question_block(reply, "consent_info_sheet")
    assert "field-error" not in ticked_box
    assert is_checked(reply, "consent_info_sheet", 1)  # her other answer is shown again
    assert not is_checked(reply, "consent_take_part", 1)
    assert only_response(app).answers == {}
    # Without consent the next page is still out of reach.
    assert client.get(f"/s/{token}/page/1").headers["Location"] == f"/s/{token}/page/0"


def test_an_answer_outside_the_scale_is_refused_and_nothing_of_it_saved(
    app: Flask, client: FlaskClient
) -> None:
    token = consented_link(app, client)
    reply = click(client, f"/s/{token}/page/1", {"prison": "99", "role_level": "1"})
    assert reply.status_code == 400
    assert "not one of the answers offered" in reply.get_data(as_text=True)
    # The earlier page is kept; nothing from the refused request is.
    assert only_response(app).answers == {"consent_info_sheet": 1, "consent_take_part": 1}
    for tampered in ({"prison": "one"}, {"prison": ["1", "2"]}, {"role_level": "-1"}):
        assert click(client, f"/s/{token}/page/1", tampered).status_code == 400, tampered
    assert set(only_response(app).answers) == {"consent_info_sheet", "consent_take_part"}
    # A multiple choice refuses codes it does not offer ("Don't know" is not offered here).
    assert click(client, f"/s/{token}/page/1", {"prison": "1"}).status_code == 302
    for tampered in ({"contact_purpose": ["1", "-1"]}, {"contact_purpose": ["1", "7"]}):
        assert click(client, f"/s/{token}/page/2", tampered).status_code == 400, tampered
    assert "contact_purpose" not in only_response(app).answers
    assert only_response(app).answers["prison"] == 1


def test_a_question_that_is_not_on_the_page_is_refused(app: Flask, client: FlaskClient) -> None:
    token = consented_link(app, client)
    for extra in ({"contact_frequency": "1"}, {"ip_address": "203.0.113.9"}):
        reply = click(client, f"/s/{token}/page/1", {"prison": "1", **extra})
        assert reply.status_code == 400, extra
        assert "not on it" in reply.get_data(as_text=True)
    assert set(only_response(app).answers) == {"consent_info_sheet", "consent_take_part"}


def test_a_text_over_its_maximum_length_is_refused(app: Flask, client: FlaskClient) -> None:
    token = create_link(app)
    survey = instrument(app, "prison_staff")
    limit = survey.item("gaps_filled").max_length  # type: ignore[union-attr]
    assert limit == 2000
    start_link(client, token)
    link_consent(client, token)
    assert click(client, f"/s/{token}/page/1", {"prison": "1"}).status_code == 302
    assert click(client, f"/s/{token}/page/2", {"contact_frequency": "2"}).status_code == 302
    too_long = click(
        client,
        f"/s/{token}/page/3",
        {"gaps_filled": "x" * (limit + 1), "supports_mothers": "A fine answer."},
    )
    assert too_long.status_code == 400
    assert "longer than this question allows" in too_long.get_data(as_text=True)
    answers = only_response(app).answers
    assert "gaps_filled" not in answers and "supports_mothers" not in answers
    assert answers["contact_frequency"] == 2  # the page before is kept
    # Exactly at the limit is fine.
    at_limit = click(client, f"/s/{token}/page/3", {"gaps_filled": "y" * limit})
    assert at_limit.status_code == 302
    assert only_response(app).answers["gaps_filled"] == "y" * limit


def test_characters_xml_forbids_are_dropped_from_a_text_answer_and_the_workbook_opens(
    app: Flask, client: FlaskClient
) -> None:
    """U+FFFE, U+FFFF, C0 controls and DEL are invisible to her and would make the
    workbook unreadable: they are dropped as the page is saved, the rest of her words kept."""
    token = create_link(app)
    typed = "Knows\ufffe the\uffff care\x0b system\x1b\x7f inside out \U0001f600"
    sent = finish_and_send(
        app, client, token, "prison_staff", {**PRISON_STAFF, "gaps_filled": typed}
    )
    assert sent.status_code == 302 and sent.headers["Location"] == f"/s/{token}/thanks"
    kept = "Knows the care system inside out \U0001f600"
    assert only_response(app).answers["gaps_filled"] == kept
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="tester@example.org")
        out = io.BytesIO()
        FORMATS["xlsx"].write(built, out)
    out.seek(0)
    book = openpyxl.load_workbook(out)
    values = [cell for row in book["Prison staff"].iter_rows(values_only=True) for cell in row]
    book.close()
    assert kept in values


@pytest.mark.parametrize("csrf", ["not-the-token", None], ids=["wrong", "missing"])
def test_a_page_with_a_bad_csrf_token_shows_her_answers_again_unsaved(
    app: Flask, client: FlaskClient, csrf: str | None
) -> None:
    token = consented_link(app, client)
    answers = {"prison": "2", "role_level": "1", "department": "4"}
    reply = click(client, f"/s/{token}/page/1", answers, csrf=csrf)
    assert reply.status_code == 400
    body = reply.get_data(as_text=True)
    assert EXPIRED in body
    assert is_checked(reply, "prison", 2) and not is_checked(reply, "prison", 1)
    assert is_checked(reply, "role_level", 1) and is_checked(reply, "department", 4)
    assert set(only_response(app).answers) == {"consent_info_sheet", "consent_take_part"}
    # The page came back with a fresh token: pressing Next again saves her answers.
    again = client.post(
        f"/s/{token}/page/1",
        data=MultiDict([*hidden_inputs(reply), *answers.items(), ("action", "next")]),
    )
    assert again.status_code == 302 and again.headers["Location"] == f"/s/{token}/page/2"
    saved = only_response(app).answers
    assert (saved["prison"], saved["role_level"], saved["department"]) == (2, 1, 4)


def test_later_pages_redirect_to_consent_until_it_is_given(app: Flask, client: FlaskClient) -> None:
    token = create_link(app)
    start_link(client, token)
    for index in (1, 3, 6):
        reply = client.get(f"/s/{token}/page/{index}")
        assert reply.status_code == 302 and reply.headers["Location"] == f"/s/{token}/page/0"
    page = client.get(f"/s/{token}/page/0")
    sneaked = client.post(
        f"/s/{token}/page/2",
        data={"csrf_token": csrf_token(page), "action": "next", "contact_frequency": "1"},
    )
    assert sneaked.status_code == 302 and sneaked.headers["Location"] == f"/s/{token}/page/0"
    finish = client.get(f"/s/{token}/finish")
    assert finish.status_code == 302 and finish.headers["Location"] == f"/s/{token}/page/0"
    assert only_response(app).answers == {}


# ---------------------------------------------------------------------------------------------
# 5. The final submit is idempotent
# ---------------------------------------------------------------------------------------------


def test_a_double_click_and_a_replay_of_the_final_submit_make_one_response(
    app: Flask, client: FlaskClient
) -> None:
    token = create_link(app, "practitioners")
    start_link(client, token)
    finish = answer_pages(client, f"/s/{token}/page/0", instrument(app, "practitioners"))
    cookie_before = client.get_cookie("session")
    assert cookie_before is not None

    first = send(client, finish, f"/s/{token}/submit")
    # The second click leaves before the first reply arrives, so with the old cookie.
    client.set_cookie("session", cookie_before.value)
    second = send(client, finish, f"/s/{token}/submit")
    later = send(client, finish, f"/s/{token}/submit")

    thanks = f"/s/{token}/thanks"
    assert [r.status_code for r in (first, second, later)] == [302, 302, 302]
    assert [r.headers["Location"] for r in (first, second, later)] == [thanks] * 3
    [response] = responses(app)
    assert response.status == "complete" and response.completed_on == today()
    assert response.answers["consent_take_part"] == 1
    # Her browser no longer holds the draft: the link offers a fresh start.
    assert client.get(f"/s/{token}").status_code == 200


def test_the_final_submit_takes_only_the_key_of_this_browsers_draft(
    app: Flask, client: FlaskClient
) -> None:
    token = create_link(app)
    start_link(client, token)
    finish = answer_pages(client, f"/s/{token}/page/0", instrument(app, "prison_staff"))
    key = submission_key(finish)
    for holds_a_draft in (False, True):
        other = app.test_client()  # another browser, with a CSRF token of its own
        landing = other.get(f"/s/{token}")
        if holds_a_draft:
            start_link(other, token)
        sent = other.post(
            f"/s/{token}/submit", data={"csrf_token": csrf_token(landing), "submission_key": key}
        )
        assert sent.status_code == 404 and NOT_FOUND in sent.get_data(as_text=True)
    assert {r.status for r in responses(app)} == {"in_progress"}
    # Her own browser sends it; a replay from anywhere then only finds the thank-you page.
    assert send(client, finish, f"/s/{token}/submit").headers["Location"] == f"/s/{token}/thanks"
    replay = app.test_client().post(f"/s/{token}/submit", data={"submission_key": key})
    assert replay.status_code == 302 and replay.headers["Location"] == f"/s/{token}/thanks"
    assert sorted(r.status for r in responses(app)) == ["complete", "in_progress"]


# ---------------------------------------------------------------------------------------------
# 6. Anonymity
# ---------------------------------------------------------------------------------------------

IDENTIFYING = ("203.0.113.77", "DistinctiveAgent", "referrer.example")


def test_nothing_identifying_is_stored_or_logged(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = create_link(app, "prison_staff", "--site", "send")
    client.environ_base.update(
        {
            "REMOTE_ADDR": "203.0.113.77",
            "HTTP_X_FORWARDED_FOR": "203.0.113.77",
            "HTTP_USER_AGENT": "DistinctiveAgent/9.9",
            "HTTP_REFERER": "https://referrer.example/secret-page",
        }
    )
    caplog.set_level(logging.DEBUG)
    sent = finish_and_send(app, client, token, "prison_staff", PRISON_STAFF)
    assert sent.headers["Location"] == f"/s/{token}/thanks"
    assert client.get(sent.headers["Location"]).request.headers["User-Agent"] == (
        "DistinctiveAgent/9.9"
    )

    with app.app_context():
        dump = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                dump.extend(str(value) for value in row)
    everything = "\n".join(dump)
    assert "Chases the home local authority" in everything  # the dump does see the answers
    for needle in IDENTIFYING:
        assert needle not in everything, needle

    # Dates only: no column of the response keeps a time of day.
    response = only_response(app)
    assert type(response.started_on) is dt.date and type(response.completed_on) is dt.date
    for column in Response.__table__.columns:
        if isinstance(column.type, DateTime):
            assert getattr(response, column.key) is None, column.key

    logged = "\n".join([caplog.text, *(str(record.__dict__) for record in caplog.records)])
    texts = [v for v in PRISON_STAFF.values() if isinstance(v, str) and len(v) > 5]
    for needle in [*IDENTIFYING, *texts, *(t.split("\r\n")[0] for t in texts)]:
        assert needle not in logged, needle


# ---------------------------------------------------------------------------------------------
# 7. The draft lives in her browser session
# ---------------------------------------------------------------------------------------------


def test_reopening_the_link_resumes_her_draft_and_another_browser_starts_its_own(
    app: Flask, client: FlaskClient
) -> None:
    token = consented_link(app, client)
    page1 = click(client, f"/s/{token}/page/1", {"prison": "3", "role_level": "2"})
    assert page1.headers["Location"] == f"/s/{token}/page/2"

    resumed = client.get(f"/s/{token}")
    assert resumed.status_code == 302
    assert resumed.headers["Location"] == f"/s/{token}/page/2"  # not a fresh start
    assert len(responses(app)) == 1
    back_on_1 = client.get(f"/s/{token}/page/1")
    assert is_checked(back_on_1, "prison", 3) and not is_checked(back_on_1, "prison", 1)
    assert is_checked(back_on_1, "role_level", 2)
    back_on_0 = client.get(f"/s/{token}/page/0")
    assert is_checked(back_on_0, "consent_info_sheet", 1)
    assert is_checked(back_on_0, "consent_take_part", 1)

    other = app.test_client()
    assert start_link(other, token) == f"/s/{token}/page/0"
    # Her answers are not in the other browser's draft...
    assert other.get(f"/s/{token}/page/1").headers["Location"] == f"/s/{token}/page/0"
    fresh = other.get(f"/s/{token}/page/0")
    assert not is_checked(fresh, "consent_info_sheet", 1)
    # ...and the other browser's answers are not in hers.
    link_consent(other, token)
    assert click(other, f"/s/{token}/page/1", {"prison": "1"}).status_code == 302
    assert is_checked(client.get(f"/s/{token}/page/1"), "prison", 3)

    drafts = sorted(responses(app), key=lambda r: r.answers["prison"])
    assert [r.answers["prison"] for r in drafts] == [1, 3]
    assert drafts[0].submission_key != drafts[1].submission_key
    assert "role_level" not in drafts[0].answers and drafts[1].answers["role_level"] == 2


# ---------------------------------------------------------------------------------------------
# 8. Declining consent
# ---------------------------------------------------------------------------------------------


def test_declining_consent_deletes_the_draft(app: Flask, client: FlaskClient) -> None:
    token = create_link(app, "practitioners")
    start_link(client, token)
    assert len(responses(app)) == 1
    # She ticks one box, then thinks again and presses "I do not want to take part". Her
    # browser sends the form's hidden action=next (it comes first in the form) and then the
    # pressed button's action=decline.
    page = client.get(f"/s/{token}/page/0")
    assert "I do not want to take part" in page.get_data(as_text=True)
    reply = click(client, f"/s/{token}/page/0", {"consent_info_sheet": "1"}, button="decline")
    assert reply.status_code == 302, reply.status_code
    assert reply.headers["Location"] == f"/s/{token}/decline"  # are you sure?
    sure = client.get(reply.headers["Location"])
    reply = client.post(f"/s/{token}/decline", data={"csrf_token": csrf_token(sure)})
    assert reply.headers["Location"] == f"/s/{token}/declined"
    declined = client.get(reply.headers["Location"])
    assert declined.status_code == 200
    assert "You chose not to take part" in declined.get_data(as_text=True)
    assert responses(app) == []
    # Opening the link again offers a fresh start, not the discarded draft.
    again = client.get(f"/s/{token}")
    assert again.status_code == 200 and "Start" in again.get_data(as_text=True)


# ---------------------------------------------------------------------------------------------
# 9. No respondent page is cached
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def recorded(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every reply the client receives: (path, status, Cache-Control)."""
    seen: list[Any] = []
    original = client.open

    def open_and_record(*args: Any, **kwargs: Any) -> TestResponse:
        reply = original(*args, **kwargs)
        seen.append((reply.request.path, reply.status_code, reply.headers.get("Cache-Control")))
        return reply

    monkeypatch.setattr(client, "open", open_and_record)
    yield seen


def test_every_respondent_page_is_marked_no_store(
    app: Flask, client: FlaskClient, recorded: list[Any]
) -> None:
    token = create_link(app)
    start_link(client, token)
    click(client, f"/s/{token}/page/0", {"consent_info_sheet": "1"})  # 422
    link_consent(client, token)
    click(client, f"/s/{token}/page/1", {"prison": "99"})  # 400
    click(client, f"/s/{token}/page/1", {"prison": "1"}, csrf="stale")  # 400, expired page
    finish = answer_pages(client, f"/s/{token}/page/1", instrument(app, "prison_staff"))
    sent = send(client, finish, f"/s/{token}/submit")
    client.get(sent.headers["Location"])  # thanks
    client.get(f"/s/{token}/declined")
    client.get("/s/" + "n" * 30)  # 404
    closed = create_link(app, "practitioners", "--closes", "2000-01-01")
    client.get(f"/s/{closed}")  # 410

    statuses = {status for _path, status, _cache in recorded}
    assert {200, 302, 400, 404, 410, 422} <= statuses
    paths = {path for path, _status, _cache in recorded}
    assert {f"/s/{token}", f"/s/{token}/page/0", f"/s/{token}/finish"} <= paths
    assert {f"/s/{token}/thanks", f"/s/{token}/declined"} <= paths
    for path, status, cache in recorded:
        assert cache == "no-store", (path, status, cache)


# ---------------------------------------------------------------------------------------------
# 10. A shared computer: an idle page and Stop let go of the draft, which stays saved
# ---------------------------------------------------------------------------------------------

STOPPED = "This questionnaire is closed in this browser"


def _later(app: Flask, monkeypatch: pytest.MonkeyPatch, seconds_past_limit: int) -> None:
    later = time.time() + app.config["LINK_IDLE_MINUTES"] * 60 + seconds_past_limit
    monkeypatch.setattr(time, "time", lambda: later)


def _fresh_start(client: FlaskClient, token: str) -> None:
    """The link shows its landing page (Start), not anybody's draft."""
    landing = client.get(f"/s/{token}")
    assert landing.status_code == 200 and "Start" in landing.get_data(as_text=True)
    assert client.get(f"/s/{token}/page/1").headers["Location"] in (
        f"/s/{token}",
        f"/s/{token}/stopped",
    )


def test_the_next_person_opening_the_link_after_an_idle_pause_starts_afresh(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = consented_link(app, client)
    assert click(client, f"/s/{token}/page/1", {"prison": "3"}).status_code == 302
    assert app.config["LINK_IDLE_MINUTES"] == 30
    _later(app, monkeypatch, 5)
    _fresh_start(client, token)
    # Her draft stays saved, out of this browser's reach.
    assert only_response(app).answers["prison"] == 3
    assert only_response(app).status == "in_progress"


def test_a_link_page_within_the_idle_limit_still_resumes(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = consented_link(app, client)
    _later(app, monkeypatch, -60)
    reply = client.get(f"/s/{token}")
    assert reply.status_code == 302 and reply.headers["Location"] == f"/s/{token}/page/1"


def test_the_idle_timer_of_a_link_page_saves_it_and_lets_go_of_the_draft(
    app: Flask, client: FlaskClient
) -> None:
    token = consented_link(app, client)
    page = client.get(f"/s/{token}/page/1")
    body = page.get_data(as_text=True)
    assert f'data-idle-seconds="{app.config["LINK_IDLE_MINUTES"] * 60}"' in body
    assert "Are you still there?" in body
    # What respond.js posts when the page has been left alone: the hidden action only.
    reply = client.post(
        f"/s/{token}/page/1",
        data={"csrf_token": csrf_token(page), "action": "timeout", "prison": "2"},
    )
    assert reply.status_code == 302 and reply.headers["Location"] == f"/s/{token}/stopped"
    stopped = client.get(reply.headers["Location"])
    assert stopped.status_code == 200 and STOPPED in stopped.get_data(as_text=True)
    assert only_response(app).answers["prison"] == 2
    _fresh_start(client, token)


def test_a_long_pause_then_next_on_a_link_page_saves_it_and_lets_go(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = consented_link(app, client)
    page = client.get(f"/s/{token}/page/1")
    _later(app, monkeypatch, 300)
    reply = client.post(
        f"/s/{token}/page/1", data={"csrf_token": csrf_token(page), "action": "next", "prison": "1"}
    )
    assert reply.status_code == 302 and reply.headers["Location"] == f"/s/{token}/stopped"
    assert only_response(app).answers["prison"] == 1
    _fresh_start(client, token)


def test_an_idle_finish_page_cannot_be_sent_from_the_same_browser_later(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = create_link(app)
    start_link(client, token)
    finish = answer_pages(client, f"/s/{token}/page/0", instrument(app, "prison_staff"))
    assert 'class="stop-form"' in finish.get_data(as_text=True)
    assert f'data-idle-leave="/s/{token}/stopped"' in finish.get_data(as_text=True)
    _later(app, monkeypatch, 5)
    sent = send(client, finish, f"/s/{token}/submit")
    assert sent.status_code == 302 and sent.headers["Location"] == f"/s/{token}/stopped"
    assert only_response(app).status == "in_progress"


def test_stop_keeps_the_draft_and_this_browser_lets_go_of_it(
    app: Flask, client: FlaskClient
) -> None:
    token = consented_link(app, client)
    page = client.get(f"/s/{token}/page/1")
    body = page.get_data(as_text=True)
    assert f'<form method="post" action="/s/{token}/stop" class="stop-form">' in body
    # An expired Stop does nothing and says so.
    stale = client.post(f"/s/{token}/stop", data={"csrf_token": "stale"})
    assert stale.status_code == 400 and "press Stop again" in stale.get_data(as_text=True)
    assert client.get(f"/s/{token}").headers["Location"] == f"/s/{token}/page/1"

    reply = client.post(f"/s/{token}/stop", data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 302 and reply.headers["Location"] == f"/s/{token}/stopped"
    stopped = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert STOPPED in stopped and "Nothing was kept for you" in stopped
    assert only_response(app).answers == {"consent_info_sheet": 1, "consent_take_part": 1}
    _fresh_start(client, token)
    # Pressed again (a second click), it changes nothing.
    again = client.post(f"/s/{token}/stop", data={"csrf_token": csrf_token(page)})
    assert again.headers["Location"] == f"/s/{token}/stopped"
    assert len(responses(app)) == 1


def test_the_link_idle_limit_is_configurable(make_app: Any) -> None:
    short = make_app(LINK_IDLE_MINUTES="5")
    token = create_link(short)
    browser = short.test_client()
    start_link(browser, token)
    page = browser.get(f"/s/{token}/page/0").get_data(as_text=True)
    assert 'data-idle-seconds="300"' in page
    landing = short.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert "A page left alone for 5 minutes closes by itself" in landing
