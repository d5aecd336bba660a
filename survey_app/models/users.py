"""Research team accounts. Respondents never have accounts."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask_login import UserMixin
from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..kinds import Role
from .types import JSONType, enum_type, utcnow


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role", 20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Part of every session's identity: rotating it (logout, password change) revokes every
    # session of this user on the server, so a replayed cookie no longer logs anyone in.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last TOTP time step accepted: a code is accepted once only.
    totp_last_step: Mapped[int | None] = mapped_column()
    recovery_codes: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    # Wrong two-step codes since the last right one; every tenth locks two-step login until
    # totp_locked_until (survey_app/auth/totp.py).
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    totp_locked_until: Mapped[dt.datetime | None] = mapped_column()
    # When (microseconds since the epoch) the challenge of her last accepted security-key
    # login was issued: an assertion is accepted only for a challenge issued after it, so a
    # replayed one is refused even with the old session cookie (survey_app/auth/keys.py).
    key_challenge_at: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_token}"

    def revoke_sessions(self) -> None:
        self.session_token = new_session_token()

    def totp_locked(self, now: dt.datetime | None = None) -> bool:
        until = self.totp_locked_until
        return until is not None and until > (now or utcnow())

    def has_role(self, *roles: Role | str) -> bool:
        # Admins may do anything a researcher may; researchers anything a fieldworker may and
        # read what a caseworker may. Fieldworkers and caseworkers see nothing of each other.
        return any(self.role in _HOLDERS[Role(r)] for r in roles)


_HOLDERS: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset({Role.ADMIN}),
    Role.RESEARCHER: frozenset({Role.RESEARCHER, Role.ADMIN}),
    Role.FIELDWORKER: frozenset({Role.FIELDWORKER, Role.RESEARCHER, Role.ADMIN}),
    Role.CASEWORKER: frozenset({Role.CASEWORKER, Role.RESEARCHER, Role.ADMIN}),
}
