"""The demo study's mark: a row here means the database holds `flask demo load`'s synthetic
study, not real data, and every page says so."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import utcnow


class DemoStudy(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "demo_study"

    id: Mapped[int] = mapped_column(primary_key=True)
    seed: Mapped[int] = mapped_column()
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
