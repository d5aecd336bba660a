"""``flask --app survey_app field ...``: keygen, bundle (server), init, refresh, export,
purge-drafts, confirm (laptop), import (server). Each command commits once, at its end, or
writes nothing."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import AppGroup
from flask_migrate import upgrade

from ..config import current_settings
from ..extensions import db
from ..models import record_audit
from ..models.field import FieldInstance
from ..services import participants as participant_ops
from . import batch, bundle, enrolment, items, receipts, sealing, sending, signing

field = AppGroup("field", help="Field laptops: bundles, sealed answers, batches and receipts.")


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _key_dir() -> Path:
    return Path(current_settings().field_key_dir)


def _read_passphrase(confirm: bool) -> str:
    if sys.stdin.isatty():
        text: str = click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)
        return text
    return sys.stdin.readline().rstrip("\n")


def _write(path: str, doc: dict[str, Any]) -> int:
    data = json.dumps(doc, separators=(",", ":")).encode()
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror}")
    return len(data)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}")


def _laptop() -> FieldInstance:
    instance = sending.field_instance(db.session)
    if instance is None:
        _fail("This is not a field laptop (run `field init BUNDLE` on the laptop).")
    return instance


@field.command("keygen")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True)
def keygen(out_dir: str) -> None:
    """Make the study's key pair; the passphrase is prompted for (or read from standard
    input). Keep the private key file and its passphrase apart, and back both up."""
    try:
        key = sealing.generate(Path(out_dir), _read_passphrase(confirm=True))
        signer = signing.write_study_key(Path(out_dir))
    except (sealing.StudyKeyError, signing.SignatureError) as exc:
        _fail(str(exc))
    click.echo(
        f"study {key.study_id}: wrote {sealing.PUBLIC_FILE}, {sealing.PRIVATE_FILE} "
        f"and {signing.SIGNING_FILE}"
    )
    click.echo(
        f"the server reads {sealing.PUBLIC_FILE} and {signing.SIGNING_FILE} from FIELD_KEY_DIR "
        "(or copy them there); the private key stays offline"
    )
    click.echo(f"the study's signing key: {signing.fingerprint(bytes(signer.verify_key))}")


@field.command("signing-key")
def signing_key() -> None:
    """Make the study's bundle signing key in FIELD_KEY_DIR (for a study keyed before
    bundles were signed), or show the fingerprint of the one there."""
    path = _key_dir() / signing.SIGNING_FILE
    try:
        signer = (
            signing.read_study_key(_key_dir())
            if path.exists()
            else signing.write_study_key(_key_dir())
        )
    except signing.SignatureError as exc:
        _fail(str(exc))
    click.echo(f"the study's signing key ({path}): {signing.fingerprint(bytes(signer.verify_key))}")


@field.command("enrol")
@click.argument("enrolment_path", type=click.Path(dir_okay=False))
@click.option("--site", "site_code", required=True, help="The site the laptop works at.")
def enrol(enrolment_path: str, site_code: str) -> None:
    """Let a laptop's batches in: enrol it from the file its `field init` wrote. Compare the
    fingerprint shown with the one the laptop showed."""
    try:
        study = sealing.read_public(_key_dir() / sealing.PUBLIC_FILE)
        signer = signing.read_study_key(_key_dir())
        laptop = enrolment.enrol(
            db.session, _read(enrolment_path), site_code, study, signing.public_of(signer)
        )
    except (sealing.StudyKeyError, signing.SignatureError, enrolment.EnrolmentError) as exc:
        _fail(str(exc))
    record_audit(
        db.session,
        kind="field.enrolled",
        target=f"laptop:{laptop.laptop_id}",
        detail={"site": laptop.site_code},
    )
    db.session.commit()
    shown = signing.fingerprint(signing.verify_key_of(laptop.verify_key))
    click.echo(f"enrolled laptop {laptop.laptop_id} for site {laptop.site_code}")
    click.echo(f"its signing key: {shown} (compare: the laptop showed its own at `field init`)")


@field.command("revoke")
@click.argument("laptop_id")
def revoke(laptop_id: str) -> None:
    """A lost or retired laptop: no batch it signs is imported from now on."""
    try:
        laptop = enrolment.revoke(db.session, laptop_id)
    except enrolment.EnrolmentError as exc:
        _fail(str(exc))
    record_audit(db.session, kind="field.revoked", target=f"laptop:{laptop.laptop_id}")
    db.session.commit()
    click.echo(f"laptop {laptop.laptop_id} revoked: none of its batches will be imported")


@field.command("bundle")
@click.option("--site", "site_code", required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), required=True)
def make_bundle(site_code: str, out_path: str) -> None:
    """Write the bundle a laptop at SITE needs (no answers)."""
    try:
        site = participant_ops.site_by_code(db.session, site_code)
        key = sealing.read_public(_key_dir() / sealing.PUBLIC_FILE)
        signer = signing.read_study_key(_key_dir())
    except (participant_ops.UnknownSite, sealing.StudyKeyError, signing.SignatureError) as exc:
        _fail(str(exc))
    doc = bundle.build(db.session, site, key, signer)
    size = _write(out_path, doc)
    record_audit(
        db.session,
        kind="field.bundle",
        target=f"site:{site.code}",
        detail={"bundle": doc["bundle_id"], "participants": len(doc["participants"])},
    )
    db.session.commit()
    click.echo(
        f"wrote {out_path} ({size} bytes: {len(doc['participants'])} participants, "
        f"{len(doc['users'])} fieldworkers, {len(doc['instruments'])} instrument versions)"
    )
    click.echo(
        f"signed with the study's signing key: {signing.fingerprint(bytes(signer.verify_key))}"
    )


def _apply(path: str, laptop_id: str | None, expected: str | None = None) -> None:
    try:
        doc = bundle.parse(_read(path))
        shown = signing.fingerprint(signing.verify_key_of(doc["signing_key"]))
        if expected is not None and _compact(expected) != _compact(shown):
            _fail(
                f"This bundle is signed by key {shown}, not {expected}: refused. "
                "It did not come from the study's server."
            )
        done = bundle.apply(db.session, doc, laptop_id=laptop_id)
    except bundle.BundleError as exc:
        _fail(str(exc))
    db.session.commit()
    if laptop_id is None or expected is not None:  # refresh checks the key pinned at init
        click.echo(f"signed by the study's signing key: {shown}")
    else:
        # Nothing checked it: saying "the study's" would vouch for a re-signed bundle.
        click.echo(
            f"signed by key {shown}, NOT checked: compare it with the study's signing key "
            "that the data manager reads out (or give --fingerprint)"
        )
    click.echo(
        f"site {doc['site']['code']}: {done.participants_added} participants added, "
        f"{done.withdrawals} withdrawals, {done.users} fieldworkers, "
        f"{done.instruments_added} instrument versions added"
    )


def _compact(fingerprint: str) -> str:
    return "".join(fingerprint.split()).lower()


@field.command("init")
@click.argument("bundle_path", type=click.Path(dir_okay=False))
@click.option(
    "--fingerprint",
    "expected",
    default=None,
    help="The study's signing key fingerprint as the data manager reads it out: "
    "a bundle signed by another key is refused.",
)
@click.option(
    "--enrolment",
    "enrolment_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the laptop's enrolment file (default: BUNDLE.enrol.json).",
)
def init(bundle_path: str, expected: str | None, enrolment_path: str | None) -> None:
    """Make this (empty, migrated here) database a field laptop from a bundle; pin the
    study's signing key and make the laptop's own, for the data manager to enrol."""
    upgrade()
    laptop_id = str(uuid.uuid4())
    _apply(bundle_path, laptop_id, expected)
    instance = _laptop()
    out = enrolment_path or f"{bundle_path}.enrol.json"
    _write(out, enrolment.request_for(instance))
    click.echo(f"this is field laptop {laptop_id}")
    click.echo(
        "its signing key (this laptop's own, to read to the data manager at enrolment): "
        f"{enrolment.laptop_fingerprint(instance)}"
    )
    click.echo(
        f"wrote {out}: the data manager enrols it with "
        f"`field enrol {Path(out).name} --site {instance.site_code}`"
    )


@field.command("refresh")
@click.argument("bundle_path", type=click.Path(dir_okay=False))
def refresh(bundle_path: str) -> None:
    """Take a newer bundle (drafts and sealed answers stay)."""
    _apply(bundle_path, None)


@field.command("purge-drafts")
def purge_drafts() -> None:
    """Delete drafts older than FIELD_DRAFT_HOURS."""
    _laptop()
    hours = current_settings().field_draft_hours
    count = sending.purge_drafts(db.session, hours)
    db.session.commit()
    click.echo(f"deleted {count} drafts started more than {hours} hours ago")


@field.command("export")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), required=True)
def export(out_path: str) -> None:
    """Write a batch of the sealed responses and declines (and the laptop's participants)."""
    instance = _laptop()
    purged = sending.purge_drafts(db.session, current_settings().field_draft_hours)
    doc = batch.export(db.session, instance)
    size = _write(out_path, doc)
    db.session.commit()
    click.echo(
        f"wrote {out_path} ({size} bytes: {len(doc['items'])} sealed responses, "
        f"{len(doc['declines'])} declines); {purged} old drafts purged"
    )


@field.command("import")
@click.argument("batch_path", type=click.Path(dir_okay=False))
@click.option("--key", "key_path", type=click.Path(dir_okay=False), default=None)
@click.option("--receipt", "receipt_path", type=click.Path(dir_okay=False), default=None)
def import_(batch_path: str, key_path: str | None, receipt_path: str | None) -> None:
    """Decrypt a batch (the private key's passphrase on standard input) and insert each
    response once; write the receipt for the laptop (default: BATCH.receipt.json)."""
    if sending.field_instance(db.session) is not None:
        _fail("This is a field laptop: batches are imported on the research server.")
    doc = _parse_batch(batch_path)
    try:
        enrolment.sender(db.session, doc)
        opener = sealing.unlock(
            Path(key_path) if key_path else _key_dir() / sealing.PRIVATE_FILE,
            _read_passphrase(confirm=False),
        )
        report = batch.import_batch(db.session, batch.open_batch(doc, opener))
    except (sealing.StudyKeyError, items.BatchError, enrolment.EnrolmentError) as exc:
        _fail(str(exc))
    if report.again is None:
        record_audit(
            db.session,
            kind="field.imported",
            target=f"batch:{report.batch_id}",
            detail={"inserted": report.inserted, "conflicts": report.conflicts},
        )
    db.session.commit()
    out = receipt_path or f"{batch_path}.receipt.json"
    _write(out, report.receipt)
    for line in report.lines():
        click.echo(line)
    click.echo(f"wrote receipt {out}")


def _parse_batch(path: str) -> dict[str, Any]:
    try:
        return batch.parse(_read(path))
    except items.BatchError as exc:
        _fail(str(exc))


@field.command("confirm")
@click.argument("receipt_path", type=click.Path(dir_okay=False))
def confirm(receipt_path: str) -> None:
    """Delete the sealed copies and declines that the server's receipt says it holds, and
    only those."""
    instance = _laptop()
    try:
        done = receipts.confirm(db.session, instance, _read(receipt_path))
    except receipts.ReceiptError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(
        f"deleted {done.responses} sealed responses and {done.declines} declines the server holds"
    )
