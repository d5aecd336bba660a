"""A field duplicate chosen by two researchers at once (issue 21): one choice is kept, the
other is told "resolved already" (409), never a 500."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from sqlalchemy import select

from survey_app import pseudonyms
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.models.field import ResponseConflict
from tests import factories
from tests.flows import PASSWORD, csrf_token, submit_form


def _duplicate(app: Flask, pseudonym: str) -> str:
    factories.complete_response(app, pseudonym, "T1", {"css_trust": 1})
    with app.app_context():
        held = db.session.scalars(select(Response)).one()
        conflict = ResponseConflict(
            participant_id=held.participant_id,
            wave_id=held.wave_id,
            instrument_version_id=held.instrument_version_id,
            submission_key=f"field-{pseudonym}-key-0000000000",
            answers={**held.answers, "css_trust": 2},
            started_on=dt.date(2024, 1, 2),
            completed_on=dt.date(2024, 1, 2),
            flags={"field_laptop": "a"},
            laptop_id="a",
        )
        db.session.add(conflict)
        db.session.commit()
        return conflict.id


def test_two_researchers_resolving_one_duplicate_at_once_one_is_told(app: Flask) -> None:
    conflict_id = _duplicate(app, pseudonyms.generate("TC"))
    clients = []
    for name in ("one", "two"):
        factories.user(app, role="researcher", email=f"{name}@example.org")
        client = app.test_client()
        submit_form(client, "/login", {"email": f"{name}@example.org", "password": PASSWORD})
        clients.append((client, csrf_token(client.get("/research/field/duplicates"))))

    def choose(pair: tuple[object, str], keep: str) -> int:
        client, token = pair
        reply = client.post(  # type: ignore[attr-defined]
            f"/research/field/duplicates/{conflict_id}", data={"csrf_token": token, "keep": keep}
        )
        assert reply.status_code != 500, reply.get_data(as_text=True)
        if reply.status_code == 409:
            assert "resolved already" in reply.get_data(as_text=True)
        return int(reply.status_code)

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(choose, clients, ["field", "existing"]))
    assert statuses == [302, 409]
    with app.app_context():
        live = db.session.scalars(select(Response).where(Response.voided_at.is_(None))).all()
        assert len(live) == 1
