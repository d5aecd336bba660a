"""A mother who moves prison: her case moves with her (one ID, both prisons' forms in time
order), by a researcher or her prison's caseworker, audited; the other prison's caseworker
is told who can move her, and "She has no ID yet" does not make her a second ID."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Case, CaseTransfer, Participant
from survey_app.services import participants as participant_ops
from tests import case_steps as steps
from tests import factories
from tests.flows import Auth, register, submit_form

EASTWOOD = "eastwood@example.org"


def _move(client: FlaskClient, case_url: str, **data: str) -> object:
    form = {"site": "eastwood_park", "on": "2022-04-01", "reason": "Moved nearer her children."}
    return submit_form(client, f"{case_url}/transfer", {**form, **data})


def test_the_sending_caseworker_moves_her_case_and_the_other_prison_goes_on_with_it(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app)
    factories.caseworker(app, sites=("eastwood_park",), email=EASTWOOD)
    steps.log_in(client)
    pseudonym = register(app)
    case_url = steps.referral(client, pseudonym)
    assert steps.update(client, case_url, "2022-03-01").status_code == 302
    reply = _move(client, case_url)
    assert reply.status_code == 302  # type: ignore[attr-defined]
    assert client.get(case_url).status_code == 403  # Send's caseworker no longer reaches it

    other = app.test_client()
    steps.log_in(other, EASTWOOD)
    assert steps.update(other, case_url, "2022-05-01").status_code == 302
    page = other.get(case_url).get_data(as_text=True)
    table = page.split('id="forms"')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]
    assert [("Send" in r, "Eastwood" in r) for r in rows] == [
        (True, False), (True, False), (False, True),
    ]  # fmt: skip
    order = [table.index(d) for d in ("10 Jan 2022", "1 Mar 2022", "1 May 2022")]
    assert order == sorted(order)
    assert "from HMP Send to HMP Eastwood Park" in page and "Moved nearer her children." in page
    with app.app_context():
        participant = db.session.scalar(select(Participant))
        assert participant is not None and participant.site.code == "eastwood_park"
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
        case = db.session.scalar(select(Case))
        assert case is not None and case.site.code == "eastwood_park"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "case.transferred"))
        assert event is not None and event.target == pseudonym
        assert event.detail == {"case": case.id, "from": "send", "to": "eastwood_park",
                                "on": "2022-04-01"}  # fmt: skip


def test_bad_transfers_are_refused_and_nothing_moves(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    pseudonym = register(app)
    case_url = steps.referral(client, pseudonym)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    for data, status, message in (
        ({"site": "nowhere"}, 422, "Not a valid choice"),
        ({"site": "community"}, 422, "Not a valid choice"),
        ({"reason": "  "}, 422, "Please say why."),
        ({"reason": "x" * 501}, 422, "At most 500 characters."),
        ({"on": "1921-01-01"}, 422, "before the service began"),
        ({"on": future}, 422, "is in the future"),
    ):
        reply = _move(client, case_url, **data)
        assert reply.status_code == status, data  # type: ignore[attr-defined]
        assert message in reply.get_data(as_text=True), data  # type: ignore[attr-defined]
    with app.app_context():
        send_id = participant_ops.site_by_code(db.session, "send").id
        participant = db.session.scalar(select(Participant))
        assert participant is not None
        participant_ops.withdraw(db.session, participant, "keep", "She withdrew.", None)
        db.session.commit()
    reply = _move(client, case_url)
    assert reply.status_code == 409  # type: ignore[attr-defined]
    assert "withdrawn" in reply.get_data(as_text=True)  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseTransfer)) == 0
        case = db.session.scalar(select(Case))
        assert case is not None and case.site_id == send_id


def test_a_researcher_moves_a_case_and_a_fieldworker_cannot(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    case_url = steps.referral(client, register(app))
    researcher = app.test_client()
    Auth(app, researcher).login("researcher")
    assert _move(researcher, case_url).status_code == 302  # type: ignore[attr-defined]
    fieldworker = app.test_client()
    Auth(app, fieldworker).login("fieldworker")
    assert fieldworker.get(f"{case_url}/transfer").status_code == 403


def test_the_other_prison_is_told_who_can_move_her_and_no_second_id_is_made(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app, sites=("eastwood_park",), email=EASTWOOD)
    steps.log_in(client, EASTWOOD)
    pseudonym = register(app, "send")
    reply = submit_form(client, "/cases/new", {"existing-pseudonym": pseudonym})
    text = reply.get_data(as_text=True)
    # As an unknown ID would (issue 21: no answer tells her who is registered elsewhere), with
    # the way on for a mother who has moved (issue 26).
    assert reply.status_code == 404
    assert "HMP Send" not in text and "do not give her a new ID" in text
    assert "moves her case to yours" in text
    reply = submit_form(client, "/cases/new", {"fresh-site": "eastwood_park"})
    assert reply.status_code == 422
    assert "Has she had TaC support at another prison?" in reply.get_data(as_text=True)
    reply = submit_form(
        client, "/cases/new", {"fresh-site": "eastwood_park", "fresh-elsewhere": "yes"}
    )
    assert reply.status_code == 409
    assert "she has an ID already: do not give her another" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
