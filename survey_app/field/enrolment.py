"""Enrolled laptops (issue 21). ``field init`` makes the laptop's signing key and writes an
enrolment file; the data manager enrols it on the server for one site (``field enrol``, the
fingerprint shown on both sides to be compared); the server imports only batches signed by an
enrolled laptop that is not revoked (``field revoke``), for the site it was enrolled for."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from ..models import Site
from ..models.field import FieldInstance, FieldLaptop
from ..models.types import DbSession, utcnow
from ..user_errors import UserError
from . import jsonfile, signing
from .sealing import StudyKey, b64

FORMAT = "survey_app-field-enrolment"


class EnrolmentError(UserError, ValueError):
    """An enrolment, revocation or sender refused; the message says why in one line."""


def laptop_id_of(value: object) -> str | None:
    """A laptop id as ``field init`` makes one (a UUID's text), or None: checked before it
    reaches the database, which refuses a NUL (PostgreSQL) or a lone surrogate (both) with an
    error, not a miss."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return value if str(uuid.UUID(value)) == value else None
    except ValueError:
        return None


def laptop_fingerprint(instance: FieldInstance) -> str:
    key = signing.key_from_seed(str(instance.signing_key))
    return signing.fingerprint(bytes(key.verify_key))


def request_for(instance: FieldInstance) -> dict[str, Any]:
    """What the laptop gives the data manager: its id, site and public key, and the keys it
    took from its bundle (the study's signing key it pinned, the key it seals to), signed
    with the key itself (so that the file was made by whoever holds it)."""
    key = signing.key_from_seed(str(instance.signing_key))
    doc = {
        "format": FORMAT,
        "study_id": instance.study_id,
        "laptop_id": instance.laptop_id,
        "site": instance.site_code,
        "verify_key": signing.public_of(key),
        "server_key": instance.server_key,
        "public_key": instance.public_key,
    }
    return signing.sign(doc, key)


def _shown(key: object) -> str:
    try:
        return signing.fingerprint(signing.verify_key_of(key))
    except signing.SignatureError:
        return "none"


def enrol(
    session: DbSession, raw: bytes, site_code: str, study: StudyKey, server_key: str
) -> FieldLaptop:
    """Enrol the laptop of an enrolment file for ``site_code``, as the data manager says,
    once it is known to have been set up from a bundle of this server (``server_key``, the
    study's signing key, and ``study``, the key its answers are sealed to)."""
    try:
        doc = jsonfile.loads(raw)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError
        key = signing.verify_key_of(doc["verify_key"])
        laptop_id, site = laptop_id_of(doc["laptop_id"]), doc["site"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise EnrolmentError("This file is not a laptop's enrolment file.") from None
    if not signing.verifies(doc, key) or laptop_id is None:
        raise EnrolmentError("This enrolment file was altered after the laptop wrote it.")
    if doc["study_id"] != study.study_id:
        raise EnrolmentError("This laptop was set up for another study.")
    # Set up from a bundle someone else signed (its fingerprint not compared at init): its
    # answers would be sealed to their key, not the study's.
    again = "not enrolled. Set it up again with `field init --fingerprint` from a bundle made here."
    if doc.get("server_key") != server_key:
        raise EnrolmentError(
            f"This laptop was set up from a bundle signed by key {_shown(doc.get('server_key'))}, "
            f"not by this server's ({_shown(server_key)}): {again}"
        )
    if doc.get("public_key") != b64(study.public_key):
        raise EnrolmentError(f"This laptop seals answers to another key than the study's: {again}")
    if site != site_code or session.scalar(select(Site.id).where(Site.code == site_code)) is None:
        raise EnrolmentError(
            f"This laptop was set up for site {str(site)[:40]!r}, not {site_code!r}: not enrolled."
        )
    if session.get(FieldLaptop, laptop_id) is not None:
        raise EnrolmentError(f"Laptop {laptop_id} is enrolled already (or was, and is revoked).")
    laptop = FieldLaptop(laptop_id=laptop_id, verify_key=doc["verify_key"], site_code=site)
    session.add(laptop)
    session.flush()
    return laptop


def revoke(session: DbSession, laptop_id: str) -> FieldLaptop:
    checked = laptop_id_of(laptop_id.strip().lower())
    laptop = None if checked is None else session.get(FieldLaptop, checked)
    if laptop is None:
        raise EnrolmentError(
            f"No laptop {laptop_id[:36]!r} is enrolled (a laptop id is as `field enrol` "
            "printed it, e.g. 0b6f3c1e-5d2a-4e8b-9a51-7f2c8d3e4a10)."
        )
    if laptop.revoked_at is None:
        laptop.revoked_at = utcnow()
        session.flush()
    return laptop


def sender(session: DbSession, doc: dict[str, Any]) -> FieldLaptop:
    """The enrolled, not revoked laptop that signed this batch, for the batch's site."""
    laptop_id = laptop_id_of(doc.get("laptop_id"))
    laptop = None if laptop_id is None else session.get(FieldLaptop, laptop_id)
    if laptop is None:
        raise EnrolmentError(
            "This batch is from a laptop that is not enrolled on this server "
            "(the data manager enrols it with `field enrol`): nothing imported."
        )
    if laptop.revoked_at is not None:
        raise EnrolmentError(
            f"This batch is from laptop {laptop.laptop_id}, revoked on "
            f"{laptop.revoked_at:%Y-%m-%d %H:%M}: nothing imported."
        )
    if not signing.verifies(doc, signing.verify_key_of(laptop.verify_key)):
        raise EnrolmentError(
            "This batch is not signed by the laptop it names (it was altered or forged): "
            "nothing imported."
        )
    if doc.get("site") != laptop.site_code:
        raise EnrolmentError(
            f"This batch is for site {str(doc.get('site'))[:40]!r}; its laptop is enrolled for "
            f"{laptop.site_code!r}: nothing imported."
        )
    return laptop
