"""Responses: who answered (a participant and wave, or a link) kept apart from what was
answered (answers keyed by variable name)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..kinds import Channel, ResponseStatus
from .instruments import InstrumentVersion
from .links import Link
from .participants import Participant
from .study import Wave
from .types import JSONType, enum_type, random_id, today

_LIVE = "voided_at IS NULL"


class Response(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "response"

    # Random, so that response IDs say nothing about the order in which people answered.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel", 10))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE")
    )
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("wave.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("link.id"), index=True)
    status: Mapped[ResponseStatus] = mapped_column(
        enum_type(ResponseStatus, "status", 20), default=ResponseStatus.IN_PROGRESS
    )
    # Issued by the server when the response starts; a replayed final submit finds it again.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    language: Mapped[str] = mapped_column(String(5), default="en")
    # Dates only: an exact time could identify an anonymous respondent.
    started_on: Mapped[dt.date] = mapped_column(default=today)
    completed_on: Mapped[dt.date | None] = mapped_column()
    flags: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    voided_at: Mapped[dt.datetime | None] = mapped_column()
    void_reason: Mapped[str | None] = mapped_column(Text)

    instrument_version: Mapped[InstrumentVersion] = relationship()
    participant: Mapped[Participant | None] = relationship()
    wave: Mapped[Wave | None] = relationship()
    link: Mapped[Link | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            f"(channel = '{Channel.KIOSK}' AND participant_id IS NOT NULL AND wave_id IS NOT NULL"
            " AND link_id IS NULL)"
            f" OR (channel = '{Channel.LINK}' AND link_id IS NOT NULL AND participant_id IS NULL)",
            name="channel_owner",
        ),
        CheckConstraint(
            f"(status = '{ResponseStatus.COMPLETE}') = (completed_on IS NOT NULL)",
            name="completed_on",
        ),
        # One live response (draft or complete) per participant and wave: a second T1 is
        # refused by the database, and voiding the first frees the wave.
        Index(
            "uq_response_participant_wave_live",
            "participant_id",
            "wave_id",
            unique=True,
            sqlite_where=text(_LIVE),
            postgresql_where=text(_LIVE),
        ),
        Index("ix_response_instrument_status", "instrument_version_id", "status"),
        # PostgreSQL only (migration 0017): the due lists' joins read the completion date from
        # this index, not from the wide rows that carry the answers.
        Index(
            "ix_response_complete_live",
            "wave_id",
            "participant_id",
            postgresql_include=["completed_on"],
            postgresql_where=text(f"status = '{ResponseStatus.COMPLETE}' AND {_LIVE}"),
        ).ddl_if(dialect="postgresql"),
    )

    @property
    def is_complete(self) -> bool:
        return self.status == ResponseStatus.COMPLETE
