"""Published instrument versions: the expanded definition is stored so that old versions
stay renderable and exportable after their file changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..kinds import Audience
from .types import JSONType, enum_type, utcnow


class InstrumentVersion(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "instrument_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column()
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "audience", 40))
    title: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Deferred: respondent pages find the parsed version in the in-process cache by its hash,
    # so the definition is read from the database only on a cache miss.
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType, deferred=True)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("key", "version", name="uq_instrument_version_key_version"),)

    @property
    def label(self) -> str:
        """How pages name this version: its title, not its key."""
        return f"{self.title}, version {self.version}"
