"""A withdrawn mother's open draft takes no more answers, on every path that writes to it: the
writes go through one guarded update, which also keeps a second final send harmless."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Participant, Response
from survey_app.services import participants as participant_ops
from survey_app.services import responses as ops
from tests.flows import (
    Auth,
    answer_pages,
    csrf_token,
    enter_id,
    instrument,
    past_consent,
    question_names,
    register,
    responses,
    unlock,
)


def _withdraw_keeping_answers(app: Flask, pseudonym: str) -> None:
    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.pseudonym == pseudonym)
        )
        assert participant is not None
        participant_ops.withdraw(
            db.session, participant, participant_ops.WITHDRAW_KEEP, "Moved prison.", None
        )
        db.session.commit()


def test_after_a_keep_answers_withdrawal_no_page_of_her_draft_saves(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    second = past_consent(app, client)
    page = client.get(second)
    names = question_names(page)
    [before] = responses(app)
    _withdraw_keeping_answers(app, pseudonym)

    for action in ("next", "back", "timeout", "lang:cy"):
        reply = client.post(
            second, data={"csrf_token": csrf_token(page), "action": action, names[0]: "4"}
        )
        assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/lock", action
    assert client.get(second).headers["Location"] == "/kiosk/lock"
    assert client.get("/kiosk/finish").headers["Location"] == "/kiosk/lock"
    [after] = responses(app)
    assert after.answers == before.answers and names[0] not in after.answers
    assert after.status == "in_progress"  # kept, as she agreed, but closed


def _stale_draft(app: Flask, client: FlaskClient, auth: Auth) -> tuple[str, str]:
    """A kiosk draft with every page answered; its key and pseudonym."""
    unlock(auth, client)
    pseudonym = register(app)
    enter_id(client, pseudonym)
    answer_pages(client, "/kiosk/page/0", instrument(app, "mothers_t1"))
    [draft] = responses(app)
    return draft.submission_key, pseudonym


@pytest.mark.parametrize("write", ["save_page", "complete"])
def test_the_service_sees_a_withdrawal_committed_after_it_loaded_the_draft(
    app: Flask, client: FlaskClient, auth: Auth, write: str
) -> None:
    key, pseudonym = _stale_draft(app, client, auth)
    [before] = responses(app)
    with app.app_context():
        # Loaded without the lock: on SQLite the lock is the database's write lock
        # (BEGIN IMMEDIATE), which would make the withdrawal below wait for this request; the
        # guarded write must catch a stale load however the draft was read.
        response = ops.by_key(db.session, key, lock=False)
        assert response is not None and response.participant is not None
        assert response.participant.withdrawn_at is None  # loaded before the withdrawal
        # Another request (a researcher) withdraws her meanwhile; its own session commits.
        _withdraw_keeping_answers(app, pseudonym)
        run: Callable[[], object]
        if write == "save_page":
            section = ops.instrument_of(response).sections[1]
            item = next(i for i in section.items if i.is_question)
            run = lambda: ops.save_page(  # noqa: E731
                db.session, response, section, {item.variable: None}, "cy"
            )
        else:
            run = lambda: ops.complete(db.session, response)  # noqa: E731
        with pytest.raises(ops.RespondentError):
            run()
        db.session.commit()  # a caller that commits anyway stores nothing
    [after] = responses(app)
    assert (after.answers, after.language, after.status) == (
        before.answers,
        before.language,
        "in_progress",
    )


def test_a_draft_still_open_saves_through_the_guarded_write(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    key, _pseudonym = _stale_draft(app, client, auth)
    with app.app_context():
        response = ops.by_key(db.session, key, lock=True)
        assert response is not None
        section = ops.instrument_of(response).sections[1]
        item = next(i for i in section.items if i.is_question)
        assert item.variable in response.answers
        ops.save_page(db.session, response, section, {item.variable: None}, "cy")
        assert item.variable not in response.answers and response.language == "cy"
        db.session.commit()
        stored = db.session.scalar(select(Response).where(Response.submission_key == key))
        assert stored is not None and item.variable not in stored.answers
        assert stored.language == "cy"


def test_a_second_send_of_a_draft_finished_meanwhile_is_harmless(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    key, _pseudonym = _stale_draft(app, client, auth)
    with app.app_context():
        response = ops.by_key(db.session, key)
        assert response is not None and not response.is_complete  # loaded before the send
        with app.app_context():  # the first click, in a request of its own
            first = ops.by_key(db.session, key)
            assert first is not None
            ops.complete(db.session, first)
            db.session.commit()
        assert ops.complete(db.session, response) is response  # the second click
        assert response.is_complete
        db.session.commit()
    [sent] = responses(app)
    assert sent.status == "complete"
