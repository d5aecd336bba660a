"""Field laptops (issue 16): a server and two laptops on one machine, each laptop on its own
SQLite file, driven through the kiosk's pages; batches carried back, receipts confirmed."""

from __future__ import annotations

import datetime as dt
import functools
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
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.extensions import db
from survey_app.field import batch, enrolment, sealing, signing
from survey_app.instruments.model import Item
from survey_app.models import Decline, Participant, Response
from survey_app.models.field import FieldInstance, FieldLaptop, ResponseConflict, SealedResponse
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


def server_signed(server: Flask, doc: dict[str, Any]) -> dict[str, Any]:
    """A bundle signed again with the study's signing key: what only the server can do."""
    key = signing.read_study_key(Path(server.config["FIELD_KEY_DIR"]))
    return signing.sign(doc, key)


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
def laptops(server: Flask, tmp_path: Path) -> Iterator[Callable[..., Laptop]]:
    """``laptops(name, bundle)``: a laptop set up from ``bundle`` and enrolled on the server
    for its site (``enrol=False``: set up only)."""
    made: list[Flask] = []

    def build(name: str, bundle: Path, *, enrol: bool = True) -> Laptop:
        path = tmp_path / f"laptop-{name}.db"
        app = create_app(app_config(f"sqlite:///{path}"))
        made.append(app)
        enrolment = tmp_path / f"laptop-{name}.enrol.json"
        ok(cli(app, "init", str(bundle), "--enrolment", str(enrolment)))
        if enrol:
            site = json.loads(enrolment.read_text())["site"]
            ok(cli(server, "enrol", str(enrolment), "--site", site))
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
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
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
    assert refused.exit_code == 1 and "altered" in refused.output
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
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
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
    (tmp_path / "other.batch").write_text(json.dumps(signed_by(a, other)))
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
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
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
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    factories.complete_response(server, mother, "T1", {"css_trust": 1})
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    doc = json.loads(bundle.read_text())
    for person in doc["participants"]:
        person["waves_done"] = {}  # as if bundled before the server's T1
    bundle.write_text(json.dumps(server_signed(server, doc)))
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
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
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


@functools.cache
def _study_keys(key_dir: str) -> tuple[sealing.Opener, sealing.StudyKey]:
    keys = Path(key_dir)
    opener = sealing.unlock(keys / sealing.PRIVATE_FILE, PASSPHRASE)
    return opener, sealing.read_public(keys / sealing.PUBLIC_FILE)


def forge(
    server: Flask,
    laptop: Laptop,
    genuine: Path,
    out: Path,
    edit: Callable[[list[dict[str, Any]], list[dict[str, Any]]], None],
    *,
    edit_declines: Callable[[list[dict[str, Any]]], None] = lambda _: None,
    **header: Any,
) -> Path:
    """A batch rebuilt from a genuine one with ``edit`` applied to its opened items and its
    registrations (and ``edit_declines`` to its opened declines), sealed and summed as a
    laptop would (what anyone with a bundle can do)."""
    doc = json.loads(genuine.read_text())
    opener, key = _study_keys(server.config["FIELD_KEY_DIR"])
    bodies = [json.loads(opener.open(sealing.unb64(i["sealed"]))) for i in doc["items"]]
    said_no = [json.loads(opener.open(sealing.unb64(d["sealed"]))) for d in doc["declines"]]
    manifest = json.loads(opener.open(sealing.unb64(doc["manifest"])))
    edit(bodies, doc["registrations"])
    edit_declines(said_no)
    doc.update(header)
    manifest["batch_id"] = doc["batch_id"]
    doc["items"] = [
        {
            "submission_key": str(b.get("submission_key")),
            "sealed_at": doc["created"],
            "sealed": sealing.b64(key.seal(json.dumps(b).encode())),
        }
        for b in bodies
    ]
    doc["declines"] = [
        {
            "sync_key": str(d.get("sync_key")),
            "sealed": sealing.b64(key.seal(json.dumps(d).encode())),
        }
        for d in said_no
    ]
    header = {k: doc[k] for k in batch.HEADER_KEYS}
    manifest["count"] = len(bodies)
    manifest["declines"] = len(said_no)
    manifest["digest"] = batch._digest(header, doc["items"], doc["registrations"], doc["declines"])
    doc["manifest"] = sealing.b64(key.seal(json.dumps(manifest).encode()))
    out.write_text(json.dumps(signed_by(laptop, doc)))
    return out


def signed_by(laptop: Laptop, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` signed with the laptop's own key: what a forger holding the laptop can do."""
    with laptop.app.app_context():
        instance = db.session.get(FieldInstance, 1)
        assert instance is not None and instance.signing_key is not None
        return signing.sign(doc, signing.key_from_seed(instance.signing_key))


def _answer(name: str, value: Any) -> Callable[[list[dict[str, Any]], list[Any]], None]:
    def edit(bodies: list[dict[str, Any]], people: list[Any]) -> None:
        bodies[0]["answers"][name] = value

    return edit


def _answers(**values: Any) -> Callable[[list[dict[str, Any]], list[Any]], None]:
    def edit(bodies: list[dict[str, Any]], people: list[Any]) -> None:
        bodies[0]["answers"].update(values)

    return edit


def _field(name: str, value: Any) -> Callable[[list[dict[str, Any]], list[Any]], None]:
    def edit(bodies: list[dict[str, Any]], people: list[Any]) -> None:
        bodies[0][name] = value

    return edit


def _person(pseudonym: str) -> Callable[[list[dict[str, Any]], list[Any]], None]:
    def edit(bodies: list[dict[str, Any]], people: list[Any]) -> None:
        people.append({"pseudonym": pseudonym, "site": "send", "registered": "2024-01-01T00:00:00"})
        bodies[0]["pseudonym"] = pseudonym
        bodies[0]["submission_key"] = "k" * 32

    return edit


def _registered(when: str) -> Callable[[list[dict[str, Any]], list[Any]], None]:
    def edit(bodies: list[dict[str, Any]], people: list[Any]) -> None:
        people[0]["registered"] = when

    return edit


FORGED: dict[str, Callable[[list[dict[str, Any]], list[Any]], None]] = {
    "a code off the scale": _answer("css_willing", 99),
    "text for a code": _answer("css_trust", "DROP TABLE"),
    "a list for a code": _answer("css_confident", [1, 2, {"x": 1}]),
    "true for a code": _answer("css_trust", True),
    "a question not asked": _answer("password", "x"),
    "a lone surrogate": _answer("tac_hopes", "a\ud800b"),
    "an answer to a question skipped": _answers(csw_contact=1, csw_relationship=10),
    "not applicable where asked": _answers(csw_contact=3, csw_relationship=-3),
    "a name for an ID": _person("Jane Smith 01021990"),
    "markup for an ID": _person("<b>X</b>"),
    "a formula for an ID": _person("=2+3"),
    "a 21-character ID": _person("TC-7KX-Q2M9-ABCDEFGHI"),
    "a surrogate ID": _person("TC-7KX-Q2M\ud800"),
    "completed in 2099": _field("completed_on", "2099-01-01"),
    "started before the study": _field("started_on", "2001-01-01"),
    "a date that is not one": _field("completed_on", "yesterday"),
    "a language not the study's": _field("language", "fr"),
    "a key with a newline": _field("submission_key", "k" * 32 + "\n"),
    "made-up flags": _field("flags", {"done_elsewhere": True, "reviewed": True}),
    "a flag's value": _field("flags", {"t1_outside_window": "yes"}),
    "another instrument at T1": _field("instrument_key", "mothers_t2"),
    "registered in 2099": _registered("2099-01-01T00:00:00"),
}


def test_forged_batch_values_are_refused_whole_with_one_line_and_nothing_saved(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a = laptops("a", bundle)
    answer(a, mother, "T1", "mothers_t1", Texts())
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))
    for name, edit in FORGED.items():
        forged = forge(server, a, tmp_path / "a.batch", tmp_path / "forged.batch", edit)
        refused = import_batch(server, forged)
        assert refused.exit_code == 1, (name, refused.output)
        assert "nothing imported" in refused.output, (name, refused.output)
        assert len(refused.output.splitlines()) == 1, (name, refused.output)
        assert kiosk_rows(server) == [], name
    with server.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 1
    # The same batch untouched imports: the checks refuse forgeries, not her answers.
    assert "1 responses inserted" in ok(import_batch(server, tmp_path / "a.batch"))


def test_a_batch_for_another_sites_mother_is_refused(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    with server.app_context():
        [elsewhere] = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, "eastwood_park")
        )
        db.session.commit()
        other = elsewhere.pseudonym
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a = laptops("a", bundle)
    answer(a, mother, "T1", "mothers_t1", Texts())
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))

    def hers(bodies: list[dict[str, Any]], people: list[Any]) -> None:
        bodies[0]["pseudonym"] = other

    def moved(bodies: list[dict[str, Any]], people: list[Any]) -> None:
        people.append({"pseudonym": other, "site": "send", "registered": "2024-01-01T00:00:00"})
        bodies[0]["pseudonym"] = other

    for edit in (hers, moved):
        forged = forge(server, a, tmp_path / "a.batch", tmp_path / "forged.batch", edit)
        refused = import_batch(server, forged)
        assert refused.exit_code == 1 and "another site" in refused.output, refused.output
    assert kiosk_rows(server) == []


def _fingerprint(output: str, prefix: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(prefix)).split(": ")[-1]


def test_init_shows_and_pins_the_signing_key_and_refuses_an_edited_bundle(
    server: Flask, tmp_path: Path
) -> None:
    bundle = tmp_path / "send.bundle"
    made = ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    study_print = _fingerprint(made, "signed with the study's signing key")
    original = json.loads(bundle.read_text())
    other_keys = tmp_path / "other-keys"
    ok(cli(server, "keygen", "--out", str(other_keys), input=PASSPHRASE + "\n"))
    other_public = json.loads((other_keys / "study_public.json").read_text())["public_key"]
    attacker = signing.read_study_key(other_keys)

    def laptop_app(name: str) -> Flask:
        app = create_app(app_config(f"sqlite:///{tmp_path / name}.db"))
        apps.append(app)
        return app

    apps: list[Flask] = []
    try:
        # Another sealing key, the signature kept: the bundle no longer matches it.
        edited = tmp_path / "edited.bundle"
        edited.write_text(json.dumps({**original, "public_key": other_public}))
        refused = cli(laptop_app("edited"), "init", str(edited))
        assert refused.exit_code == 1 and "altered after the server made it" in refused.output
        # Signed again by the attacker's key: shown, and refused when it is not the one read out.
        resigned = tmp_path / "resigned.bundle"
        doc = {**original, "public_key": other_public}
        doc["signing_key"] = signing.public_of(attacker)
        resigned.write_text(json.dumps(signing.sign(doc, attacker)))
        refused = cli(laptop_app("resigned"), "init", str(resigned), "--fingerprint", study_print)
        assert refused.exit_code == 1 and "did not come from the study's server" in refused.output
        assert signing.fingerprint(bytes(attacker.verify_key)) in refused.output
        for name in ("edited", "resigned"):
            with apps[0 if name == "edited" else 1].app_context():
                assert db.session.get(FieldInstance, 1) is None
        # Without --fingerprint it is taken, and its key is not called the study's.
        unchecked = ok(cli(laptop_app("unchecked"), "init", str(resigned)))
        assert "NOT checked" in unchecked and "study's signing key:" not in unchecked
        # The genuine bundle with the fingerprint read out: taken, and the key pinned.
        genuine = laptop_app("genuine")
        taken = ok(cli(genuine, "init", str(bundle), "--fingerprint", study_print.upper()))
        assert _fingerprint(taken, "signed by the study's signing key") == study_print
        own = _fingerprint(taken, "its signing key")  # the laptop's own, for its enrolment
        assert "--site send`" in taken  # the whole enrol command, as the data manager types it
        assert len(own.split()) == 8 and own != study_print
        with genuine.app_context():
            instance = db.session.get(FieldInstance, 1)
            assert instance is not None and instance.server_key == original["signing_key"]
    finally:
        for app in apps:
            with app.app_context():
                db.engine.dispose()


def test_refresh_refuses_a_bundle_not_signed_by_the_pinned_key_or_dated_ahead(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    laptop = laptops("a", bundle)
    original = json.loads(bundle.read_text())
    attacker = signing.new_key()
    later = (dt.datetime.fromisoformat(original["created"]) + dt.timedelta(minutes=5)).isoformat()
    other = {**original, "created": later, "signing_key": signing.public_of(attacker)}
    (tmp_path / "other.bundle").write_text(json.dumps(signing.sign(other, attacker)))
    refused = cli(laptop.app, "refresh", str(tmp_path / "other.bundle"))
    assert refused.exit_code == 1 and "not signed by the study's signing key" in refused.output
    # Dated 23 hours ahead (even signed by the server): refused, so it blocks nothing.
    ahead = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=23)
    future = server_signed(server, {**original, "created": ahead.isoformat()})
    (tmp_path / "future.bundle").write_text(json.dumps(future))
    refused = cli(laptop.app, "refresh", str(tmp_path / "future.bundle"))
    assert refused.exit_code == 1 and "made in the future" in refused.output
    ok(cli(server, "bundle", "--site", "send", "--out", str(tmp_path / "new.bundle")))
    assert "participants added" in ok(cli(laptop.app, "refresh", str(tmp_path / "new.bundle")))


def test_only_an_enrolled_laptop_that_is_not_revoked_sends_batches(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    stranger = laptops("stranger", bundle, enrol=False)
    answer(stranger, mother, "T1", "mothers_t1", Texts())
    ok(cli(stranger.app, "export", "--out", str(tmp_path / "s.batch")))
    refused = import_batch(server, tmp_path / "s.batch")
    assert refused.exit_code == 1 and "not enrolled" in refused.output
    # Enrolled for another site: refused at enrolment.
    wrong_site = cli(
        server, "enrol", str(tmp_path / "laptop-stranger.enrol.json"), "--site", "eastwood_park"
    )
    assert wrong_site.exit_code == 1 and "not enrolled" in wrong_site.output
    enrolled = ok(
        cli(server, "enrol", str(tmp_path / "laptop-stranger.enrol.json"), "--site", "send")
    )
    with stranger.app.app_context():
        instance = db.session.get(FieldInstance, 1)
        assert instance is not None
        laptop_id = instance.laptop_id
        assert enrolment.laptop_fingerprint(instance) in enrolled  # the same on both sides
    # A batch claiming another site than the laptop's enrolment: refused.
    doc = json.loads((tmp_path / "s.batch").read_text())
    (tmp_path / "elsewhere.batch").write_text(
        json.dumps(signed_by(stranger, {**doc, "site": "eastwood_park"}))
    )
    elsewhere = import_batch(server, tmp_path / "elsewhere.batch")
    assert elsewhere.exit_code == 1 and "enrolled for 'send'" in elsewhere.output
    ok(cli(server, "revoke", laptop_id))
    revoked = import_batch(server, tmp_path / "s.batch")
    assert revoked.exit_code == 1 and "revoked on" in revoked.output
    assert kiosk_rows(server) == []


def test_a_forged_batch_reusing_a_genuine_batch_id_does_not_block_it(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a, b = laptops("a", bundle), laptops("b", bundle)
    answer(a, mother, "T1", "mothers_t1", Texts())
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))
    ok(cli(b.app, "export", "--out", str(tmp_path / "b.batch")))
    genuine = json.loads((tmp_path / "a.batch").read_text())
    # Laptop B (enrolled, in the wrong hands) sends a batch under laptop A's batch id first.
    reused = forge(
        server,
        b,
        tmp_path / "b.batch",
        tmp_path / "reused.batch",
        lambda *_: None,
        batch_id=genuine["batch_id"],
    )
    ok(import_batch(server, reused))
    # Named as laptop A's, it is not signed by A.
    as_a = json.loads(reused.read_text())
    (tmp_path / "as-a.batch").write_text(
        json.dumps(signed_by(b, {**as_a, "laptop_id": genuine["laptop_id"]}))
    )
    assert "not signed by the laptop" in import_batch(server, tmp_path / "as-a.batch").output
    # A lone surrogate or a long id where the laptop's id goes: one line, no traceback.
    for odd in ("\ud800" * 36, "x" * 300):
        (tmp_path / "odd.batch").write_text(json.dumps({**as_a, "laptop_id": odd}))
        refused = import_batch(server, tmp_path / "odd.batch")
        assert refused.exit_code == 1 and len(refused.output.splitlines()) == 1, refused.output
        assert "not enrolled" in refused.output
    # A's genuine batch is A's own, and is imported in full.
    assert "1 responses inserted" in ok(import_batch(server, tmp_path / "a.batch"))


def test_a_laptop_id_that_is_not_one_is_refused_in_one_line_before_the_database(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    laptop = laptops("a", bundle, enrol=False)
    ok(cli(laptop.app, "export", "--out", str(tmp_path / "a.batch")))
    genuine = json.loads((tmp_path / "a.batch").read_text())
    enrolment_file = json.loads((tmp_path / "laptop-a.enrol.json").read_text())
    for odd in ("\ud800" * 36, "\x00" * 36, genuine["laptop_id"].upper()):
        # A batch naming it (signed by the laptop: the signature is checked after the lookup).
        (tmp_path / "odd.batch").write_text(
            json.dumps(signed_by(laptop, {**genuine, "laptop_id": odd}))
        )
        refused = import_batch(server, tmp_path / "odd.batch")
        assert refused.exit_code == 1 and "not enrolled" in refused.output, repr(refused)
        # An enrolment file naming it, signed with the laptop's key as its own would be.
        (tmp_path / "odd.enrol.json").write_text(
            json.dumps(signed_by(laptop, {**enrolment_file, "laptop_id": odd}))
        )
        refused = cli(server, "enrol", str(tmp_path / "odd.enrol.json"), "--site", "send")
        assert refused.exit_code == 1 and "altered" in refused.output, repr(refused)
    refused = cli(server, "revoke", "\udcff")
    assert refused.exit_code == 1 and "No laptop" in refused.output, repr(refused)
    with server.app_context():
        assert db.session.scalar(select(func.count()).select_from(FieldLaptop)) == 0


def test_outside_the_test_suite_the_private_key_is_wrapped_at_libsodiums_moderate_cost(
    tmp_path: Path,
) -> None:
    """The suite wraps keys at argon2id's minimum (it makes dozens); a real key never is."""
    import nacl.pwhash

    deployed = create_app(
        {
            "SURVEY_APP_ENV": "production",
            "SECRET_KEY": "k" * 32,
            "RATELIMIT_STORAGE_URI": "memory://",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'strong.db'}",
            "CHECK_DATABASE_ON_START": False,
        }
    )
    with deployed.app_context():
        sealing.generate(tmp_path / "keys", PASSPHRASE)
    stored = json.loads((tmp_path / "keys" / sealing.PRIVATE_FILE).read_text())
    assert stored["opslimit"] == nacl.pwhash.argon2id.OPSLIMIT_MODERATE
    assert stored["memlimit"] == nacl.pwhash.argon2id.MEMLIMIT_MODERATE
    assert sealing.unlock(tmp_path / "keys" / sealing.PRIVATE_FILE, PASSPHRASE).study_id


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


def test_a_laptop_set_up_from_a_bundle_another_key_signed_is_not_enrolled(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    """`field init` without --fingerprint takes an attacker's re-signed bundle (showing its
    fingerprint); enrolment is the second chance, and refuses that laptop."""
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    other_keys = tmp_path / "other-keys"
    ok(cli(server, "keygen", "--out", str(other_keys), input=PASSPHRASE + "\n"))
    attacker = signing.read_study_key(other_keys)
    other_public = json.loads((other_keys / "study_public.json").read_text())["public_key"]
    genuine = json.loads(bundle.read_text())
    for name, changes in {
        "both keys": {"public_key": other_public, "signing_key": signing.public_of(attacker)},
        "signing key": {"signing_key": signing.public_of(attacker)},
    }.items():
        (tmp_path / f"{name}.bundle").write_text(
            json.dumps(signing.sign({**genuine, **changes}, attacker))
        )
        laptops(name, tmp_path / f"{name}.bundle", enrol=False)
        refused = cli(
            server, "enrol", str(tmp_path / f"laptop-{name}.enrol.json"), "--site", "send"
        )
        assert refused.exit_code == 1, (name, refused.output)
        assert signing.fingerprint(bytes(attacker.verify_key)) in refused.output
        assert "not enrolled" in refused.output and len(refused.output.splitlines()) == 1
    # Signed by the server's key with another sealing key in it (had that key leaked).
    (tmp_path / "sealing.bundle").write_text(
        json.dumps(server_signed(server, {**genuine, "public_key": other_public}))
    )
    laptops("sealing", tmp_path / "sealing.bundle", enrol=False)
    refused = cli(server, "enrol", str(tmp_path / "laptop-sealing.enrol.json"), "--site", "send")
    assert refused.exit_code == 1 and "another key than the study's" in refused.output
    with server.app_context():
        assert db.session.scalar(select(func.count()).select_from(FieldLaptop)) == 0
    # A laptop set up from the server's own bundle is enrolled as before.
    laptops("genuine", bundle)


def test_a_file_nested_past_the_stack_or_with_a_huge_number_is_one_line(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    """Deep enough, JSON fails to parse (RecursionError); a little less deep, it parses and
    fails when re-encoded for its signature; 5000 digits fail int(). Each was a traceback."""
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    laptop = laptops("a", bundle)
    ok(cli(laptop.app, "export", "--out", str(tmp_path / "a.batch")))
    fresh = create_app(app_config(f"sqlite:///{tmp_path / 'fresh.db'}"))
    genuine = {
        "import": json.loads((tmp_path / "a.batch").read_text()),
        "init": json.loads(bundle.read_text()),
        "refresh": json.loads(bundle.read_text()),
        "enrol": json.loads((tmp_path / "laptop-a.enrol.json").read_text()),
    }
    run: dict[str, Callable[[Path], Result]] = {
        "import": lambda path: import_batch(server, path),
        "init": lambda path: cli(fresh, "init", str(path)),
        "refresh": lambda path: cli(laptop.app, "refresh", str(path)),
        "enrol": lambda path: cli(server, "enrol", str(path), "--site", "send"),
    }
    try:
        for depth in [*range(850, 1010, 10), 100_000]:
            for name, doc in genuine.items():
                path = tmp_path / f"deep-{name}.json"
                nested = "[" * depth + "]" * depth
                path.write_text(json.dumps(doc)[:-1] + f', "deep": {nested}}}')
                refused = run[name](path)
                assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit), (
                    name,
                    depth,
                    repr(refused.exception),
                )
        (tmp_path / "huge.json").write_text('{"format": 1, "n": ' + "1" * 5000 + "}")
        for name in ("import", "init"):
            refused = run[name](tmp_path / "huge.json")
            assert refused.exit_code == 1 and "not readable JSON" in refused.output, name
    finally:
        with fresh.app_context():
            db.engine.dispose()


def decline(laptop: Laptop, pseudonym: str, wave: str) -> None:
    """She enters her ID at the laptop's kiosk and says, and confirms, that she does not want
    to take part."""
    client = laptop.client
    unlock(client, wave)
    started = submit_form(client, "/kiosk/start", {"participant_id": pseudonym})
    assert started.headers["Location"] == "/kiosk/page/0", started.get_data(as_text=True)
    page = client.get("/kiosk/page/0")
    pressed = client.post(
        "/kiosk/page/0", data={"csrf_token": csrf_token(page), "action": "decline"}
    )
    assert pressed.headers["Location"] == "/kiosk/decline"
    sure = client.get("/kiosk/decline")
    done = client.post("/kiosk/decline", data={"csrf_token": csrf_token(sure)})
    assert done.headers["Location"] == "/kiosk/lock"
    client.get("/kiosk/exit")
    submit_form(client, "/kiosk/exit", {"password": PASSWORD})


def declines_held(app: Flask) -> list[tuple[str | None, str, str, dt.date]]:
    with app.app_context():
        return [
            (
                d.participant.pseudonym if d.participant else None,
                d.site.code if d.site else "",
                d.wave.code if d.wave else "",
                d.declined_on,
            )
            for d in db.session.scalars(select(Decline).order_by(Decline.id))
        ]


def test_a_decline_made_on_a_laptop_reaches_the_server_once(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    no, yes = register(server), register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a = laptops("a", bundle)
    decline(a, no, "T1")
    answer(a, yes, "T1", "mothers_t1", Texts())
    [(_, _, _, day)] = on_laptop = declines_held(a.app)
    assert on_laptop == [(no, "send", "T1", day)] and declines_held(server) == []
    banner = a.client.get("/research/").get_data(as_text=True)
    assert "1 response sealed and 1 decline, waiting to go to the server" in banner

    exported = ok(cli(a.app, "export", "--out", str(tmp_path / "a1.batch")))
    assert "1 sealed responses, 1 declines" in exported
    assert "declined_on" not in (tmp_path / "a1.batch").read_text()  # sealed, as answers are
    first = ok(import_batch(server, tmp_path / "a1.batch"))
    assert "1 declines recorded, 0 held already" in first
    # The receipt is lost: the laptop's next batch carries the decline again.
    ok(cli(a.app, "export", "--out", str(tmp_path / "a2.batch")))
    second = ok(import_batch(server, tmp_path / "a2.batch"))
    assert "0 declines recorded, 1 held already" in second
    assert "imported already" in ok(import_batch(server, tmp_path / "a1.batch"))
    assert declines_held(server) == [(no, "send", "T1", day)]

    # The researchers' count has it, beside the mother who agreed and sent.
    client = server.test_client()
    factories.user(server, role="researcher", email="r@example.org")
    submit_form(client, "/login", {"email": "r@example.org", "password": PASSWORD})
    body = client.get("/research/").get_data(as_text=True)
    table = body.split('id="participation">')[1].split("</table>")[0]
    cells = [c.split(">")[-1] for c in table.split("</td>")[:-1]]
    assert cells[-5:] == ["HMP Send", "2", "1", "1", "1"], cells

    # Confirmed by the second batch's receipt: the laptop lets go of it, the server keeps it.
    confirmed = ok(cli(a.app, "confirm", str(tmp_path / "a2.batch.receipt.json")))
    assert "deleted 1 sealed responses and 1 declines" in confirmed
    assert declines_held(a.app) == []
    ok(cli(a.app, "export", "--out", str(tmp_path / "a3.batch")))
    assert "0 declines recorded, 0 held already" in ok(import_batch(server, tmp_path / "a3.batch"))
    assert declines_held(server) == [(no, "send", "T1", day)]


def test_a_withdrawn_mothers_laptop_decline_is_counted_without_her_id(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    mother = register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a = laptops("a", bundle)
    decline(a, mother, "T1")
    with server.app_context():
        found = participant_ops.find(db.session, mother)
        assert found is not None
        participant_ops.withdraw(db.session, found, "delete", "she asked to leave", None)
        db.session.commit()
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))
    assert "1 declines recorded" in ok(import_batch(server, tmp_path / "a.batch"))
    [(who, site, wave, _)] = declines_held(server)
    assert (who, site, wave) == (None, "send", "T1")


def _declined(name: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def edit(said_no: list[dict[str, Any]]) -> None:
        said_no[0][name] = value

    return edit


def _extra_field(said_no: list[dict[str, Any]]) -> None:
    said_no[0]["answers"] = {"css_trust": 1}


FORGED_DECLINES: dict[str, Callable[[list[dict[str, Any]]], None]] = {
    "another site": _declined("site", "eastwood_park"),
    "a wave not the study's": _declined("wave", "T9"),
    "declined in 2099": _declined("declined_on", "2099-01-01"),
    "declined before the study": _declined("declined_on", "2001-01-01"),
    "a date that is not one": _declined("declined_on", "last week"),
    "an ID nobody registered": _declined("pseudonym", "TC-7KX-Q2M9"),
    "markup for an ID": _declined("pseudonym", "<b>X</b>"),
    "a key with a newline": _declined("sync_key", "k" * 32 + "\n"),
    "answers carried in a decline": _extra_field,
}


def test_an_edited_or_forged_decline_refuses_the_batch_whole(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    mother, other = register(server), register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a = laptops("a", bundle)
    decline(a, mother, "T1")
    answer(a, other, "T1", "mothers_t1", Texts())
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))
    genuine = json.loads((tmp_path / "a.batch").read_text())

    # Edited in the file (a decline dropped, or its key changed) without the study's sums.
    for name, changed in {
        "dropped": {"declines": []},
        "rekeyed": {"declines": [{**genuine["declines"][0], "sync_key": "k" * 32}]},
    }.items():
        (tmp_path / "edited.batch").write_text(json.dumps(signed_by(a, {**genuine, **changed})))
        refused = import_batch(server, tmp_path / "edited.batch")
        assert refused.exit_code == 1 and "altered" in refused.output, (name, refused.output)
    # Edited, then sealed, summed and signed again as the laptop would.
    for name, edit in FORGED_DECLINES.items():
        forged = forge(
            server,
            a,
            tmp_path / "a.batch",
            tmp_path / "forged.batch",
            lambda *_: None,
            edit_declines=edit,
        )
        refused = import_batch(server, forged)
        assert refused.exit_code == 1, (name, refused.output)
        assert refused.output.startswith("decline 1: "), (name, refused.output)
        assert len(refused.output.splitlines()) == 1 and "nothing imported" in refused.output
    # Signed by another key than the laptop's: refused before it is opened.
    stranger = signing.new_key()
    (tmp_path / "stranger.batch").write_text(json.dumps(signing.sign(genuine, stranger)))
    refused = import_batch(server, tmp_path / "stranger.batch")
    assert refused.exit_code == 1 and "not signed by the laptop" in refused.output
    assert declines_held(server) == [] and kiosk_rows(server) == []
    # The genuine batch imports: the checks refuse forgeries, not her decline.
    assert "1 declines recorded" in ok(import_batch(server, tmp_path / "a.batch"))


def test_a_batch_from_a_laptop_not_yet_updated_still_imports(
    server: Flask, laptops: Callable[..., Laptop], tmp_path: Path
) -> None:
    """Format 2 (before declines travelled): its responses are imported as before."""
    mother = register(server)
    bundle = tmp_path / "send.bundle"
    ok(cli(server, "bundle", "--site", "send", "--out", str(bundle)))
    a = laptops("a", bundle)
    answer(a, mother, "T1", "mothers_t1", Texts())
    ok(cli(a.app, "export", "--out", str(tmp_path / "a.batch")))
    old = forge(server, a, tmp_path / "a.batch", tmp_path / "old.batch", lambda *_: None)
    doc = json.loads(old.read_text())
    doc["version"] = 2
    del doc["declines"]
    opener, key = _study_keys(server.config["FIELD_KEY_DIR"])
    manifest = json.loads(opener.open(sealing.unb64(doc["manifest"])))
    del manifest["declines"]
    header = {k: doc[k] for k in batch.HEADER_KEYS}
    manifest["digest"] = batch._digest(header, doc["items"], doc["registrations"], [])
    doc["manifest"] = sealing.b64(key.seal(json.dumps(manifest).encode()))
    old.write_text(json.dumps(signed_by(a, doc)))
    assert "1 responses inserted" in ok(import_batch(server, old))
