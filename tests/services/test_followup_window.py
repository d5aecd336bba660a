"""A follow-up taken outside its window (T2 here: 5 to 8 months after T1): the kiosk warns
the fieldworker at ID entry and goes on only with her password; the response is flagged and
the linked export tells how long after the baseline each follow-up was taken."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.flows import (
    Auth,
    Clock,
    answer_pages,
    complete_wave,
    csrf_token,
    enter_id,
    instrument,
    past_notice,
    register,
    responses,
    rows,
    send,
    switch_wave,
    unlock,
    workbook,
)


def _t1_done(app: Flask, client: FlaskClient, auth: Auth) -> str:
    pseudonym = register(app)
    unlock(auth, client, "T1")
    assert complete_wave(app, client, pseudonym, "mothers_t1").headers["Location"] == (
        "/kiosk/thanks"
    )
    switch_wave(client, "T2")
    return pseudonym


@pytest.mark.parametrize(
    ("months", "days"), [(0, 0), (5, -1), (8, 1)], ids=["minutes-later", "early", "late"]
)
def test_outside_the_window_the_fieldworker_is_warned_and_must_give_her_password(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock, months: int, days: int
) -> None:
    pseudonym = _t1_done(app, client, auth)
    clock.advance(months=months, days=days)
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/notice"
    notice = client.get("/kiosk/notice")
    assert "T1 was on 15 Mar 2026; the T2 window is 15 Aug 2026 to 15 Nov 2026." in (
        notice.get_data(as_text=True)
    )
    assert len(responses(app)) == 1  # no draft while she is warned
    # Her pages stay shut until the fieldworker goes on.
    assert client.get("/kiosk/page/0").headers["Location"] == "/kiosk/lock"
    wrong = client.post(
        "/kiosk/notice", data={"csrf_token": csrf_token(notice), "password": "not it"}
    )
    assert wrong.status_code == 422 and len(responses(app)) == 1
    assert past_notice(client) == "/kiosk/page/0"
    finish = answer_pages(client, "/kiosk/page/0", instrument(app, "mothers_t2"))
    send(client, finish, "/kiosk/submit")
    stored = responses(app)
    assert [r.status for r in stored] == ["complete", "complete"]
    assert [r.flags for r in stored if r.flags] == [{"t2_outside_window": True}]
    [row] = rows(workbook(app), "Mothers (linked)")
    assert row["t2_in_window"] == 0
    assert row["t2_months_after_t1"] == round((clock.day - dt.date(2026, 3, 15)).days / 30.4375, 1)


def test_in_the_window_the_kiosk_goes_straight_on_and_the_export_says_so(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock
) -> None:
    pseudonym = _t1_done(app, client, auth)
    clock.advance(months=6)
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/page/0"
    finish = answer_pages(client, "/kiosk/page/0", instrument(app, "mothers_t2"))
    send(client, finish, "/kiosk/submit")
    assert all(not r.flags for r in responses(app))
    book = workbook(app)
    [row] = rows(book, "Mothers (linked)")
    assert (row["t2_months_after_t1"], row["t2_in_window"]) == (6.0, 1)
    assert "t1_months_after_t1" not in row and "t1_in_window" not in row
    codebook = {r["variable"]: r for r in rows(book, "Codebook")}
    assert codebook["t2_in_window"]["values"] == "1 = yes, 0 = no"
    assert "months from T1 to T2" in codebook["t2_months_after_t1"]["label"]


@pytest.mark.parametrize("t1", [True, False], ids=["outside-window", "no-t1"])
def test_cancel_on_the_warning_leaves_no_draft(
    app: Flask, client: FlaskClient, auth: Auth, t1: bool
) -> None:
    if t1:
        pseudonym = _t1_done(app, client, auth)
    else:
        pseudonym = register(app)
        unlock(auth, client, "T2")
    before = len(responses(app))
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/notice"
    assert 'href="/kiosk/lock">Cancel</a>' in client.get("/kiosk/notice").get_data(as_text=True)
    client.get("/kiosk/lock")  # Cancel
    assert len(responses(app)) == before
    assert client.get("/kiosk/notice").headers["Location"] == "/kiosk/lock"
    # Entering the ID again warns again: nothing was started.
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/notice"
    assert len(responses(app)) == before


def test_the_password_is_not_asked_when_only_an_earlier_wave_is_missing(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client, "T2")
    enter_id(client, register(app))
    notice = client.get("/kiosk/notice")
    assert 'type="password"' not in notice.get_data(as_text=True)
    reply = client.post("/kiosk/notice", data={"csrf_token": csrf_token(notice)})
    assert reply.headers["Location"] == "/kiosk/page/0"
