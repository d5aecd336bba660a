"""Batches carried from a laptop to the server. A batch is JSON: a header (study, laptop,
batch), the sealed responses, the participants the laptop knows, the sealed declines (from
version 3), and a sealed manifest (counts, BLAKE2b digest of everything else, and a secret
for the receipt). Each item is a sealed box (authenticated); the manifest catches a batch
cut short, reordered or edited, and the laptop's signature one made elsewhere."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import nacl.exceptions
from sqlalchemy import select

from ..models import Channel, Participant, Response, ResponseStatus, Site
from ..models.field import FieldBatch, FieldExport, FieldInstance, ResponseConflict, SealedResponse
from ..models.types import DbSession, utcnow
from ..services.responses import live_response
from . import declines as field_declines
from . import jsonfile, signing
from .bundle import when
from .items import (
    CLOCK_SKEW,
    BatchError,
    CheckedItem,
    Registration,
    check_item,
    check_registrations,
    participant_at_site,
)
from .receipts import make_receipt
from .sealing import Opener, StudyKey, b64, unb64

FORMAT = "survey_app-field-batch"
# 2: the header names the site, and the laptop signs it all (issue 21); 3: declines too
# (issue 25). A laptop not yet updated still writes 2, read as a batch without declines.
VERSION = 3
READ_VERSIONS = (2, 3)


def _digest(
    header: dict[str, Any], items: list[Any], registrations: list[Any], declines: list[Any]
) -> str:
    parts = [header, items, registrations] + ([declines] if header["version"] >= 3 else [])
    canonical = json.dumps(parts, sort_keys=True).encode()
    return hashlib.blake2b(canonical, digest_size=32).hexdigest()


def export(session: DbSession, instance: FieldInstance) -> dict[str, Any]:
    """Every sealed response the laptop still holds (a lost batch is covered by the next),
    and its participants; recorded so that its receipt can be checked."""
    header = {
        "format": FORMAT,
        "version": VERSION,
        "study_id": instance.study_id,
        "laptop_id": instance.laptop_id,
        "site": instance.site_code,
        "batch_id": str(uuid.uuid4()),
        "created": when(utcnow()),
    }
    key = StudyKey(instance.study_id, unb64(instance.public_key))
    items = [
        {
            "submission_key": s.submission_key,
            "sealed_at": when(s.sealed_at),
            "sealed": b64(s.ciphertext),
        }
        for s in session.scalars(select(SealedResponse).order_by(SealedResponse.sealed_at))
    ]
    declines = field_declines.sealed(session, key)
    registrations = [
        {"pseudonym": p.pseudonym, "site": site_code, "registered": when(p.created_at)}
        for p, site_code in session.execute(
            select(Participant, Site.code).join(Site).order_by(Participant.pseudonym)
        )
    ]
    secret = secrets.token_hex(32)
    manifest = {
        "batch_id": header["batch_id"],
        "count": len(items),
        "declines": len(declines),
        "digest": _digest(header, items, registrations, declines),
        "secret": secret,
    }
    session.add(FieldExport(batch_id=header["batch_id"], secret=secret, item_count=len(items)))
    session.flush()
    doc = {
        **header,
        "items": items,
        "registrations": registrations,
        "declines": declines,
        "manifest": b64(key.seal(json.dumps(manifest).encode())),
    }
    if instance.signing_key is None:
        raise BatchError(
            "This laptop was set up before laptops had signing keys: set it up again with "
            "`field init` once what it holds is sent."
        )
    return signing.sign(doc, signing.key_from_seed(instance.signing_key))


@dataclass
class OpenedBatch:
    header: dict[str, Any]
    secret: str
    items: list[Any]  # the opened payloads, checked at import (items.check_item)
    registrations: list[Any]
    declines: list[Any] = field(default_factory=list)  # opened, checked at import


def parse(raw: bytes) -> dict[str, Any]:
    try:
        doc = jsonfile.loads(raw)
    except ValueError:
        raise BatchError(
            "This batch is damaged or cut short (it is not readable JSON): nothing was imported."
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BatchError("This file is not a field batch: nothing was imported.")
    if doc.get("version") not in READ_VERSIONS:
        raise BatchError(
            f"This batch has format version {str(doc.get('version'))[:8]!r}; expected {VERSION}: "
            "nothing was imported."
        )
    return doc


def open_batch(doc: dict[str, Any], opener: Opener) -> OpenedBatch:
    """Check and decrypt everything before anything is written."""
    damaged = BatchError("This batch is damaged or was altered: nothing was imported.")
    try:
        header = {k: doc[k] for k in HEADER_KEYS}
        items, registrations = doc["items"], doc["registrations"]
        declines = doc["declines"] if header["version"] >= 3 else []
        if not all(isinstance(part, list) for part in (items, registrations, declines)):
            raise damaged
        _check_header(header)
    except (KeyError, TypeError, ValueError):
        raise damaged from None
    if header["study_id"] != opener.study_id:
        raise BatchError("This batch is for another study: nothing was imported.")
    try:
        manifest = jsonfile.loads(opener.open(unb64(doc["manifest"])))
        if (
            manifest["batch_id"] != header["batch_id"]
            or manifest["count"] != len(items)
            or manifest.get("declines", 0) != len(declines)
            or manifest["digest"] != _digest(header, items, registrations, declines)
        ):
            raise damaged
        opened = []
        for item in items:
            body = jsonfile.loads(opener.open(unb64(item["sealed"])))
            if body["submission_key"] != item["submission_key"]:
                raise damaged
            opened.append(body)
        opened_declines = []
        for decline in declines:
            body = jsonfile.loads(opener.open(unb64(decline["sealed"])))
            if body["sync_key"] != decline["sync_key"]:
                raise damaged
            opened_declines.append(body)
        secret = manifest["secret"]
        if not isinstance(secret, str) or len(secret) != 64:
            raise damaged
        bytes.fromhex(secret)
    except (KeyError, TypeError, ValueError, nacl.exceptions.CryptoError):
        raise damaged from None
    return OpenedBatch(header, secret, opened, registrations, opened_declines)


HEADER_KEYS = ("format", "version", "study_id", "laptop_id", "site", "batch_id", "created")


def _check_header(header: dict[str, Any]) -> None:
    """Ids shaped as the laptop makes them, before any reaches the database or a message."""
    for name in ("laptop_id", "batch_id"):
        if not isinstance(header[name], str) or str(uuid.UUID(header[name])) != header[name]:
            raise ValueError(name)
    if not isinstance(header["site"], str) or not header["site"].isascii():
        raise ValueError("site")
    created = dt.datetime.fromisoformat(header["created"])
    if created.tzinfo is not None or created > utcnow() + CLOCK_SKEW:
        raise BatchError(f"This batch says it was made in the future ({created:%Y-%m-%d}).")


@dataclass
class ImportReport:
    batch_id: str
    inserted: int = 0
    conflicts: int = 0
    already_held: int = 0
    registered: int = 0
    declines: int = 0
    declines_held: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    again: dt.datetime | None = None  # set when the batch had been imported before
    receipt: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.again is not None:
            return [
                f"batch {self.batch_id} was imported already on {self.again:%Y-%m-%d %H:%M}: "
                "nothing imported again; its receipt is written again"
            ]
        lines = [
            f"batch {self.batch_id}: {self.inserted} responses inserted, "
            f"{self.conflicts} kept as duplicates for a researcher to choose, "
            f"{self.already_held} held already, {self.registered} participants registered",
            f"{self.declines} declines recorded, {self.declines_held} held already",
        ]
        for reason, count in self.dropped.items():
            lines.append(f"dropped {count}: {reason}")
        return lines


WITHDRAWN = "the participant withdrew on the server (her field answers are not kept)"


def import_batch(session: DbSession, opened: OpenedBatch) -> ImportReport:
    """Insert each response exactly once (by submission key), and each decline once (by its
    key), in the caller's transaction. A second response for a participant and wave is kept
    as a duplicate; a withdrawn participant's responses are dropped, her declines counted
    without her ID."""
    header = opened.header
    report = ImportReport(batch_id=header["batch_id"])
    earlier = session.get(FieldBatch, (header["laptop_id"], header["batch_id"]))
    if earlier is not None:
        report.again, report.receipt = earlier.imported_at, earlier.receipt
        return report
    site = session.scalar(select(Site).where(Site.code == header["site"]))
    if site is None:
        raise BatchError(f"This batch is for an unknown site {header['site']!r}: nothing imported.")
    checked = [check_item(session, body, i) for i, body in enumerate(opened.items)]
    people = check_registrations(session, opened.registrations, site)
    found = [_participant(session, c, i, site, people) for i, c in enumerate(checked)]
    now = utcnow()
    said_no = [
        field_declines.check(session, body, i, site, now) for i, body in enumerate(opened.declines)
    ]
    whose = [
        field_declines.find_participant(session, d, i, site, people) for i, d in enumerate(said_no)
    ]
    settled: list[str] = []
    for item, participant in zip(checked, found, strict=True):
        body, key = item.body, item.body["submission_key"]
        if participant is None:
            participant = _register(session, people[body["pseudonym"]], site, report)
        if participant.withdrawn_at is not None:
            report.dropped[WITHDRAWN] = report.dropped.get(WITHDRAWN, 0) + 1
            settled.append(key)
            continue
        held = session.scalar(
            select(Response.id).where(Response.submission_key == key)
        ) or session.scalar(
            select(ResponseConflict.id).where(ResponseConflict.submission_key == key)
        )
        settled.append(key)
        if held:
            report.already_held += 1
            continue
        _insert(session, item, participant, header["laptop_id"], report)
    for decline, participant in zip(said_no, whose, strict=True):
        settled.append(decline.sync_key)
        if field_declines.held(session, decline.sync_key):
            report.declines_held += 1
            continue
        if participant is None and decline.pseudonym is not None:
            participant = _register(session, people[decline.pseudonym], site, report)
        field_declines.insert(session, decline, site, participant)
        report.declines += 1
    report.receipt = make_receipt(header, opened.secret, settled)
    _record(session, header, report)
    return report


def _record(session: DbSession, header: dict[str, Any], report: ImportReport) -> None:
    """The batch as imported, so that a second import of it is recognised."""
    session.add(
        FieldBatch(
            batch_id=header["batch_id"],
            laptop_id=header["laptop_id"],
            counts={
                "inserted": report.inserted,
                "conflicts": report.conflicts,
                "already_held": report.already_held,
                "registered": report.registered,
                "declines": report.declines,
                "declines_held": report.declines_held,
                "dropped": report.dropped,
            },
            receipt=report.receipt,
        )
    )
    session.flush()


def _insert(
    session: DbSession,
    item: CheckedItem,
    participant: Participant,
    laptop_id: str,
    report: ImportReport,
) -> None:
    """One new response, or a duplicate beside the live one for her wave."""
    body = item.body
    fields = {
        "instrument_version": item.version,
        "participant": participant,
        "wave": item.wave,
        "submission_key": body["submission_key"],
        "answers": body["answers"],
        "language": body["language"],
        "started_on": item.started_on,
        "completed_on": item.completed_on,
        "flags": {**body["flags"], "field_laptop": laptop_id},
    }
    if live_response(session, participant, item.wave) is not None:
        session.add(ResponseConflict(laptop_id=laptop_id, **fields))
        report.conflicts += 1
    else:
        session.add(Response(channel=Channel.KIOSK, status=ResponseStatus.COMPLETE, **fields))
        report.inserted += 1
    session.flush()


def _participant(
    session: DbSession,
    item: CheckedItem,
    index: int,
    site: Site,
    people: dict[str, Registration],
) -> Participant | None:
    """The server's participant for an item (at the batch's site), or None when the batch
    registers her; checked for every item before anything is written."""
    name = item.body["pseudonym"]
    found = participant_at_site(session, name, site, index)
    if found is None and name not in people:
        raise BatchError(
            f"item {index + 1}: a response is for {name}, whom neither the server nor the "
            "batch registers: nothing imported."
        )
    return found


def _register(
    session: DbSession, registration: Registration, site: Site, report: ImportReport
) -> Participant:
    found: Participant | None = session.scalar(
        select(Participant).where(Participant.pseudonym == registration.pseudonym)
    )
    if found is not None:  # registered by an earlier item of this batch
        return found
    participant = Participant(
        pseudonym=registration.pseudonym, site=site, created_at=registration.registered
    )
    session.add(participant)
    session.flush()
    report.registered += 1
    return participant
