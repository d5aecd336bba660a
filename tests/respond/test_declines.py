"""Declines: "I do not want to take part" asks once to confirm, then records the approach
(the kiosk's site and wave, her ID, the date; the link only on an anonymous link) and keeps
no answer; researchers see approached and declined beside those who agreed and sent."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Decline
from tests.flows import (
    Auth,
    click,
    complete_wave,
    create_link,
    csrf_token,
    enter_id,
    past_consent,
    register,
    responses,
    start_link,
    text_of,
    unlock,
    workbook,
)


def _declines(app: Flask) -> list[tuple[str, str | None, str | None, str | None, bool]]:
    with app.app_context():
        return [
            (
                d.channel.value,
                d.site.code if d.site else None,
                d.wave.code if d.wave else None,
                d.participant.pseudonym if d.participant else None,
                d.link_id is not None,
            )
            for d in db.session.scalars(select(Decline))
        ]


def _press_decline(client: FlaskClient) -> str:
    page = client.get("/kiosk/page/0")
    body = page.get_data(as_text=True)
    assert "I do not want to take part" in body
    reply = client.post("/kiosk/page/0", data={"csrf_token": csrf_token(page), "action": "decline"})
    return str(reply.headers["Location"])


def test_a_kiosk_decline_asks_once_then_is_recorded_without_answers(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    assert _press_decline(client) == "/kiosk/decline"
    sure = client.get("/kiosk/decline")
    assert "Are you sure you do not want to take part?" in sure.get_data(as_text=True)
    assert _declines(app) == []  # nothing recorded before she confirms
    # "No, go back" returns to her consent page.
    assert 'href="/kiosk/page/0"' in sure.get_data(as_text=True)
    # A tampered site or wave in the form changes nothing: both come from kiosk mode.
    data = {"csrf_token": csrf_token(sure), "site": "eastwood_park", "wave": "T2"}
    reply = client.post("/kiosk/decline", data=data)
    assert reply.headers["Location"] == "/kiosk/lock"
    assert _declines(app) == [("kiosk", "send", "T1", pseudonym, False)]
    assert responses(app) == []
    lock = client.get("/kiosk/lock").get_data(as_text=True)
    assert "You chose not to take part. Nothing you entered has been kept." in lock
    # Sent again (a double tap, a replay): recorded once.
    again = client.post("/kiosk/decline", data=data)
    assert again.headers["Location"] == "/kiosk/lock"
    assert len(_declines(app)) == 1


def test_a_forged_decline_without_the_confirmation_records_nothing(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    assert _press_decline(client) == "/kiosk/decline"
    # A POST without the page's token is refused, and records nothing.
    refused = client.post("/kiosk/decline", data={"confirm": "yes"})
    assert refused.status_code == 400
    assert _declines(app) == []


def test_a_decline_is_offered_only_before_she_agrees(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    past_consent(app, client)
    # Once she has agreed, Stop (keep or delete) is the way out, not a decline.
    assert client.get("/kiosk/decline").headers["Location"] == "/kiosk/stop"
    assert _declines(app) == []


def test_a_link_decline_records_the_link_only(app: Flask, client: FlaskClient) -> None:
    token = create_link(app, "practitioners")
    start_link(client, token)
    reply = click(client, f"/s/{token}/page/0", {}, button="decline")
    assert reply.headers["Location"] == f"/s/{token}/decline"
    sure = client.get(reply.headers["Location"])
    assert "Are you sure you do not want to take part?" in sure.get_data(as_text=True)
    done = client.post(f"/s/{token}/decline", data={"csrf_token": csrf_token(sure)})
    assert done.headers["Location"] == f"/s/{token}/declined"
    assert _declines(app) == [("link", None, None, None, True)]
    assert responses(app) == []
    again = client.post(f"/s/{token}/decline", data={"csrf_token": csrf_token(sure)})
    assert again.status_code == 302 and len(_declines(app)) == 1


def test_the_dashboard_counts_approached_declined_agreed_and_sent(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    for _ in range(2):
        enter_id(client, register(app))
        _press_decline(client)
        sure = client.get("/kiosk/decline")
        client.post("/kiosk/decline", data={"csrf_token": csrf_token(sure)})
    sent = complete_wave(app, client, register(app), "mothers_t1")
    assert sent.headers["Location"] == "/kiosk/thanks"
    token = create_link(app, "practitioners")
    link_client = app.test_client()
    start_link(link_client, token)
    click(link_client, f"/s/{token}/page/0", {}, button="decline")
    sure = link_client.get(f"/s/{token}/decline")
    link_client.post(f"/s/{token}/decline", data={"csrf_token": csrf_token(sure)})

    researcher = app.test_client()
    Auth(app, researcher).login("researcher", email="r@example.org")
    body = researcher.get("/research/").get_data(as_text=True)
    table = re.search(r'<table class="data" id="participation">.*?</table>', body, re.S)
    assert table, body
    row = re.search(r"<tr><th scope=\"row\">T1</th>(.*?)</tr>", table.group(0), re.S)
    assert row
    assert text_of(row.group(1)) == "HMP Send 3 2 1 1"
    assert re.search(r'id="link-declines">1<', body)


def test_the_export_about_sheet_gives_the_participation_flow(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    _press_decline(client)
    sure = client.get("/kiosk/decline")
    client.post("/kiosk/decline", data={"csrf_token": csrf_token(sure)})
    about = dict(workbook(app)["About"].iter_rows(values_only=True))
    assert about["Approached at the kiosk: T1, HMP Send"] == (
        "1 (declined 1, agreed 0, sent 0; all dates, whatever the filters)"
    )
    assert about["Declined on the anonymous links"] == "0"
