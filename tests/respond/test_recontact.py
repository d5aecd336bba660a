"""Consent to be asked again: a mother who said no at T1 is never listed as due, her record
says so, and the T2 kiosk will not start for her, until a researcher records (with a reason,
audited) that she asked to take part again. Six months pass on the frozen clock."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests.flows import (
    Auth,
    Clock,
    complete_wave,
    csrf_token,
    enter_id,
    list_rows,
    register,
    responses,
    switch_wave,
    text_of,
    unlock,
)


def _t1(app: Flask, client: FlaskClient, auth: Auth, recontact: str) -> str:
    pseudonym = register(app)
    unlock(auth, client, "T1")
    sent = complete_wave(app, client, pseudonym, "mothers_t1", consent_recontact=recontact)
    assert sent.headers["Location"] == "/kiosk/thanks"
    return pseudonym


def _figure(body: str, name: str) -> int:
    match = re.search(rf'id="{name}">(\d+)<', body)
    assert match, name
    return int(match.group(1))


@pytest.fixture
def researcher(app: Flask) -> FlaskClient:
    other = app.test_client()
    Auth(app, other).login("researcher", email="r@example.org")
    return other


def test_a_mother_who_declined_recontact_is_never_due_and_the_t2_kiosk_will_not_start(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock, researcher: FlaskClient
) -> None:
    said_no = _t1(app, client, auth, "0")
    said_yes = complete_wave(app, client, (yes := register(app)), "mothers_t1")
    assert said_yes.headers["Location"] == "/kiosk/thanks"
    clock.advance(months=6)

    dashboard = researcher.get("/research/").get_data(as_text=True)
    assert _figure(dashboard, "due-now") == 1  # the one who said yes
    assert _figure(dashboard, "declined-recontact") == 1
    listed = list_rows(researcher.get("/research/participants").get_data(as_text=True))
    assert listed[said_no][3] == "declined recontact"
    assert listed[yes][3].startswith("due from")
    due = list_rows(researcher.get("/research/participants?status=due").get_data(as_text=True))
    assert set(due) == {yes}
    declined = researcher.get("/research/participants?status=declined").get_data(as_text=True)
    assert set(list_rows(declined)) == {said_no}
    record = researcher.get(f"/research/participants/{said_no}").get_data(as_text=True)
    assert "declined recontact" in record and "said no to being asked again" in text_of(record)

    switch_wave(client, "T2")
    refused = enter_id(client, said_no)
    assert refused.status_code == 403
    assert "said no to being asked these questions again, so T2 cannot start" in text_of(
        refused.get_data(as_text=True)
    )
    assert len(responses(app)) == 2  # the two T1s: no T2 draft
    # Not by URL either: her pages stay shut.
    assert client.get("/kiosk/page/0").headers["Location"] == "/kiosk/lock"


def test_a_researcher_withdraws_the_decline_with_a_reason_and_t2_can_start(
    app: Flask, client: FlaskClient, auth: Auth, clock: Clock, researcher: FlaskClient
) -> None:
    pseudonym = _t1(app, client, auth, "0")
    clock.advance(months=6)
    url = f"/research/participants/{pseudonym}"
    page = researcher.get(url)
    assert "She asked to take part again" in page.get_data(as_text=True)
    blank = researcher.post(
        f"{url}/recontact", data={"csrf_token": csrf_token(page), "reason": " "}
    )
    assert blank.status_code == 422
    assert "Please give the reason" in blank.get_data(as_text=True)
    done = researcher.post(
        f"{url}/recontact",
        data={"csrf_token": csrf_token(page), "reason": "She asked the TaC worker"},
    )
    assert done.status_code == 302
    again = researcher.post(
        f"{url}/recontact", data={"csrf_token": csrf_token(page), "reason": "twice"}
    )
    assert again.status_code == 409  # recorded once
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "participant.recontact_restored")
        ).all()
        assert [e.detail for e in events] == [{"reason": "She asked the TaC worker"}]
    listed = list_rows(researcher.get("/research/participants").get_data(as_text=True))
    assert listed[pseudonym][3].startswith("due from")
    assert "asked to take part again" in researcher.get(url).get_data(as_text=True)

    switch_wave(client, "T2")
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/page/0"


def test_only_a_mother_who_said_no_can_have_it_withdrawn(
    app: Flask, client: FlaskClient, auth: Auth, researcher: FlaskClient
) -> None:
    pseudonym = _t1(app, client, auth, "1")
    url = f"/research/participants/{pseudonym}"
    page = researcher.get(url)
    assert "She asked to take part again" not in page.get_data(as_text=True)
    forged = researcher.post(
        f"{url}/recontact", data={"csrf_token": csrf_token(page), "reason": "forged"}
    )
    assert forged.status_code == 409
    assert "did not decline to be asked again" in forged.get_data(as_text=True)
