"""Two-factor authentication with time-based codes (RFC 6238): enrolment with a QR code made
here (no outside service), each code accepted once, recovery codes shown once, stored hashed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from sqlalchemy import or_, update

from ..models import AuditEvent, User
from ..models._types import DbSession

ISSUER = "survey_app"
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def qr_data_uri(user: User, secret: str) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step this code belongs to (now, or one step either side for clock drift)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
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


def verify(session: DbSession, user: User, code: str) -> str | None:
    """'code' or 'recovery' when accepted, None when refused. A code is accepted once, even
    when two requests bring it at the same moment: the step is claimed by a guarded update."""
    if user.totp_secret is None:
        return None
    step = matching_step(user.totp_secret, code)
    if step is not None:
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
    remaining = [h for h in user.recovery_codes if not hmac.compare_digest(h, hashed)]
    if len(remaining) < len(user.recovery_codes):
        user.recovery_codes = remaining
        return "recovery"
    return None


def reset(user: User) -> AuditEvent:
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_codes = []
    user.revoke_sessions()
    return AuditEvent(kind="totp.reset", target=f"user:{user.id}")
