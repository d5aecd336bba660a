"""Field laptops (survey_app/field): what a laptop keeps (its identity, sealed responses,
draft clocks, the batches it wrote) and what the server keeps (batches imported, duplicates
waiting for a researcher). Each database uses its own half; both halves are in one schema so
that a laptop runs the same migrations as the server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .instruments import InstrumentVersion
from .participants import Participant
from .study import Wave
from .types import JSONType, random_id, utcnow


class FieldInstance(db.Model):  # type: ignore[name-defined,misc]
    """The one row that makes a database a field laptop's (written by ``field init``)."""

    __tablename__ = "field_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    laptop_id: Mapped[str] = mapped_column(String(36))
    study_id: Mapped[str] = mapped_column(String(36))
    site_code: Mapped[str] = mapped_column(String(40))
    public_key: Mapped[str] = mapped_column(String(64))
    bundle_id: Mapped[str] = mapped_column(String(36))
    bundle_created: Mapped[dt.datetime] = mapped_column()
    # The study's signing key pinned at init (base64): a bundle not signed by it is refused.
    server_key: Mapped[str | None] = mapped_column(String(64))
    # This laptop's own signing key (base64 seed), made at init: it signs every batch.
    signing_key: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class FieldDraft(db.Model):  # type: ignore[name-defined,misc]
    """When a laptop's draft was started: drafts are purged after FIELD_DRAFT_HOURS."""

    __tablename__ = "field_draft"

    submission_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SealedResponse(db.Model):  # type: ignore[name-defined,misc]
    """A sent response on a laptop: its answers readable only with the study's private key."""

    __tablename__ = "sealed_response"

    submission_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(20))
    wave_code: Mapped[str] = mapped_column(String(20))
    instrument_key: Mapped[str] = mapped_column(String(80))
    instrument_version: Mapped[int] = mapped_column()
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FieldExport(db.Model):  # type: ignore[name-defined,misc]
    """A batch a laptop wrote. Its secret travels sealed in the batch: only a server that
    opened the batch can make a receipt the laptop accepts."""

    __tablename__ = "field_export"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    item_count: Mapped[int] = mapped_column()
    confirmed_at: Mapped[dt.datetime | None] = mapped_column()


class FieldLaptop(db.Model):  # type: ignore[name-defined,misc]
    """A laptop enrolled on the server by the data manager (``field enrol``): its batches are
    imported, for its site, while it is not revoked (``field revoke``)."""

    __tablename__ = "field_laptop"

    laptop_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    verify_key: Mapped[str] = mapped_column(String(64))
    site_code: Mapped[str] = mapped_column(String(40))
    enrolled_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class FieldBatch(db.Model):  # type: ignore[name-defined,misc]
    """A batch imported on the server: a second import of it is recognised. Known by laptop
    and batch id together, so that no other laptop's batch can take a genuine one's id."""

    __tablename__ = "field_batch"

    laptop_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    counts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    receipt: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ResponseConflict(db.Model):  # type: ignore[name-defined,misc]
    """A second response for a participant and wave that already had one (two laptops, or a
    laptop and the server): kept whole here until a researcher chooses which stays."""

    __tablename__ = "response_conflict"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    language: Mapped[str] = mapped_column(String(5), default="en")
    started_on: Mapped[dt.date] = mapped_column()
    completed_on: Mapped[dt.date] = mapped_column()
    flags: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    laptop_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(Text)

    participant: Mapped[Participant] = relationship()
    wave: Mapped[Wave] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()
