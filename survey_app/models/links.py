"""Anonymous links for staff and practitioners: an unguessable token per link."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .study import Site
from .types import utcnow


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits


class Link(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    instrument_key: Mapped[str] = mapped_column(String(80))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    closes_on: Mapped[dt.date | None] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    site: Mapped[Site | None] = relationship()

    def is_open(self, today: dt.date) -> bool:
        if self.closed_at is not None:
            return False
        return self.closes_on is None or today <= self.closes_on
