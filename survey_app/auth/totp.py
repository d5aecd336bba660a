"""Two-factor authentication with time-based codes (RFC 6238): enrolment with a QR code made
here (no outside service), each code accepted once, recovery codes shown once, stored hashed,
and two-step login locked for a while after ten wrong codes in a row.

Guessing, for someone who has the password: a guess matches one of the three codes accepted
(this step and one either side) with a chance of 3 in 10^6. Throttled to 5 a minute alone
(7,200 guesses a day) that is about 2.1% a day. The lock after every 10 wrong codes lasts 15
minutes, doubling with each lock to at most 24 hours: 70 guesses in the first day (0.021%),
then 10 a day (0.003% a day, about 1.1% over a year of unbroken guessing), each lock audited.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import math
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy import delete, or_, select, update

from ..models import SecurityKey, User, record_audit
from ..models.types import DbSession

ISSUER = "survey_app"
RECOVERY_CODES = 10
LOCK_AFTER = 10  # wrong codes (or security keys' answers) in a row
FIRST_LOCK = dt.timedelta(minutes=15)  # doubled at each further lock...
LONGEST_LOCK = dt.timedelta(hours=24)  # ...up to this


class Locked(Exception):
    """Two-step login for this account is locked until ``until`` (UTC)."""

    def __init__(self, until: dt.datetime, now: dt.datetime) -> None:
        super().__init__(until)
        self.until = until
        self.minutes = max(1, math.ceil((until - now).total_seconds() / 60))


def lock_length(lock_number: int) -> dt.timedelta:
    """How long the n-th lock (1, 2, ...) since the last right code lasts."""
    doublings = min(lock_number - 1, 16)
    return min(FIRST_LOCK * (1 << doublings), LONGEST_LOCK)


def utc(moment: float) -> dt.datetime:
    # Naive UTC, as stored; from time.time() so that one clock drives codes and locks.
    return dt.datetime.fromtimestamp(moment, dt.UTC).replace(tzinfo=None)


def new_secret() -> str:
    return pyotp.random_base32()


def qr_data_uri(user: User, secret: str) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    # A standalone SVG, with the namespace an <img> needs: svg_inline() (meant for pasting
    # into HTML) leaves it out, and browsers showed a broken image.
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", xmldecl=False, scale=5, dark="#000", light="#fff"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step this code belongs to (now, or one step either side for clock drift)."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // totp.interval)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash(code: str) -> str:
    # Recovery codes carry 80 random bits: a fast hash is enough, unlike passwords.
    return hashlib.sha256(code.replace("-", "").lower().encode()).hexdigest()


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """(codes to show once, hashes to store)."""
    codes = [
        f"{secrets.token_hex(5)[:5]}-{secrets.token_hex(5)[:5]}" for _ in range(RECOVERY_CODES)
    ]
    return codes, [_hash(c) for c in codes]


def enrol(user: User, secret: str, code: str) -> list[str] | None:
    """Confirm enrolment with a first code; the recovery codes to show, or None."""
    step = matching_step(secret, code)
    if step is None:
        return None
    codes, hashes = new_recovery_codes()
    user.totp_secret = secret
    user.totp_last_step = step
    user.recovery_codes = hashes
    return codes


def verify(session: DbSession, user: User, code: str, now: float | None = None) -> str | None:
    """'code' or 'recovery' when accepted, None when refused; Locked when two-step login is
    locked, or this wrong code locks it.

    The attempt is counted before the code is checked, by a guarded update that holds the
    user's row until the request commits: simultaneous attempts, on any worker, queue behind
    it, so that no more than LOCK_AFTER codes are checked before the lock begins."""
    if user.totp_secret is None:
        return None
    moment = time.time() if now is None else now
    attempt = count_attempt(session, user, now)
    accepted = _accept(session, user, user.totp_secret, code, moment)
    if accepted is not None:
        attempt_passed(session, user)
        return accepted
    record_audit(session, kind="totp.failed", actor_id=user.id)
    attempt_failed(session, user, attempt)
    return None


@dataclass(frozen=True)
class Attempt:
    """A second-factor attempt counted: the wrong ones in a row so far, this one included."""

    failures: int
    clock: dt.datetime


def count_attempt(session: DbSession, user: User, now: float | None = None) -> Attempt:
    """Count a second-factor attempt (a code or a security key's answer: one count, one
    lock) before it is checked, or Locked while the lock lasts."""
    clock = utc(time.time() if now is None else now)
    failures = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_locked_until.is_(None), User.totp_locked_until <= clock),
        )
        .values(totp_failures=User.totp_failures + 1)
        .returning(User.totp_failures)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if failures is None:
        until = session.scalar(select(User.totp_locked_until).where(User.id == user.id))
        # The clock again: this request may have waited for the row while the lock began.
        later = utc(time.time()) if now is None else clock
        raise Locked(until or later, later)
    return Attempt(failures, clock)


def attempt_passed(session: DbSession, user: User) -> None:
    _set(session, user, totp_failures=0, totp_locked_until=None)


def attempt_failed(session: DbSession, user: User, attempt: Attempt) -> None:
    """A wrong code or key answer: each LOCK_AFTER-th in a row locks (audited; Locked)."""
    if attempt.failures % LOCK_AFTER:
        return
    length = lock_length(attempt.failures // LOCK_AFTER)
    _set(session, user, totp_locked_until=attempt.clock + length)
    record_audit(
        session,
        kind="totp.locked",
        actor_id=user.id,
        target=f"user:{user.id}",
        detail={"wrong_codes": attempt.failures, "minutes": int(length.total_seconds() // 60)},
    )
    raise Locked(attempt.clock + length, attempt.clock)


def _accept(session: DbSession, user: User, secret: str, code: str, now: float) -> str | None:
    step = matching_step(secret, code, now)
    if step is not None:
        # A code is accepted once, even when two requests bring it at the same moment.
        claimed = session.execute(
            update(User)
            .where(
                User.id == user.id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session="fetch")
        )
        return "code" if claimed.rowcount == 1 else None  # type: ignore[attr-defined]
    hashed = _hash(code.strip())
    # Read again under the row lock taken above: another request may have used one since.
    stored = session.scalar(select(User.recovery_codes).where(User.id == user.id)) or []
    remaining = [h for h in stored if not hmac.compare_digest(h, hashed)]
    if len(remaining) < len(stored):
        _set(session, user, recovery_codes=remaining)
        return "recovery"
    return None


def _set(session: DbSession, user: User, **values: object) -> None:
    # The row is ours until the request commits (the attempt's update locked it).
    session.execute(update(User).where(User.id == user.id).values(**values))


def unlock(session: DbSession, user: User, actor_id: int | None = None) -> None:
    """An admin ends a lock (and the count of wrong codes) before its time."""
    user.totp_failures = 0
    user.totp_locked_until = None
    record_audit(session, "totp.unlocked", actor_id=actor_id, target=f"user:{user.id}")


def reset(session: DbSession, user: User, actor_id: int | None = None) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_codes = []
    user.totp_failures = 0
    user.totp_locked_until = None
    # Her security keys go too: the reset is for a lost second factor, and starts her afresh.
    session.execute(delete(SecurityKey).where(SecurityKey.user_id == user.id))
    user.revoke_sessions()
    record_audit(session, "totp.reset", actor_id=actor_id, target=f"user:{user.id}")
