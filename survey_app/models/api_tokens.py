"""Personal API tokens: a researcher's R or Python pipeline reads through /api/v1/ with one
(survey_app/api/). Only the token's SHA-256 is kept; the token is shown once, when made."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..kinds import Role
from .types import enum_type, utcnow
from .users import User

NAME_LENGTH = 60


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # Hex SHA-256 of the token (survey_app/api/tokens.py says why a fast hash is right here).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The owner's role when it was made: a token stops working when she no longer holds it.
    role: Mapped[Role] = mapped_column(enum_type(Role, "role", 20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column()

    user: Mapped[User] = relationship()
