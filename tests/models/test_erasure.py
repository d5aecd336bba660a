"""Deleted answers leave no copy in the database files (SQLite: the database, its write-ahead
log and its shared-memory index, searched byte by byte). On PostgreSQL the same steps run and
the answer is gone from every table; what its files keep is in the README."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, cast, event, func, select, update
from sqlalchemy.engine import make_url

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.models.types import today
from survey_app.services import participants as participant_ops
from tests.dbutil import BACKEND
from tests.flows import Auth, answer_pages, csrf_token, instrument, send, submit_form


def database_files(app: Flask) -> list[Path]:
    with app.app_context():
        path = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database or "")
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def copies_stored(app: Flask, marker: str) -> int:
    """How many copies of ``marker`` the database holds: in its files, byte by byte, on
    SQLite; in the responses' answers on PostgreSQL."""
    if BACKEND == "sqlite":
        needle = marker.encode()
        return sum(p.read_bytes().count(needle) for p in database_files(app) if p.exists())
    with app.app_context():
        found = db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(cast(Response.answers, String).contains(marker))
        )
        db.session.rollback()
        return int(found or 0)


def a_mother_answers_at_the_kiosk(app: Flask, auth: Auth, client: FlaskClient, text: str) -> str:
    with app.app_context():
        [made] = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, "send")
        )
        db.session.commit()
        pseudonym = made.pseudonym
    auth.login("fieldworker", email="fw@example.org")
    unlocked = submit_form(client, "/kiosk/", {"site": "send", "wave": "T1"})
    assert unlocked.headers["Location"] == "/kiosk/lock"
    started = submit_form(client, "/kiosk/start", {"participant_id": pseudonym})
    assert started.headers["Location"] == "/kiosk/page/0", started.get_data(as_text=True)
    finish = answer_pages(
        client, "/kiosk/page/0", instrument(app, "mothers_t1"), {"tac_hopes": text}
    )
    assert send(client, finish, "/kiosk/submit").headers["Location"] == "/kiosk/thanks"
    return pseudonym


def test_a_withdrawal_that_deletes_her_answers_leaves_no_copy_in_the_files(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    marker = f"Home by summer {secrets.token_hex(8)}"
    pseudonym = a_mother_answers_at_the_kiosk(app, auth, client, marker)
    assert copies_stored(app, marker) > 0  # the search finds what is there

    researcher = app.test_client()
    Auth(app, researcher).login("researcher")
    page = researcher.get(f"/research/participants/{pseudonym}")
    withdrawn = researcher.post(
        f"/research/participants/{pseudonym}/withdraw",
        data={"csrf_token": csrf_token(page), "mode": "delete", "reason": "She asked us to."},
    )
    assert withdrawn.status_code == 302

    assert copies_stored(app, marker) == 0


def test_purging_abandoned_link_drafts_leaves_no_copy_in_the_files(
    app: Flask, client: FlaskClient
) -> None:
    marker = f"Knows the wing {secrets.token_hex(8)}"
    runner = app.test_cli_runner()
    created = runner.invoke(args=["links", "create", "prison_staff"])
    token = created.stdout.strip().removeprefix("/s/")
    landing = client.get(f"/s/{token}")
    assert client.post(f"/s/{token}", data={"csrf_token": csrf_token(landing)}).status_code == 302
    answer_pages(
        client,
        f"/s/{token}/page/0",
        instrument(app, "prison_staff"),
        {"gaps_filled": marker},
    )
    assert copies_stored(app, marker) > 0
    with app.app_context():  # she left it three weeks ago
        db.session.execute(update(Response).values(started_on=today() - dt.timedelta(21)))
        db.session.commit()

    purged = runner.invoke(args=["responses", "purge-drafts", "--days", "14"])
    assert "deleted 1 " in purged.stdout, purged.output

    assert copies_stored(app, marker) == 0


@pytest.mark.skipif(BACKEND != "sqlite", reason="a setting of SQLite's connections")
def test_sqlite_connections_zero_what_they_delete_whatever_the_build(
    make_app: Callable[..., Flask],
) -> None:
    """Some SQLite builds (Debian's) zero deleted content by default, others do not: the app
    turns it on for every connection itself."""
    other = make_app()

    def as_built_without_it(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    with other.app_context():
        db.engine.dispose()  # connections made from here on
        event.listen(db.engine, "connect", as_built_without_it, insert=True)
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_text_she_replaced_before_sending_leaves_no_copy_in_the_files(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    first = f"First thoughts {secrets.token_hex(8)}"
    second = f"Second thoughts {secrets.token_hex(8)}"
    with app.app_context():
        [made] = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, "send")
        )
        db.session.commit()
        pseudonym = made.pseudonym
    form = instrument(app, "mothers_t1")
    page = next(
        i for i, s in enumerate(form.sections) if any(x.variable == "tac_hopes" for x in s.items)
    )
    auth.login("fieldworker", email="fw@example.org")
    unlocked = submit_form(client, "/kiosk/", {"site": "send", "wave": "T1"})
    assert unlocked.headers["Location"] == "/kiosk/lock"
    submit_form(client, "/kiosk/start", {"participant_id": pseudonym})
    answer_pages(client, "/kiosk/page/0", form, {"tac_hopes": first})
    assert copies_stored(app, first) > 0  # the search finds what is there
    # She goes back and writes something else before she sends.
    finish = answer_pages(client, f"/kiosk/page/{page}", form, {"tac_hopes": second})
    assert send(client, finish, "/kiosk/submit").headers["Location"] == "/kiosk/thanks"
    assert copies_stored(app, second) > 0
    assert copies_stored(app, first) == 0


def test_the_wipe_waits_for_the_outer_commit_not_a_savepoint(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SAVEPOINT released inside a transaction that deletes answers (a withdrawal, then a
    case opened in the same transaction) must not checkpoint: the outer transaction still
    holds SQLite's write lock, and the checkpoint would wait out the busy timeout."""
    from survey_app.models import erasure

    calls: list[object] = []
    monkeypatch.setattr(erasure, "checkpoint", calls.append)
    with app.app_context():
        erasure.erase_after_commit(db.session)
        with db.session.begin_nested():
            db.session.execute(select(1))
        assert calls == []
        db.session.commit()
    assert len(calls) == (1 if BACKEND == "sqlite" else 0)
