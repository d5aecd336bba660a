"""Security keys and platform authenticators (WebAuthn) a user has registered as a second
factor, beside her authenticator app (survey_app/auth/keys.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import utcnow


class SecurityKey(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "security_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The authenticator's own id for this credential: unique across every account, so that an
    # assertion names one account only.
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    # The authenticator's signature counter: a later assertion must bring a higher one (when
    # the authenticator keeps one), so that a cloned key shows itself.
    sign_count: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
