"""Per-account throttles for passwords and two-step codes, counted before anything is checked.

Flask-Limiter's ``deduct_when`` counts a failure only once the answer is made, so requests sent
together all pass the check before any of them is counted (an outside probe had 8 of 20
simultaneous wrong passwords checked against a limit of 5; our test saw 17). Here the attempt is
counted first, by one atomic increment in the limiter's store that refuses once the window is
full, and a success gives its attempt back: only failures use up the limit, and no more than the
limit are ever checked. The limit holds across gunicorn workers only when they share the store
(RATELIMIT_STORAGE_URI=redis://...); memory:// counts in each worker apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter

from ..config import current_settings
from ..extensions import limiter


@dataclass(frozen=True)
class Attempt:
    """One counted attempt; ``succeeded`` gives it back."""

    item: RateLimitItem
    key: tuple[str, ...]

    def succeeded(self) -> None:
        # A fixed window is a plain counter, so giving back is a decrement of the same key.
        limiter.storage.incr(self.item.key_for(*self.key), self.item.get_expiry(), amount=-1)


def attempt(scope: str, who: str) -> Attempt:
    """Count an attempt at ``scope`` (login-account, totp, kiosk-password) for ``who`` before
    the password or code is checked; a 429 without any check once the window is full."""
    item = parse(current_app.config["LOGIN_ACCOUNT_LIMIT"])
    prefix = current_settings().ratelimit_key_prefix or "survey_app"
    key = (prefix, scope, who)
    if not FixedWindowRateLimiter(limiter.storage).hit(item, *key):
        abort(429)
    return Attempt(item, key)
