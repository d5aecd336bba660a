"""Pseudonymous participant IDs, e.g. ``TC-7KX-Q2M9``.

No names are stored: the ID is written on a paper key held by researchers and
typed in on a kiosk by a fieldworker, so it must survive hand copying. The
alphabet has no look-alikes (no 0/O, 1/I/L) and a check symbol catches typos.
"""

from __future__ import annotations

import re
import secrets

from .user_errors import UserError

# Digits 2-9 and A-Z without I, L, O: 31 symbols, and 31 is prime.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)
BODY_LENGTH = 6

_MESSAGE = "This ID is not valid: please check it"
# Entry is forgiving about layout: any whitespace and hyphens are ignored.
_SEPARATORS = re.compile(r"[\s-]+")


class InvalidPseudonym(UserError, ValueError):
    """Raised for any ID that is mistyped; one message so the kiosk can show it as is."""

    def __init__(self) -> None:
        super().__init__(_MESSAGE)


def _checked_prefix(prefix: str) -> str:
    # A programming error, not a typo, so a plain ValueError rather than InvalidPseudonym.
    if not re.fullmatch(r"[A-Za-z]+", prefix):
        raise ValueError(f"prefix must be one or more ASCII letters, got {prefix!r}")
    return prefix.upper()


def check_symbol(body: str) -> str:
    """Return the symbol c such that sum((i + 1) * value(s_i)) over body + c is 0 mod 31."""
    # A substitution changes the sum by w*d, a swap of neighbours by +-(a - b); with 31 prime,
    # w in 1..7 and d, a - b nonzero and below 31, neither is 0 mod 31, so both are caught.
    total = sum((i + 1) * _VALUE[symbol] for i, symbol in enumerate(body))
    weight = len(body) + 1
    return ALPHABET[-total * pow(weight, -1, _MODULUS) % _MODULUS]


def _display(prefix: str, code: str) -> str:
    return f"{prefix}-{code[:3]}-{code[3:]}"


def generate(prefix: str = "TC") -> str:
    """Return a new random ID in display form, e.g. ``TC-7KX-Q2M9``."""
    prefix = _checked_prefix(prefix)
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return _display(prefix, body + check_symbol(body))


def normalise(raw: str, prefix: str = "TC") -> str:
    """Return ``raw`` in display form, or raise InvalidPseudonym.

    Case, whitespace and hyphens are ignored and the prefix may be left out.
    """
    prefix = _checked_prefix(prefix)
    compact = _SEPARATORS.sub("", raw)
    # Check ASCII before upper(): some non-ASCII letters upper-case to ASCII ones ("ſ" -> "S").
    if not compact.isascii():
        raise InvalidPseudonym()
    compact = compact.upper()
    if len(compact) == len(prefix) + BODY_LENGTH + 1 and compact.startswith(prefix):
        compact = compact[len(prefix) :]
    if len(compact) != BODY_LENGTH + 1 or any(symbol not in _VALUE for symbol in compact):
        raise InvalidPseudonym()
    if check_symbol(compact[:-1]) != compact[-1]:
        raise InvalidPseudonym()
    return _display(prefix, compact)


def is_valid(raw: str, prefix: str = "TC") -> bool:
    """Return True if ``raw`` is a well-formed ID with a correct check symbol."""
    try:
        normalise(raw, prefix)
    except InvalidPseudonym:
        return False
    return True


def one_slip_away(raw: str, prefix: str = "TC") -> tuple[list[str], list[str]]:
    """Every ID one typing slip from ``raw`` (one symbol changed, or two neighbours swapped),
    in display form, as ``(patterns, swaps)``: each pattern has one ``_`` standing for the
    changed symbol (a LIKE pattern, so the database finds the matches), each swap is an exact
    ID. Layout is forgiven as in :func:`normalise`; an entry of the wrong length, or holding
    anything but ASCII letters and digits, is no slip from an ID and gives no candidates."""
    prefix = _checked_prefix(prefix)
    compact = _SEPARATORS.sub("", raw)
    if not (compact.isascii() and compact.isalnum()):
        return [], []
    compact = compact.upper()
    if len(compact) == BODY_LENGTH + 1:
        compact = prefix + compact
    if len(compact) != len(prefix) + BODY_LENGTH + 1:
        return [], []

    def display(full: str) -> str:
        return _display(full[: len(prefix)], full[len(prefix) :])

    patterns = [display(compact[:i] + "_" + compact[i + 1 :]) for i in range(len(compact))]
    swaps = {
        display(compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :])
        for i in range(len(compact) - 1)
        if compact[i] != compact[i + 1]
    }
    return patterns, sorted(swaps)
