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


class FieldBatch(db.Model):  # type: ignore[name-defined,misc]
    """A batch imported on the server: a second import of it is recognised."""

    __tablename__ = "field_batch"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    laptop_id: Mapped[str] = mapped_column(String(36))
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
