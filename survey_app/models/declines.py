"""Declines: an approach that ended in "no", counted without any answer.

A mother at the kiosk (site and wave from kiosk mode, her ID since she entered one) or a
respondent on an anonymous link (the link only: nothing that could identify her) who said
she does not want to take part. A date, never a time."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..kinds import Channel
from .links import Link
from .participants import Participant
from .study import Site, Wave
from .types import enum_type, today


def new_sync_key() -> str:
    return secrets.token_urlsafe(24)


class Decline(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "decline"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel", 10))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("wave.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("link.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    declined_on: Mapped[dt.date] = mapped_column(default=today)
    # A random key: a field laptop's batch carries the decline under it, and the server
    # recognises it when a batch comes in twice (survey_app/field/batch.py).
    sync_key: Mapped[str | None] = mapped_column(
        String(64), unique=True, index=True, default=new_sync_key
    )

    site: Mapped[Site | None] = relationship()
    wave: Mapped[Wave | None] = relationship()
    link: Mapped[Link | None] = relationship()
    participant: Mapped[Participant | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            f"(channel = '{Channel.KIOSK}' AND site_id IS NOT NULL AND wave_id IS NOT NULL"
            " AND link_id IS NULL)"
            f" OR (channel = '{Channel.LINK}' AND link_id IS NOT NULL AND participant_id IS NULL)",
            name="channel_owner",
        ),
    )
