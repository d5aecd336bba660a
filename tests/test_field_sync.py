"""Field laptops (issue 16): a server and two laptops on one machine, each laptop on its own
SQLite file, driven through the kiosk's pages; batches carried back, receipts confirmed."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app import create_app
from survey_app.extensions import db
from survey_app.instruments.model import Item
from survey_app.models import Response
from survey_app.models.field import FieldInstance, ResponseConflict, SealedResponse
from survey_app.services import participants as participant_ops
from tests import factories
from tests.conftest import app_config
from tests.flows import (
    PASSWORD,
    answer_pages,
    csrf_token,
    default_answer,
    instrument,
    send,
    submit_form,
)

PASSPHRASE = "a long passphrase for the study key"


def cli(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=["field", *args], input=input)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


@dataclass
class Laptop:
    app: Flask
    path: Path
    client: FlaskClient


@pytest.fixture
def server(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    app = make_app(FIELD_KEY_DIR=str(tmp_path / "keys"))
    ok(cli(app, "keygen", "--out", str(tmp_path / "keys"), input=PASSPHRASE + "\n"))
    factories.user(app, role="fieldworker", email="fw@example.org")
    return app


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[Callable[[str, Path], Laptop]]:
    made: list[Flask] = []

    def build(name: str, bundle: Path) -> Laptop:
        path = tmp_path / f"laptop-{name}.db"
        app = create_app(app_config(f"sqlite:///{path}"))
        made.append(app)
        ok(cli(app, "init", str(bundle)))
        return Laptop(app, path, app.test_client())

    yield build
    for app in made:
        with app.app_context():
            db.engine.dispose()


def register(app: Flask) -> str:
    with app.app_context():
        [made] = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, "send")
        )
        db.session.commit()
        return made.pseudonym


def unlock(client: FlaskClient, wave: str) -> None:
    client.get("/logout")
    reply = submit_form(client, "/login", {"email": "fw@example.org", "password": PASSWORD})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    reply = submit_form(client, "/kiosk/", {"site": "send", "wave": wave})
    assert reply.headers["Location"] == "/kiosk/lock"


class Texts:
    """Answers to text questions that are unique to this test, to look for in files."""

    def __init__(self) -> None:
        self.given: list[str] = []

    def __call__(self, item: Item) -> Any:
        if item.type in ("short_text", "long_text"):
            text = f"field-answer-{secrets.token_hex(6)}"
            self.given.append(text)
            return text
        return default_answer(item)


def answer(laptop: Laptop, pseudonym: str, wave: str, key: str, texts: Texts) -> None:
    client = laptop.client
    unlock(client, wave)
    started = submit_form(client, "/kiosk/start", {"participant_id": pseudonym})
    assert started.status_code == 302, started.get_data(as_text=True)
    first = started.headers["Location"]
    if first == "/kiosk/notice":
        page = client.get(first)  # a follow-up outside its window asks for her password
        client.post(first, data={"csrf_token": csrf_token(page), "password": PASSWORD})
        first = "/kiosk/page/0"
    finish = answer_pages(client, first, instrument(laptop.app, key), answer=texts)
    done = send(client, finish, "/kiosk/submit")
    assert done.headers["Location"] == "/kiosk/thanks"
    client.get("/kiosk/exit")
    submit_form(client, "/kiosk/exit", {"password": PASSWORD})


def import_batch(server: Flask, batch: Path, passphrase: str = PASSPHRASE) -> Result:
    return cli(server, "import", str(batch), input=passphrase + "\n")


def kiosk_rows(app: Flask) -> list[tuple[str, str, str, dict[str, Any]]]:
    with app.app_context():
        return [
            (r.participant.pseudonym, r.wave.code, r.submission_key, dict(r.answers))
            for r in db.session.scalars(
                select(Response).where(Response.channel == "kiosk", Response.voided_at.is_(None))
            )
        ]


def test_two_laptops_and_the_server_merge_every_answer_once(
    server: Flask, laptops: Callable[[str, Path], Laptop], tmp_path: Path
) -> None:
    mother, twice = register(server), register(server)
    factories.link_response(server, "prison_staff", {})  # a staff link answered on the server
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    assert '"answers"' not in bundle.read_text()
    a, b = laptops("a", bundle), laptops("b", bundle)
    texts = Texts()

    answer(a, mother, "T1", "mothers_t1", texts)
    answer(a, twice, "T1", "mothers_t1", texts)
    answer(b, twice, "T1", "mothers_t1", texts)  # the same mother and wave on laptop B
    with a.app.app_context():
        assert db.session.scalars(select(SealedResponse)).all()
    # Laptop B learns of laptop A's T1 only through the server: T2 there is still possible.
    ok(cli(a.app, "export", "--out", str(tmp_path / "a1.batch")))
    first = ok(import_batch(server, tmp_path / "a1.batch"))
    assert "2 responses inserted" in first
    ok(cli(a.app, "confirm", str(tmp_path / "a1.batch.receipt.json")))
    bundle2 = tmp_path / "send2.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle2)))
    ok(cli(b.app, "refresh", str(bundle2)))
    answer(b, mother, "T2", "mothers_t2", texts)

    ok(cli(b.app, "export", "--out", str(tmp_path / "b1.batch")))
    # A tampered copy of B's batch is refused whole.
    doc = json.loads((tmp_path / "b1.batch").read_text())
    doc["items"] = doc["items"][:-1]
    (tmp_path / "b1-cut.batch").write_text(json.dumps(doc))
    refused = import_batch(server, tmp_path / "b1-cut.batch")
    assert refused.exit_code == 1 and "damaged or was altered" in refused.output
    assert len(kiosk_rows(server)) == 2

    imported = ok(import_batch(server, tmp_path / "b1.batch"))
    assert "1 responses inserted, 1 kept as duplicates" in imported
    again = ok(import_batch(server, tmp_path / "b1.batch"))
    assert "imported already" in again
    ok(cli(b.app, "confirm", str(tmp_path / "b1.batch.receipt.json")))

    rows = kiosk_rows(server)
    assert sorted((p, w) for p, w, _, _ in rows) == sorted(
        [(mother, "T1"), (mother, "T2"), (twice, "T1")]
    )
    with server.app_context():
        [conflict] = db.session.scalars(select(ResponseConflict)).all()
        assert conflict.participant.pseudonym == twice and conflict.wave.code == "T1"
        kept = {v for r in db.session.scalars(select(Response)) for v in r.answers.values()}
        kept |= set(conflict.answers.values())
    assert set(texts.given) <= kept  # every answer present, the duplicate too
    for laptop in (a, b):
        with laptop.app.app_context():
            assert db.session.scalars(select(SealedResponse)).all() == []
            db.engine.dispose()
        data = b"".join(p.read_bytes() for p in laptop.path.parent.glob(laptop.path.name + "*"))
        for text in texts.given:
            assert text.encode() not in data, text


def test_bad_batches_receipts_and_bundles_are_refused_with_one_line(
    server: Flask, laptops: Callable[[str, Path], Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a, b = laptops("a", bundle), laptops("b", bundle)
    answer(a, mother, "T1", "mothers_t1", Texts())
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))
    ok(cli(b.app, "export", "--out", str(tmp_path / "b.batch")))

    wrong = import_batch(server, tmp_path / "a.batch", "not the passphrase at all")
    assert wrong.exit_code == 1 and "wrong passphrase" in wrong.output
    raw = (tmp_path / "a.batch").read_bytes()
    (tmp_path / "cut.batch").write_bytes(raw[: len(raw) // 2])
    cut = import_batch(server, tmp_path / "cut.batch")
    assert cut.exit_code == 1 and "cut short" in cut.output
    other = json.loads(raw)
    other["study_id"] = "00000000-0000-4000-8000-000000000000"
    (tmp_path / "other.batch").write_text(json.dumps(other))
    foreign = import_batch(server, tmp_path / "other.batch")
    assert foreign.exit_code == 1 and "another study" in foreign.output
    assert kiosk_rows(server) == []

    ok(import_batch(server, tmp_path / "a.batch"))
    ok(import_batch(server, tmp_path / "b.batch"))
    # A's receipt on laptop B deletes nothing; B's own receipt deletes nothing of A's.
    crossed = cli(b.app, "confirm", str(tmp_path / "a.batch.receipt.json"))
    assert crossed.exit_code == 1 and "another laptop" in crossed.output
    with a.app.app_context():
        assert len(db.session.scalars(select(SealedResponse)).all()) == 1
    forged = json.loads((tmp_path / "a.batch.receipt.json").read_text())
    forged["settled"] = [*forged["settled"], "x" * 30]
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    altered = cli(a.app, "confirm", str(tmp_path / "forged.json"))
    assert altered.exit_code == 1 and "altered" in altered.output
    with a.app.app_context():
        assert len(db.session.scalars(select(SealedResponse)).all()) == 1

    older = cli(a.app, "refresh", str(bundle))
    assert older.exit_code == 1 and "not newer" in older.output


def test_a_withdrawn_mothers_field_answers_are_dropped_and_counted(
    server: Flask, laptops: Callable[[str, Path], Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a = laptops("a", bundle)
    answer(a, mother, "T1", "mothers_t1", Texts())
    with server.app_context():
        found = participant_ops.find(db.session, mother)
        assert found is not None
        participant_ops.withdraw(db.session, found, "delete", "she asked to leave", None)
        db.session.commit()
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))
    report = ok(import_batch(server, tmp_path / "a.batch"))
    assert "dropped 1: the participant withdrew on the server" in report
    assert kiosk_rows(server) == []


def test_a_researcher_keeps_the_later_duplicate_and_the_first_is_voided(
    server: Flask, laptops: Callable[[str, Path], Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    factories.complete_response(server, mother, "T1", {"css_trust": 1})
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    doc = json.loads(bundle.read_text())
    for person in doc["participants"]:
        person["waves_done"] = {}  # as if bundled before the server's T1
    bundle.write_text(json.dumps(doc))
    a = laptops("a", bundle)
    answer(a, mother, "T1", "mothers_t1", Texts())
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))
    assert "1 kept as duplicates" in ok(import_batch(server, tmp_path / "a.batch"))

    client = server.test_client()
    factories.user(server, role="researcher", email="r@example.org")
    submit_form(client, "/login", {"email": "r@example.org", "password": PASSWORD})
    page = client.get("/research/field/duplicates")
    assert mother in page.get_data(as_text=True)
    with server.app_context():
        conflict_id = db.session.scalars(select(ResponseConflict.id)).one()
    chosen = client.post(
        f"/research/field/duplicates/{conflict_id}",
        data={"csrf_token": csrf_token(page), "keep": "field"},
    )
    assert chosen.status_code == 302
    with server.app_context():
        rows = db.session.scalars(select(Response).where(Response.channel == "kiosk")).all()
        assert sorted(r.voided_at is None for r in rows) == [False, True]
        assert [r.answers.get("css_trust") for r in rows if r.voided_at is not None] == [1]
    again = client.post(
        f"/research/field/duplicates/{conflict_id}",
        data={"csrf_token": csrf_token(page), "keep": "existing"},
    )
    assert again.status_code == 409


def test_an_edited_bundle_is_refused_whole_and_the_laptop_keeps_its_study_key(
    server: Flask, laptops: Callable[[str, Path], Laptop], tmp_path: Path
) -> None:
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    laptop = laptops("a", bundle)
    with laptop.app.app_context():
        key_before = db.session.get(FieldInstance, 1).public_key  # type: ignore[union-attr]
    original = json.loads(bundle.read_text())
    later = (dt.datetime.fromisoformat(original["created"]) + dt.timedelta(hours=1)).isoformat()

    # Another study key: sealing would send her answers to whoever made it.
    other_keys = tmp_path / "other-keys"
    ok(cli(server, "keygen", "--out", str(other_keys), input=PASSPHRASE + "\n"))
    other_public = json.loads((other_keys / "study_public.json").read_text())["public_key"]
    edits: dict[str, dict[str, Any]] = {
        "another key": {"public_key": other_public, "created": later},
        "made in the future": {"created": "2099-01-01T00:00:00"},
        "a site that is not a site": {"site": "eastwood_park", "created": later},
        "participants that are not a list": {"participants": "none", "created": later},
    }
    for name, change in edits.items():
        edited = tmp_path / f"{name}.bundle"
        edited.write_text(json.dumps({**original, **change}))
        refused = cli(laptop.app, "refresh", str(edited))
        assert refused.exit_code == 1, (name, refused.output)
        assert "Traceback" not in refused.output and len(refused.output.splitlines()) == 1, name
    with laptop.app.app_context():
        instance = db.session.get(FieldInstance, 1)
        assert instance is not None and instance.public_key == key_before
        assert instance.bundle_created == dt.datetime.fromisoformat(original["created"])


def test_a_file_that_cannot_be_written_is_one_line(server: Flask, tmp_path: Path) -> None:
    refused = cli(server, "bundle", "--site", "send", "--out", str(tmp_path / "no" / "x.bundle"))
    assert refused.exit_code == 1
    assert refused.output.startswith("cannot write") and "Traceback" not in refused.output


def test_a_laptops_staff_pages_say_its_site_bundle_and_sealed_responses(
    server: Flask, laptops: Callable[[str, Path], Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    laptop = laptops("a", bundle)
    answer(laptop, mother, "T1", "mothers_t1", Texts())
    page = laptop.client.get("/research/").get_data(as_text=True)
    banner = page.split('id="field-laptop">')[1].split("</p>")[0]
    assert banner.startswith("Field laptop for HMP Send · bundle of ")
    assert "1 response sealed, waiting to go to the server" in banner
    assert "last export never" in banner
    ok(cli(laptop.app, "export", "--out", str(tmp_path / "a.batch")))
    page = laptop.client.get("/research/").get_data(as_text=True)
    assert "last export never" not in page and "1 response sealed" in page
    ok(import_batch(server, tmp_path / "a.batch"))
    ok(cli(laptop.app, "confirm", str(tmp_path / "a.batch.receipt.json")))
    assert "0 responses sealed" in laptop.client.get("/research/").get_data(as_text=True)
    on_server = server.test_client()
    submit_form(on_server, "/login", {"email": "fw@example.org", "password": PASSWORD})
    assert 'id="field-laptop"' not in on_server.get("/research/").get_data(as_text=True)
