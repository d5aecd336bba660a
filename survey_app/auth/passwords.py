"""argon2id password hashing (argon2-cffi's defaults follow RFC 9106's recommendations).

Tests (SURVEY_APP_ENV=testing) hash with argon2's cheapest parameters: a suite that logs in
hundreds of times spent minutes hashing. A hash names its own parameters, so verification works
across both; development and production always hash with the strong ones
(tests/auth/test_auth.py checks that they do)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import has_app_context

from ..config import current_settings

STRONG = PasswordHasher()
_CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
MIN_LENGTH = 12
MAX_LENGTH = 128


def hasher() -> PasswordHasher:
    """The strong parameters, except in the test suite's own apps."""
    if has_app_context() and current_settings().env == "testing":
        return _CHEAP
    return STRONG


@cache
def _dummy_hash(chosen: PasswordHasher) -> str:
    # Verifying against this keeps an unknown email as slow as a wrong password. Made on first
    # use, not at import: every worker and CLI start would pay for a hash it may never need.
    return chosen.hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    chosen = hasher()
    try:
        return (
            chosen.verify(password_hash or _dummy_hash(chosen), password)
            and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def _common() -> frozenset[str]:
    # zxcvbn ships 30,000 of the most common passwords from breach corpora: no network look-up.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str) -> str | None:
    """A plain-words reason to refuse this password, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in _common() or password.lower().rstrip("0123456789!") in _common():
        return "That password is on a list of common or breached passwords: choose another."
    from zxcvbn import zxcvbn

    if zxcvbn(password[:72])["score"] < 3:  # zxcvbn reads at most 72 characters
        return "That password is too easy to guess: use a few unrelated words."
    return None
