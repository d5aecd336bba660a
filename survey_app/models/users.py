"""Research team accounts. Respondents never have accounts."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    RESEARCHER = "researcher"
    FIELDWORKER = "fieldworker"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("role IN ('admin', 'researcher', 'fieldworker')", name="role"),
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def has_role(self, *roles: Role | str) -> bool:
        # Admins may do anything a researcher may; researchers anything a fieldworker may.
        rank = {Role.FIELDWORKER: 1, Role.RESEARCHER: 2, Role.ADMIN: 3}
        mine = rank[Role(self.role)]
        return any(mine >= rank[Role(r)] for r in roles)
