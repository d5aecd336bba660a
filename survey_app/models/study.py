"""Sites (prisons, community) and waves of the study; loaded from study.yaml."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..kinds import SiteKind
from .types import enum_type


class Site(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind, "kind", 20), default=SiteKind.PRISON)


class Wave(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column()
    offset_months: Mapped[int] = mapped_column(default=0)
    window_start_months: Mapped[int | None] = mapped_column()
    window_end_months: Mapped[int | None] = mapped_column()
