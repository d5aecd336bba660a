"""Participants: a pseudonymous ID and a site, nothing that names a person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .study import Site
from .types import utcnow


class Participant(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(20), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column()
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # She said no to being asked again (the study file's recontact item at the baseline), and
    # later asked to take part again: a researcher records it with a reason (audited). Her
    # answer stays as she gave it; this only lets her follow-ups fall due again.
    recontact_restored_at: Mapped[dt.datetime | None] = mapped_column()
    recontact_restored_reason: Mapped[str | None] = mapped_column(Text)

    site: Mapped[Site] = relationship()
