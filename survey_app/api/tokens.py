"""Personal API tokens: made, listed and revoked on the account page; checked on every API
call. No Flask here: the pages and the API share these steps.

Why SHA-256 and not the password hash. A token is 32 random bytes (256 bits) from
``secrets``: nobody can guess one, nor find one from its hash by trying candidates, so a slow
hash (argon2, as for passwords, which people choose and can be guessed) would protect nothing
and cost ~50 ms on every API call. The hash is unkeyed (no SECRET_KEY), so that rotating the
secret key does not break every pipeline's token. The database keeps only the hash: a copy of
it (a backup, a stolen dump) lets nobody call the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from ..models import ApiToken, User, record_audit
from ..models import types as model_types
from ..models.api_tokens import NAME_LENGTH
from ..models.types import DbSession
from ..user_errors import UserError

PREFIX = "sat_"  # survey_app token: lets a secret scanner (or a person) recognise one
MAX_DAYS = 365
DEFAULT_DAYS = 90


class TokenRefused(UserError):
    """A token that cannot be made as asked (the message says why)."""

    status = 422


@dataclass(frozen=True)
class Made:
    """A new token: the row, and the token itself, shown once and never stored."""

    token: ApiToken
    secret: str


def _now() -> dt.datetime:
    return model_types.utcnow()  # read when called, so that the tests' frozen clock moves it


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create(session: DbSession, user: User, name: str, days: int) -> Made:
    """A token for ``user`` with her current role, valid for ``days`` days (1 to MAX_DAYS)."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise TokenRefused(f"Give the token a name of 1 to {NAME_LENGTH} characters.")
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused(f"A token lasts 1 to {MAX_DAYS} days.")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = _now()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        role=user.role,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(token)
    session.flush()
    record_audit(
        session,
        "api_token.created",
        actor_id=user.id,
        target=f"api_token:{token.id}",
        detail={"name": name, "days": days},
    )
    return Made(token, secret)


def tokens_of(session: DbSession, user: User) -> list[ApiToken]:
    """Her tokens, newest first, revoked and expired ones included (so she sees what ended)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(session: DbSession, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of her own tokens; None when it is not hers (or does not exist)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = _now()
        record_audit(session, "api_token.revoked", actor_id=user.id, target=f"api_token:{token.id}")
        session.flush()
    return token


def state(token: ApiToken, now: dt.datetime | None = None) -> str:
    """'active', 'revoked' or 'expired' (the account page's words)."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= (now or _now()):
        return "expired"
    return "active"


class TokenInvalid(Exception):
    """No call is allowed with this token; the message says why, for the 401's body."""


def check(session: DbSession, secret: str) -> ApiToken:
    """The token behind ``secret`` if it may call the API now, else TokenInvalid. A token of
    a deactivated account, or of one whose role has changed since, no longer works."""
    token: ApiToken | None = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(secret))
    )
    if token is None:
        raise TokenInvalid("Unknown token.")
    now = _now()
    ended = state(token, now)
    if ended != "active":
        raise TokenInvalid(f"This token is {ended}: make a new one on your account page.")
    owner = token.user
    if not owner.active or owner.role != token.role:
        raise TokenInvalid("This token's account is no longer active in the role it was made for.")
    token.last_used_at = now
    return token
