"""The research area, driven through its pages as a browser would: registering IDs, the
participants list and its T2 statuses, withdrawal, voiding, links, instrument previews and
the role rules."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
import secrets
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from survey_app import pseudonyms
from survey_app.extensions import db
from survey_app.instruments.loader import load_all
from survey_app.instruments.publish import latest_version, sync_instruments
from survey_app.models import (
    AuditEvent,
    Decline,
    InstrumentVersion,
    Link,
    Participant,
    Response,
    ResponseStatus,
    Wave,
)
from survey_app.models.field import ResponseConflict
from survey_app.services import declines
from survey_app.services import participants as participant_ops
from survey_app.study import current_study
from tests.flows import (
    Auth,
    Clock,
    csrf_token,
    enter_id,
    instrument,
    list_rows,
    past_consent,
    submit_form,
    text_of,
    unlock,
)

TODAY = dt.date(2026, 3, 15)
SECRET_ANSWER = "my private hope for my children"


@pytest.fixture
def fixed_today(clock: Clock) -> dt.date:
    """The shared frozen clock on TODAY, so that follow-up statuses do not drift."""
    return clock.set(TODAY)


# --- test data, made through the models ---------------------------------------------------


def make_participants(app: Flask, count: int = 1, site: str = "send") -> list[str]:
    with app.app_context():
        made = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, site), count
        )
        db.session.commit()
        return [p.pseudonym for p in made]


def make_participant(app: Flask, site: str = "send") -> str:
    return make_participants(app, 1, site)[0]


def add_response(
    app: Flask,
    pseudonym: str,
    wave: str = "T1",
    completed_on: dt.date | None = None,
    *,
    voided: bool = False,
    answers: dict[str, Any] | None = None,
) -> str:
    """A kiosk response with a chosen completion date (None: a draft)."""
    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.pseudonym == pseudonym)
        )
        key = current_study().instrument_for("mother", wave)
        assert key is not None
        response = Response(
            instrument_version=latest_version(db.session, key),
            channel="kiosk",
            participant=participant,
            wave=db.session.scalar(select(Wave).where(Wave.code == wave)),
            submission_key=secrets.token_urlsafe(16),
            answers=answers if answers is not None else {"css_trust": 4},
            status=ResponseStatus.COMPLETE if completed_on else ResponseStatus.IN_PROGRESS,
            started_on=completed_on or TODAY,
            completed_on=completed_on,
            voided_at=dt.datetime(2026, 1, 2) if voided else None,
            void_reason="entered under the wrong ID" if voided else None,
        )
        db.session.add(response)
        db.session.commit()
        return response.id


def participant_row(app: Flask, pseudonym: str) -> Participant:
    with app.app_context():
        found = db.session.scalar(select(Participant).where(Participant.pseudonym == pseudonym))
        assert found is not None
        db.session.expunge(found)
        return found


def responses_of(app: Flask, pseudonym: str) -> list[Response]:
    with app.app_context():
        found = db.session.scalars(
            select(Response).join(Participant).where(Participant.pseudonym == pseudonym)
        ).all()
        for r in found:
            db.session.expunge(r)
        return list(found)


def audit(app: Flask, kind: str) -> list[AuditEvent]:
    with app.app_context():
        found = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)).all()
        for e in found:
            db.session.expunge(e)
        return list(found)


# --- reading pages -----------------------------------------------------------------------


def body_of(reply: Any) -> str:
    return str(reply.get_data(as_text=True))


def new_client(app: Flask) -> tuple[FlaskClient, Auth]:
    other = app.test_client()
    return other, Auth(app, other)


# --- registering participants ---------------------------------------------------------------


def test_registration_shows_the_new_ids_large_and_stores_them(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("fieldworker")
    form = body_of(client.get("/research/participants/new"))
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', form))
    # Site and count only: no name, prison number or date of birth anywhere.
    assert names == {"csrf_token", "site", "count"}
    reply = submit_form(
        client, "/research/participants/new", {"site": "eastwood_park", "count": "3"}
    )
    assert reply.status_code == 302
    assert reply.headers["Location"] == "/research/participants/registered"
    page = body_of(client.get(reply.headers["Location"]))
    shown = re.findall(r"<li><code>([^<]+)</code></li>", page.split('class="new-ids"')[1])
    assert len(shown) == 3 and len(set(shown)) == 3
    assert all(pseudonyms.is_valid(i) for i in shown)
    assert "paper" in page and "HMP Eastwood Park" in page
    with app.app_context():
        stored = db.session.scalars(select(Participant)).all()
        assert sorted(p.pseudonym for p in stored) == sorted(shown)
        assert {p.site.code for p in stored} == {"eastwood_park"}
    [registered] = audit(app, "participants.registered")
    assert registered.detail == {"count": 3}
    # Shown once: a reload goes to the list (where they are) and registers nothing more.
    again = client.get("/research/participants/registered")
    assert again.headers["Location"] == "/research/participants"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"site": "nowhere", "count": "1"}, "Please choose one of the sites listed."),
        ({"site": "send", "count": "500"}, "Please choose one of the numbers listed."),
    ],
)
def test_registration_refuses_values_not_offered(
    app: Flask, client: FlaskClient, auth: Auth, data: dict[str, str], message: str
) -> None:
    auth.login("fieldworker")
    reply = submit_form(client, "/research/participants/new", data)
    assert reply.status_code == 422
    assert message in body_of(reply)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


# --- the participants list -----------------------------------------------------------------


@pytest.fixture
def cohort(app: Flask) -> dict[str, str]:
    """Participants in every T2 state on TODAY (15 March 2026; window 5 to 8 months)."""
    ids = iter(make_participants(app, 9))
    made = {name: next(ids) for name in "abcdefghi"}
    add_response(app, made["a"], "T1", dt.date(2026, 1, 10))  # due from 10 Jun: not yet
    add_response(app, made["b"], "T1", dt.date(2025, 10, 15))  # due from today
    add_response(app, made["c"], "T1", dt.date(2025, 7, 15))  # last day of the window
    add_response(app, made["d"], "T1", dt.date(2025, 7, 14))  # a day past it: overdue
    add_response(app, made["e"], "T1", dt.date(2025, 8, 1))
    add_response(app, made["e"], "T2", dt.date(2026, 2, 1))  # done
    add_response(app, made["f"], "T1", dt.date(2025, 8, 1))
    with app.app_context():
        db.session.scalar(
            select(Participant).where(Participant.pseudonym == made["f"])
        ).withdrawn_at = dt.datetime(2026, 2, 1)
        db.session.commit()
    # g: registered only. h: a voided T1 does not count; a live one due tomorrow does.
    add_response(app, made["h"], "T1", dt.date(2025, 6, 1), voided=True)
    add_response(app, made["h"], "T1", dt.date(2025, 10, 16))
    add_response(app, made["i"], "T1", None)  # a draft T1 is no T1
    return made


def test_the_list_shows_each_t2_status(
    client: FlaskClient, auth: Auth, cohort: dict[str, str], fixed_today: dt.date
) -> None:
    auth.login("fieldworker")
    page = client.get("/research/participants")
    assert page.status_code == 200
    rows = list_rows(body_of(page))
    status = {name: rows[pseudonym][3] for name, pseudonym in cohort.items()}
    assert status == {
        "a": "not yet due",
        "b": "due from 15 Mar 2026",
        "c": "due from 15 Dec 2025",
        "d": "overdue",
        "e": "done",
        "f": "withdrawn",
        "g": "no T1",
        "h": "not yet due",
        "i": "no T1",
    }
    assert rows[cohort["a"]][2] == "10 Jan 2026"  # T1 date
    assert rows[cohort["h"]][2] == "16 Oct 2025"  # the live T1, not the voided one
    assert rows[cohort["g"]][2] == "—"
    assert rows[cohort["c"]][4] == "15 Dec 2025 – 15 Mar 2026"  # the window


@pytest.mark.parametrize(
    ("status", "expected"),
    [("due", {"b", "c", "d"}), ("overdue", {"d"}), ("soon", {"h"}), ("", set("abcdefghi"))],
)
def test_the_list_filters_by_t2_status(
    client: FlaskClient,
    auth: Auth,
    cohort: dict[str, str],
    fixed_today: dt.date,
    status: str,
    expected: set[str],
) -> None:
    auth.login("researcher")
    rows = list_rows(body_of(client.get(f"/research/participants?status={status}")))
    assert set(rows) == {cohort[name] for name in expected}


def test_the_list_filters_by_site(app: Flask, client: FlaskClient, auth: Auth) -> None:
    at_send = make_participants(app, 2, "send")
    at_eastwood = make_participants(app, 1, "eastwood_park")
    auth.login("fieldworker")
    rows = list_rows(body_of(client.get("/research/participants?site=eastwood_park")))
    assert set(rows) == set(at_eastwood)
    assert rows[at_eastwood[0]][0] == "HMP Eastwood Park"
    assert set(list_rows(body_of(client.get("/research/participants?site=send")))) == set(at_send)


def test_a_filter_not_offered_is_refused_with_a_message(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    make_participant(app)
    auth.login("fieldworker")
    for query in ("site=nowhere", "status=everything"):
        reply = client.get(f"/research/participants?{query}")
        assert reply.status_code == 400, query
        assert "listed" in body_of(reply) and list_rows(body_of(reply)) == {}


def test_the_dashboard_counts_t2s_due_soon_and_overdue(
    client: FlaskClient, auth: Auth, cohort: dict[str, str], fixed_today: dt.date
) -> None:
    auth.login("researcher")
    body = body_of(client.get("/research/"))
    assert '<span class="figure" id="due-now">2</span>' in body  # b and c
    assert '<span class="figure" id="due-soon">1</span>' in body  # h
    assert '<span class="figure" id="overdue">1</span>' in body  # d
    assert 'href="/research/participants?status=due"' in body


def test_the_list_is_paginated_fifty_a_page(app: Flask, client: FlaskClient, auth: Auth) -> None:
    everyone = set(make_participants(app, 120))
    auth.login("fieldworker")
    pages = [list_rows(body_of(client.get(f"/research/participants?page={n}"))) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [50, 50, 20]
    assert set().union(*pages) == everyone
    first = body_of(client.get("/research/participants"))
    assert "Page 1 of 3" in first and 'href="/research/participants?page=2"' in first
    assert client.get("/research/participants?page=4").status_code == 404
    # A page number that is not a positive whole number shows the first page; a huge one 404.
    for bad in ("abc", "-2", "0", "1.5", ""):
        reply = client.get(f"/research/participants?page={bad}")
        assert reply.status_code == 200, bad
        assert list_rows(body_of(reply)) == pages[0], bad
    assert client.get("/research/participants?page=99999999999999999999999").status_code == 404


def test_page_links_keep_the_filters(app: Flask, client: FlaskClient, auth: Auth) -> None:
    make_participants(app, 55, "send")
    make_participants(app, 3, "community")
    auth.login("fieldworker")
    body = body_of(client.get("/research/participants?site=send"))
    assert "Page 1 of 2" in body
    assert 'href="/research/participants?page=2&amp;site=send"' in body
    assert len(list_rows(body_of(client.get("/research/participants?page=2&site=send")))) == 5


def _statements(app: Flask, client: FlaskClient, url: str) -> int:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_list_takes_the_same_few_queries_however_many_rows(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("fieldworker")
    few = make_participants(app, 2)
    for pseudonym in few:
        add_response(app, pseudonym, "T1", dt.date(2025, 9, 1))
    small = _statements(app, client, "/research/participants")
    many = make_participants(app, 48)
    for pseudonym in many:
        add_response(app, pseudonym, "T1", dt.date(2025, 9, 1))
        add_response(app, pseudonym, "T2", dt.date(2026, 3, 1))
    assert _statements(app, client, "/research/participants") == small


# --- a participant's page, withdrawal -------------------------------------------------------


def test_the_participant_page_lists_responses_but_never_answers(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = make_participant(app)
    add_response(app, pseudonym, "T1", dt.date(2025, 9, 1), answers={"tac_hopes": SECRET_ANSWER})
    add_response(app, pseudonym, "T2", None, answers={"tac_hopes": SECRET_ANSWER + " (T2)"})
    auth.login("researcher")
    body = body_of(client.get(f"/research/participants/{pseudonym}"))
    assert pseudonym in body
    assert SECRET_ANSWER not in body and "tac_hopes" not in body
    table = text_of(body.split('id="responses"')[1].split("</table>")[0])
    t1_title = "Together a Chance: questions for mothers (start of support)"
    assert f"T1 1 Sep 2025 1 Sep 2025 {t1_title}, version 2 complete" in table
    assert "questions for mothers (six months later), version 2 in progress" in table
    assert "mothers_t1" not in table  # titles, not keys
    assert 'name="mode"' in body  # the withdrawal form, for researchers


def test_a_fieldworker_sees_the_dates_but_no_withdrawal_or_void(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = make_participant(app)
    add_response(app, pseudonym, "T1", dt.date(2025, 9, 1), answers={"tac_hopes": SECRET_ANSWER})
    auth.login("fieldworker")
    body = body_of(client.get(f"/research/participants/{pseudonym}"))
    assert "1 Sep 2025" in body and SECRET_ANSWER not in body
    assert "/withdraw" not in body and "/void" not in body


def test_unknown_or_mistyped_ids_in_the_address_are_not_found(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = make_participant(app)
    auth.login("researcher")
    body = pseudonym.replace("-", "")
    mistyped = body[:4] + ("Z" if body[4] != "Z" else "Y") + body[5:]
    for wrong in (pseudonyms.generate("TC"), mistyped, "nonsense", "TC-" + "A" * 300):
        assert client.get(f"/research/participants/{wrong}").status_code == 404, wrong
    token = csrf_token(client.get(f"/research/participants/{pseudonym}"))
    reply = client.post(
        f"/research/participants/{pseudonyms.generate('TC')}/withdraw",
        data={"csrf_token": token, "mode": "keep", "reason": "x"},
    )
    assert reply.status_code == 404
    # Typed in lower case without hyphens: the participant's own address.
    loose = client.get(f"/research/participants/{pseudonym.lower().replace('-', '')}")
    assert loose.status_code == 302
    assert loose.headers["Location"] == f"/research/participants/{pseudonym}"


def _withdraw(client: FlaskClient, pseudonym: str, **data: str) -> Any:
    page = client.get(f"/research/participants/{pseudonym}")
    return client.post(
        f"/research/participants/{pseudonym}/withdraw",
        data={"csrf_token": csrf_token(page), **data},
    )


def add_decline(app: Flask, pseudonym: str, wave: str) -> None:
    """She said at the kiosk that she does not want to take part (services/declines.py)."""
    with app.app_context():
        participant = participant_ops.find(db.session, pseudonym)
        assert participant is not None
        declines.at_kiosk(
            db.session,
            site=participant.site,
            wave=db.session.scalars(select(Wave).where(Wave.code == wave)).one(),
            participant=participant,
            draft=None,
        )
        db.session.commit()


def declines_of(app: Flask) -> list[tuple[str | None, str]]:
    with app.app_context():
        return [
            (d.participant.pseudonym if d.participant else None, d.wave.code if d.wave else "")
            for d in db.session.scalars(select(Decline).order_by(Decline.id))
        ]


def add_field_duplicate(app: Flask, pseudonym: str, response_id: str) -> None:
    """A field laptop's second T1 for her, kept for a researcher to choose."""
    with app.app_context():
        response = db.session.get(Response, response_id)
        assert response is not None
        db.session.add(
            ResponseConflict(
                participant=response.participant,
                wave=response.wave,
                instrument_version=response.instrument_version,
                submission_key=secrets.token_urlsafe(16),
                answers={"tac_hopes": SECRET_ANSWER},
                started_on=dt.date(2025, 9, 2),
                completed_on=dt.date(2025, 9, 2),
                laptop_id="00000000-0000-4000-8000-000000000001",
            )
        )
        db.session.commit()


def duplicates_of(app: Flask) -> list[str]:
    with app.app_context():
        return [c.participant.pseudonym for c in db.session.scalars(select(ResponseConflict))]


def test_withdrawal_deleting_her_answers(app: Flask, client: FlaskClient, auth: Auth) -> None:
    pseudonym = make_participant(app)
    first = add_response(
        app, pseudonym, "T1", dt.date(2025, 9, 1), answers={"tac_hopes": SECRET_ANSWER}
    )
    add_response(app, pseudonym, "T1", dt.date(2025, 8, 1), voided=True)
    add_response(app, pseudonym, "T2", None)
    add_field_duplicate(app, pseudonym, first)
    add_decline(app, pseudonym, "T2")
    add_decline(app, pseudonym, "T2")
    other = make_participant(app)
    add_response(app, other, "T1", dt.date(2025, 9, 1))
    add_decline(app, other, "T1")
    researcher = auth.login("researcher")

    reply = _withdraw(client, pseudonym, mode="delete", reason="She asked us to delete it all.")
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"/research/participants/{pseudonym}"
    assert responses_of(app, pseudonym) == []
    assert len(responses_of(app, other)) == 1  # nobody else's
    assert duplicates_of(app) == []  # the laptop's copy of her answers too
    # Her declines stay counted, without her ID; nobody else's changes.
    assert declines_of(app) == [(None, "T2"), (None, "T2"), (other, "T1")]  # in order made
    stored = participant_row(app, pseudonym)
    assert stored.withdrawn_at is not None
    assert stored.withdrawal_reason == "She asked us to delete it all."
    [event_] = audit(app, "participant.withdrawn")
    assert event_.actor_id == researcher.id and event_.target == f"participant:{stored.id}"
    assert event_.detail == {
        "mode": "delete",
        "reason": "She asked us to delete it all.",
        "field_duplicates_deleted": 1,
        "declines_unlinked": 2,
    }
    assert SECRET_ANSWER not in json.dumps(event_.detail)
    page = body_of(client.get(f"/research/participants/{pseudonym}"))
    assert "her answers were deleted" in page and "No responses." in page
    assert 'name="mode"' not in page  # no second withdrawal form


def test_withdrawal_keeping_her_answers(app: Flask, client: FlaskClient, auth: Auth) -> None:
    pseudonym = make_participant(app)
    add_response(app, pseudonym, "T1", dt.date(2025, 9, 1), answers={"tac_hopes": SECRET_ANSWER})
    add_decline(app, pseudonym, "T2")
    auth.login("researcher")
    reply = _withdraw(client, pseudonym, mode="keep", reason="Moved prison; agreed we keep T1.")
    assert reply.status_code == 302
    [kept] = responses_of(app, pseudonym)
    assert kept.answers == {"tac_hopes": SECRET_ANSWER} and kept.voided_at is None
    assert declines_of(app) == [(pseudonym, "T2")]
    [event_] = audit(app, "participant.withdrawn")
    assert event_.detail == {"mode": "keep", "reason": "Moved prison; agreed we keep T1."}
    rows = list_rows(body_of(client.get("/research/participants")))
    assert rows[pseudonym][3] == "withdrawn"


def test_a_withdrawn_participant_cannot_start_the_kiosk(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = make_participant(app)
    researcher, researcher_auth = new_client(app)
    researcher_auth.login("researcher")
    assert _withdraw(researcher, pseudonym, mode="keep", reason="Left").status_code == 302
    unlock(auth, client)
    reply = enter_id(client, pseudonym)
    assert reply.status_code == 422 and "withdrawn" in body_of(reply)
    assert responses_of(app, pseudonym) == []


def test_withdrawing_twice_is_refused_with_a_message(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = make_participant(app)
    add_response(app, pseudonym, "T1", dt.date(2025, 9, 1))
    auth.login("researcher")
    assert _withdraw(client, pseudonym, mode="keep", reason="First").status_code == 302
    again = _withdraw(client, pseudonym, mode="delete", reason="Second")
    assert again.status_code == 409
    assert "has already withdrawn" in body_of(again)
    assert len(responses_of(app, pseudonym)) == 1  # the second (delete) did nothing
    assert participant_row(app, pseudonym).withdrawal_reason == "First"
    assert len(audit(app, "participant.withdrawn")) == 1


@pytest.mark.parametrize(
    ("data", "message", "described_by"),
    [
        (
            {"mode": "delete", "reason": ""},
            "Please give the reason for the withdrawal.",
            "withdraw-reason-error",
        ),
        (
            {"mode": "delete", "reason": "   "},
            "Please give the reason for the withdrawal.",
            "withdraw-reason-error",
        ),
        (
            {"mode": "delete", "reason": "x" * 501},
            "at most 500 characters",
            "withdraw-reason-error",
        ),
        (
            {"reason": "She asked"},
            "Please choose whether to delete or keep her answers.",
            "withdraw-mode-error",
        ),
        (
            {"mode": "shred", "reason": "She asked"},
            "Please choose whether to delete or keep her answers.",
            "withdraw-mode-error",
        ),
    ],
)
def test_withdrawal_without_a_reason_or_mode_changes_nothing(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    data: dict[str, str],
    message: str,
    described_by: str,
) -> None:
    pseudonym = make_participant(app)
    add_response(app, pseudonym, "T1", dt.date(2025, 9, 1))
    auth.login("researcher")
    reply = _withdraw(client, pseudonym, **data)
    body = body_of(reply)
    assert reply.status_code == 422
    assert message in body
    assert f'aria-describedby="{described_by}"' in body  # the error is tied to its field
    assert 'name="mode"' in body  # the form again
    assert participant_row(app, pseudonym).withdrawn_at is None
    assert len(responses_of(app, pseudonym)) == 1
    assert audit(app, "participant.withdrawn") == []


# --- voiding -------------------------------------------------------------------------------


def _void(client: FlaskClient, pseudonym: str, response_id: str, reason: str | None) -> Any:
    page = client.get(f"/research/participants/{pseudonym}")
    data = {"csrf_token": csrf_token(page)}
    if reason is not None:
        data["reason"] = reason
    return client.post(
        f"/research/participants/{pseudonym}/responses/{response_id}/void", data=data
    )


def test_voiding_a_t1_frees_the_wave_for_a_new_kiosk_t1(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = make_participant(app)
    first = add_response(
        app, pseudonym, "T1", dt.date(2025, 9, 1), answers={"tac_hopes": SECRET_ANSWER}
    )
    unlock(auth, client, "T1")
    refused = enter_id(client, pseudonym)
    assert refused.status_code == 422 and "already completed" in body_of(refused)

    researcher, researcher_auth = new_client(app)
    user = researcher_auth.login("researcher")
    reply = _void(researcher, pseudonym, first, "Answered by someone else at the kiosk.")
    assert reply.status_code == 302
    [voided] = responses_of(app, pseudonym)
    assert voided.voided_at is not None
    assert voided.void_reason == "Answered by someone else at the kiosk."
    assert voided.answers == {"tac_hopes": SECRET_ANSWER}  # kept, out of the way
    [event_] = audit(app, "response.voided")
    assert event_.target == f"response:{first}" and event_.actor_id == user.id
    assert event_.detail == {"reason": "Answered by someone else at the kiosk."}
    page = body_of(researcher.get(f"/research/participants/{pseudonym}"))
    assert "voided on" in page and "no T1" in page

    started = enter_id(client, pseudonym)
    assert started.status_code == 302 and started.headers["Location"] == "/kiosk/page/0"
    past_consent(app, client)  # her new draft is stored once she agrees
    stored = responses_of(app, pseudonym)
    assert len(stored) == 2
    assert {(r.voided_at is None, r.status) for r in stored} == {
        (False, ResponseStatus.COMPLETE),
        (True, ResponseStatus.IN_PROGRESS),
    }


def test_voiding_twice_is_refused_with_a_message(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = make_participant(app)
    response_id = add_response(app, pseudonym, "T1", dt.date(2025, 9, 1))
    auth.login("researcher")
    assert _void(client, pseudonym, response_id, "Wrong ID").status_code == 302
    again = _void(client, pseudonym, response_id, "Again")
    assert again.status_code == 409 and "already been voided" in body_of(again)
    [stored] = responses_of(app, pseudonym)
    assert stored.void_reason == "Wrong ID"
    assert len(audit(app, "response.voided")) == 1


@pytest.mark.parametrize("reason", [None, "", "  ", "x" * 501])
def test_voiding_needs_a_reason_and_changes_nothing_without_one(
    app: Flask, client: FlaskClient, auth: Auth, reason: str | None
) -> None:
    pseudonym = make_participant(app)
    response_id = add_response(app, pseudonym, "T1", dt.date(2025, 9, 1))
    auth.login("researcher")
    reply = _void(client, pseudonym, response_id, reason)
    body = body_of(reply)
    assert reply.status_code == 422
    assert "Please give the reason" in body or "at most 500 characters" in body
    assert f'aria-describedby="void-reason-{response_id}-error"' in body
    assert '<details class="void" open>' in body  # her form, open, with the message
    [stored] = responses_of(app, pseudonym)
    assert stored.voided_at is None
    assert audit(app, "response.voided") == []


def test_a_response_is_voided_only_from_its_own_participant(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    mine, theirs = make_participants(app, 2)
    their_response = add_response(app, theirs, "T1", dt.date(2025, 9, 1))
    auth.login("researcher")
    assert _void(client, mine, their_response, "Wrong").status_code == 404
    assert _void(client, mine, "0" * 32, "Wrong").status_code == 404
    assert _void(client, mine, "x" * 200, "Wrong").status_code == 404
    assert responses_of(app, theirs)[0].voided_at is None


# --- links ---------------------------------------------------------------------------------


def _link_rows(app: Flask) -> list[Link]:
    with app.app_context():
        found = db.session.scalars(select(Link).order_by(Link.id)).all()
        for link in found:
            db.session.expunge(link)
        return list(found)


def test_creating_a_link_lists_its_full_address(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    user = auth.login("researcher")
    page = body_of(client.get("/research/links"))
    options = re.findall(
        r'<option[^>]*value="([^"]*)"', page.split('name="instrument"')[1].split("</select>")[0]
    )
    assert options == ["practitioners", "prison_staff"]  # never the mothers' questionnaires
    closes = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    reply = submit_form(
        client,
        "/research/links",
        {"instrument": "practitioners", "site": "send", "closes_on": closes},
    )
    assert reply.status_code == 302 and reply.headers["Location"] == "/research/links"
    [link] = _link_rows(app)
    assert link.instrument_key == "practitioners" and link.closes_on.isoformat() == closes
    assert link.created_by_id == user.id
    body = body_of(client.get("/research/links"))
    assert f"http://localhost/s/{link.token}" in body
    row = text_of(body.split('id="links"')[1].split("</table>")[0])
    # The status, with its Close… beside it, then the count of complete responses.
    assert "practitioners HMP Send" in row and re.search(
        r" open Close… the [^…]*? created \d+ \w+ \d{4} 0 complete", row
    )
    # The address works for a respondent.
    assert app.test_client().get(f"/s/{link.token}").status_code == 200
    [created] = audit(app, "link.created")
    assert created.detail == {"instrument": "practitioners", "site": "send"}


def test_a_link_counts_its_complete_responses(app: Flask, client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    submit_form(client, "/research/links", {"instrument": "prison_staff"})
    [link] = _link_rows(app)
    with app.app_context():
        version = latest_version(db.session, "prison_staff")
        for status, completed in (
            (ResponseStatus.COMPLETE, dt.date(2026, 1, 5)),
            (ResponseStatus.IN_PROGRESS, None),
        ):
            db.session.add(
                Response(
                    instrument_version=version,
                    channel="link",
                    link_id=link.id,
                    submission_key=secrets.token_urlsafe(16),
                    answers={},
                    status=status,
                    completed_on=completed,
                )
            )
        db.session.commit()
    row = text_of(body_of(client.get("/research/links")).split('id="links"')[1])
    assert "Any site" in row and re.search(
        r" open Close… the [^…]*? created \d+ \w+ \d{4} 1 complete", row
    )


def test_closing_a_link(app: Flask, client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    submit_form(client, "/research/links", {"instrument": "practitioners"})
    [link] = _link_rows(app)
    # The list leads to a confirmation page, whose form closes the link.
    assert f'href="/research/links/{link.id}/close"' in body_of(client.get("/research/links"))
    page = client.get(f"/research/links/{link.id}/close")
    assert f'action="/research/links/{link.id}/close"' in body_of(page)
    reply = client.post(f"/research/links/{link.id}/close", data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 302
    [closed] = _link_rows(app)
    assert closed.closed_at is not None
    body = body_of(client.get("/research/links"))
    assert f'href="/research/links/{link.id}/close"' not in body
    assert "status-closed" in body
    assert app.test_client().get(f"/s/{link.token}").status_code == 410
    assert len(audit(app, "link.closed")) == 1
    # Closing again changes nothing; an unknown link is not found.
    again = client.post(f"/research/links/{link.id}/close", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 302 and len(audit(app, "link.closed")) == 1
    missing = client.post("/research/links/999999/close", data={"csrf_token": csrf_token(page)})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"instrument": "mothers_t1"}, "Please choose one of the questionnaires listed."),
        (
            {"instrument": "practitioners", "site": "nowhere"},
            "Please choose one of the sites listed.",
        ),
        ({"instrument": "practitioners", "closes_on": "2020-01-01"}, "must be today or later"),
        ({"instrument": "practitioners", "closes_on": "31/02/2026"}, "Not a valid date"),
    ],
)
def test_a_link_form_with_bad_values_creates_nothing(
    app: Flask, client: FlaskClient, auth: Auth, data: dict[str, str], message: str
) -> None:
    auth.login("researcher")
    reply = submit_form(client, "/research/links", data)
    assert reply.status_code == 422
    assert message in body_of(reply)
    assert 'aria-describedby="' in body_of(reply)
    assert _link_rows(app) == []


def test_the_dashboard_counts_open_links_and_complete_responses(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("researcher")
    for _ in range(3):
        submit_form(client, "/research/links", {"instrument": "practitioners"})
    first, second, _third = _link_rows(app)
    page = client.get("/research/links")
    client.post(f"/research/links/{first.id}/close", data={"csrf_token": csrf_token(page)})
    with app.app_context():
        db.session.get(Link, second.id).closes_on = dt.date(2020, 1, 1)  # expired
        db.session.commit()
    at_send = make_participants(app, 3, "send")
    add_response(app, at_send[0], "T1", dt.date(2025, 9, 1))
    add_response(app, at_send[1], "T1", dt.date(2025, 9, 2))
    add_response(app, at_send[2], "T1", dt.date(2025, 9, 2), voided=True)  # left out
    add_response(app, at_send[0], "T2", dt.date(2026, 3, 1))
    [eastwood] = make_participants(app, 1, "eastwood_park")
    add_response(app, eastwood, "T1", dt.date(2025, 9, 1))
    add_response(app, eastwood, "T2", None)  # a draft: left out
    body = body_of(client.get("/research/"))
    assert '<span class="figure" id="open-links">1</span>' in body
    table = body.split('id="complete-responses"')[1].split("</table>")[0]
    rows = [text_of(r) for r in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)]
    t1_title = "Together a Chance: questions for mothers (start of support)"
    t2_title = "Together a Chance: questions for mothers (six months later)"
    assert rows == [
        f"{t1_title} T1 HMP Eastwood Park 1",
        f"{t1_title} T1 HMP Send 2",
        f"{t2_title} T2 HMP Send 1",
    ]


def test_the_fieldworker_dashboard_leads_to_the_kiosk_and_participants(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("fieldworker")
    body = body_of(client.get("/research/"))
    for href in ("/kiosk/", "/research/participants/new", "/research/participants"):
        assert f'href="{href}"' in body, href
    assert "complete-responses" not in body and "open-links" not in body
    assert 'href="/research/links"' not in body and 'href="/research/instruments"' not in body


# --- instruments ---------------------------------------------------------------------------


def test_the_instruments_page_lists_published_versions(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = make_participant(app)
    add_response(app, pseudonym, "T1", dt.date(2025, 9, 1))
    auth.login("researcher")
    body = body_of(client.get("/research/instruments"))
    with app.app_context():
        versions = db.session.scalars(select(InstrumentVersion)).all()
        for version in versions:
            assert version.content_hash[:12] in body
    title = "Together a Chance: questions for mothers (start of support)"
    rows = [text_of(r.split("</tr>")[0]) for r in body.split(f'<th scope="row">{title}</th>')[1:]]
    assert rows[0].startswith("1 ") and " 0 Preview" in rows[0]  # version 1, no response
    assert rows[1].startswith("2 ") and " 1 Preview" in rows[1]  # version 2 (newest), one
    assert 'href="/research/instruments/mothers_t1/1"' in body


def test_the_preview_shows_every_item_with_its_variable_name(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("researcher")
    t1 = instrument(app, "mothers_t1")
    page = client.get("/research/instruments/mothers_t1/1")
    body = html.unescape(body_of(page))
    assert page.status_code == 200
    for item in t1.questions():
        assert f'<code class="variable" lang="en">{item.variable}</code>' in body, item.variable
        assert item.text["en"] in body
    assert 'name="csrf_token"' not in body.split('class="preview"')[1]  # nothing to submit
    assert "disabled" in body and '<html lang="en">' in body


def test_the_preview_in_welsh(app: Flask, client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    t1 = instrument(app, "mothers_t1")
    trust = t1.item("css_trust")
    assert trust is not None
    english = html.unescape(body_of(client.get("/research/instruments/mothers_t1/1")))
    assert 'href="/research/instruments/mothers_t1/1?lang=cy"' in english
    welsh = html.unescape(body_of(client.get("/research/instruments/mothers_t1/1?lang=cy")))
    assert trust.text["cy"] in welsh and trust.text["en"] not in welsh
    assert '<div class="preview" lang="cy">' in welsh
    assert "css_trust" in welsh
    # A language the questionnaire does not have falls back to English.
    staff = html.unescape(body_of(client.get("/research/instruments/prison_staff/1?lang=cy")))
    assert '<div class="preview" lang="en">' in staff


def test_an_unknown_instrument_or_version_is_not_found(client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    for url in (
        "/research/instruments/nothing/1",
        "/research/instruments/mothers_t1/9",
        "/research/instruments/nothing/diff",
        "/research/instruments/mothers_t1/diff?from=9&to=1",
        "/research/instruments/mothers_t1/diff?from=abc",
    ):
        assert client.get(url).status_code == 404, url


@pytest.fixture
def practitioners_v2(app: Flask) -> str:
    """Version 2 of the practitioners' questionnaire: one item reworded, one added. Returns
    the reworded item's variable."""
    with app.app_context():
        newest = max(
            (d for d in load_all() if d["key"] == "practitioners"), key=lambda d: d["version"]
        )
        definition = copy.deepcopy(newest)
        definition["version"] = 3  # after the bundled versions 1 and 2
        items = definition["sections"][-1]["items"]
        first = next(i for i in items if i.get("variable"))
        first["text"] = {**first["text"], "en": "A reworded question for version three"}
        items.append(
            {
                "type": "short_text",
                "variable": "prac_new_item",
                "text": {"en": "A new item"},
                "max_length": 200,
            }
        )
        sync_instruments(db.session, [definition])
        db.session.commit()
        return str(first["variable"])


def test_the_diff_page_names_what_changed(
    client: FlaskClient, auth: Auth, practitioners_v2: str
) -> None:
    reworded = practitioners_v2
    auth.login("researcher")
    listing = body_of(client.get("/research/instruments"))
    assert 'action="/research/instruments/practitioners/diff"' in listing
    page = client.get("/research/instruments/practitioners/diff?from=2&to=3")
    body = html.unescape(body_of(page))
    assert page.status_code == 200
    added = body.split('id="added"')[1].split("</section>")[0]
    assert "prac_new_item" in added and "A new item" in added
    words = body.split('id="reworded"')[1].split("</section>")[0]
    assert reworded in words and "A reworded question for version three" in words
    removed = body.split('id="removed"')[1].split("</section>")[0]
    assert "None." in removed
    # Without a choice: the two latest versions.
    assert "version 2 to version 3" in body_of(
        client.get("/research/instruments/practitioners/diff")
    )
    same = body_of(client.get("/research/instruments/practitioners/diff?from=3&to=3"))
    assert 'id="no-changes"' in same


# --- roles ---------------------------------------------------------------------------------

RESEARCHER_ONLY_GETS = [
    "/research/links",
    "/research/instruments",
    "/research/instruments/mothers_t1/1",
    "/research/instruments/mothers_t1/diff",
]


def _posts(pseudonym: str, response_id: str, link_id: int) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/research/participants/{pseudonym}/withdraw", {"mode": "delete", "reason": "x"}),
        (f"/research/participants/{pseudonym}/responses/{response_id}/void", {"reason": "x"}),
        ("/research/links", {"instrument": "practitioners"}),
        (f"/research/links/{link_id}/close", {}),
    ]


@pytest.fixture
def targets(app: Flask) -> tuple[str, str, int]:
    pseudonym = make_participant(app)
    response_id = add_response(app, pseudonym, "T1", dt.date(2025, 9, 1))
    with app.app_context():
        link = Link(instrument_key="practitioners")
        db.session.add(link)
        db.session.commit()
        return pseudonym, response_id, link.id


def test_fieldworkers_may_not_withdraw_void_or_manage_links_and_instruments(
    app: Flask, client: FlaskClient, auth: Auth, targets: tuple[str, str, int]
) -> None:
    auth.login("fieldworker")
    for url in RESEARCHER_ONLY_GETS:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client.get("/research/"))
    for url, data in _posts(*targets):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    pseudonym, _response_id, link_id = targets
    assert participant_row(app, pseudonym).withdrawn_at is None
    assert responses_of(app, pseudonym)[0].voided_at is None
    assert [link.closed_at for link in _link_rows(app)] == [None]
    # What a fieldworker may do.
    for url in (
        "/research/",
        "/research/participants",
        "/research/participants/new",
        f"/research/participants/{pseudonym}",
    ):
        assert client.get(url).status_code == 200, url


def test_admins_may_do_what_researchers_do(
    client: FlaskClient, auth: Auth, targets: tuple[str, str, int]
) -> None:
    auth.login("admin")
    for url in RESEARCHER_ONLY_GETS:
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_log_in(
    client: FlaskClient, targets: tuple[str, str, int]
) -> None:
    pseudonym, response_id, _link_id = targets
    gets = [
        "/research/",
        "/research/participants",
        "/research/participants/new",
        "/research/participants/registered",
        f"/research/participants/{pseudonym}",
        *RESEARCHER_ONLY_GETS,
    ]
    for url in gets:
        reply = client.get(url)
        assert reply.status_code == 302 and reply.headers["Location"].startswith("/login"), url
    token = csrf_token(client.get("/login"))
    for url, data in _posts(*targets):
        reply = client.post(url, data={"csrf_token": token, **data})
        assert reply.status_code == 302 and reply.headers["Location"].startswith("/login"), url


def test_in_kiosk_mode_every_research_page_leads_to_the_lock_screen(
    client: FlaskClient, auth: Auth, targets: tuple[str, str, int]
) -> None:
    pseudonym, _response_id, _link_id = targets
    unlock(auth, client)
    for url in (
        "/research/participants",
        "/research/participants/new",
        f"/research/participants/{pseudonym}",
        *RESEARCHER_ONLY_GETS,
    ):
        reply = client.get(url)
        assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/lock", url
    token = csrf_token(client.get("/kiosk/start"))
    for url, data in _posts(*targets):
        reply = client.post(url, data={"csrf_token": token, **data})
        assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/lock", url
    assert participant_row(client.application, pseudonym).withdrawn_at is None


def test_the_instruments_page_counts_the_sent_case_forms(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    from tests import case_data

    case_data.add_case(app, "send", [("referral", "2022-05-10", {}), ("update", "2022-06-01", {})])
    case_data.add_case(app, "send", [("referral", "2022-05-11", {})])
    auth.login("researcher")
    body = body_of(client.get("/research/instruments"))
    rows = {text_of(r.split("</th>")[0]): text_of(r) for r in body.split('<th scope="row">')[1:]}
    referral = next(v for k, v in rows.items() if "referral" in k.lower())
    update = next(v for k, v in rows.items() if "update" in k.lower())
    assert " 2 forms sent Preview" in referral and " 1 form sent Preview" in update
