"""Version 2 of the mothers' questionnaires (contact before the relationship rating, the rating
skipped for "Never met them"), through the kiosk's pages: new responses get the newest
version, a version 1 draft goes on on version 1, and the page counter keeps its total."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.instruments import missing
from survey_app.models import InstrumentVersion, Participant, Response, Wave
from tests.flows import (
    PASSWORD,
    Auth,
    answer_pages,
    csrf_token,
    default_answer,
    enter_id,
    instrument,
    question_names,
    register,
    responses,
    send,
    submit_form,
    unlock,
)

_COUNTER = re.compile(r"Page (\d+) of (\d+)")


def walk(app: Flask, client: FlaskClient, key: str, answers: dict[str, Any]) -> list[Any]:
    """Answer each page from the first to the finish page as a browser would; the pages
    seen, as (url, "Page n of N", the questions on it)."""
    questions = instrument(app, key)
    seen: list[Any] = []
    url = "/kiosk/page/0"
    while url.startswith("/kiosk/page/"):
        page = client.get(url)
        assert page.status_code == 200, url
        body = page.get_data(as_text=True)
        counter = _COUNTER.search(body)
        assert counter, url
        names = question_names(page)
        seen.append((url, (int(counter[1]), int(counter[2])), names))
        data: dict[str, Any] = {"csrf_token": csrf_token(page), "action": "next"}
        for name in names:
            item = questions.item(name)
            assert item is not None
            data[name] = answers.get(name, default_answer(item))
        reply = client.post(url, data=data)
        assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
        url = reply.headers["Location"]
        assert len(seen) < 20
    assert url == "/kiosk/finish"
    return seen


@pytest.mark.parametrize(("key", "wave"), [("mothers_t1", "T1"), ("mothers_t2", "T2")])
def test_contact_comes_first_and_never_met_skips_the_rating(
    app: Flask, client: FlaskClient, auth: Auth, key: str, wave: str
) -> None:
    unlock(auth, client, wave)
    pseudonym = register(app)
    started = enter_id(client, pseudonym)
    if started.headers["Location"] == "/kiosk/notice":  # T2 with no T1
        notice = client.get("/kiosk/notice")
        client.post("/kiosk/notice", data={"csrf_token": csrf_token(notice)})
    seen = walk(app, client, key, {"csw_contact": "1"})
    asked = [name for _, _, names in seen for name in names]
    assert "csw_contact" in asked and "csw_relationship" not in asked
    assert not [name for name in asked if name.startswith("wai_csw_")]
    # The counter: every page keeps its number and the total never changes, so the pages
    # skipped after "Never met them" count as passed ("5 of 8", then "8 of 8").
    total = len(instrument(app, key).sections)
    counters = [counter for _, counter, _ in seen]
    assert {t for _, t in counters} == {total}
    assert [n for n, _ in counters] == [int(url.rsplit("/", 1)[1]) + 1 for url, _, _ in seen]
    contact = next(i for i, (_, _, names) in enumerate(seen) if "csw_contact" in names)
    assert counters[contact + 1][0] == counters[contact][0] + 3  # two pages skipped
    finish = client.get("/kiosk/finish")
    send(client, finish, "/kiosk/submit")
    [stored] = responses(app)
    assert stored.answers["csw_contact"] == 1
    assert stored.answers["csw_relationship"] == missing.NOT_APPLICABLE


def test_she_rates_the_relationship_after_saying_how_often_she_sees_them(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    seen = walk(app, client, "mothers_t1", {"csw_contact": "2", "csw_relationship": "7"})
    pages = [names for _, _, names in seen]
    contact = next(i for i, names in enumerate(pages) if "csw_contact" in names)
    assert pages[contact] == ["csw_contact"]
    assert pages[contact + 1] == ["csw_relationship"]
    assert pages[contact + 2][0] == "wai_csw_01"
    total = len(instrument(app, "mothers_t1").sections)
    assert [counter for _, counter, _ in seen] == [(n, total) for n in range(1, total + 1)]
    send(client, client.get("/kiosk/finish"), "/kiosk/submit")
    [stored] = responses(app)
    assert stored.answers["csw_relationship"] == 7
    assert stored.instrument_version_id == _version(app, "mothers_t1", 2)[0]


def _version(app: Flask, key: str, number: int) -> Any:
    """The id and parsed instrument of a published version."""
    from survey_app.instruments import model

    with app.app_context():
        found = db.session.scalar(
            select(InstrumentVersion).where(
                InstrumentVersion.key == key, InstrumentVersion.version == number
            )
        )
        assert found is not None
        return found.id, model.from_version(found)


def _draft_on(app: Flask, version_id: int, pseudonym: str) -> None:
    """A draft begun before version 2 was published: consent given, nothing else yet."""
    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.pseudonym == pseudonym)
        )
        db.session.add(
            Response(
                instrument_version_id=version_id,
                channel="kiosk",
                participant=participant,
                wave=db.session.scalar(select(Wave).where(Wave.code == "T1")),
                submission_key=f"draft-on-an-old-version-{pseudonym}",
                answers={"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1},
            )
        )
        db.session.commit()


def test_new_responses_get_version_2_and_a_version_1_draft_stays_on_version_1(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    (v1_id, v1), (v2_id, _) = _version(app, "mothers_t1", 1), _version(app, "mothers_t1", 2)
    unlock(auth, client)
    old = register(app)
    _draft_on(app, v1_id, old)
    assert enter_id(client, old).headers["Location"] == "/kiosk/resume"
    resumed = submit_form(client, "/kiosk/resume", {"password": PASSWORD})
    assert resumed.status_code == 302
    # Her pages are version 1's: the rating, then contact, on one page.
    [index] = [i for i, s in enumerate(v1.sections) if v1.item("csw_contact") in s.items]
    assert question_names(client.get(f"/kiosk/page/{index}")) == [
        "csw_relationship",
        "csw_contact",
    ]
    finish = answer_pages(client, resumed.headers["Location"], v1, {"csw_contact": "1"})
    assert send(client, finish, "/kiosk/submit").headers["Location"] == "/kiosk/thanks"

    new = register(app)
    enter_id(client, new)
    send(
        client,
        answer_pages(client, "/kiosk/page/0", instrument(app, "mothers_t1")),
        "/kiosk/submit",
    )
    with app.app_context():
        stored = {
            pseudonym: (version_id, answers)
            for pseudonym, version_id, answers in db.session.execute(
                select(
                    Participant.pseudonym, Response.instrument_version_id, Response.answers
                ).join(Participant)
            )
        }
    assert stored[old][0] == v1_id and stored[new][0] == v2_id
    # On version 1 she rated the relationship although she had never met them.
    assert stored[old][1]["csw_relationship"] in range(1, 11)
    assert stored[old][1]["csw_contact"] == 1


def test_instruments_diff_shows_the_move_and_the_new_skip(app: Flask) -> None:
    output = app.test_cli_runner().invoke(args=["instruments", "diff", "mothers_t1", "1", "2"])
    assert output.exit_code == 0, output.output
    lines = [line.strip() for line in output.output.splitlines()]
    assert "moved: csw_contact, csw_relationship" in lines
    assert "skip logic changed: csw_relationship" in lines
    assert "added: (none)" in lines and "removed: (none)" in lines


def test_the_diff_page_shows_the_move_and_the_new_skip(client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    page = client.get("/research/instruments/mothers_t2/diff?from=1&to=2")
    body = html.unescape(page.get_data(as_text=True))
    moved = body.split('id="moved"')[1].split("</section>")[0]
    assert "csw_contact" in moved and "csw_relationship" in moved
    skip = body.split('id="skip"')[1].split("</section>")[0]
    assert "csw_relationship" in skip and "asked when" in skip and "is not 1" in skip
    assert "wai_csw_01" not in skip
