"""The reason a researcher gives for a withdrawal or a void: required, and bounded."""

from __future__ import annotations

REASON_MAX_LENGTH = 500


def checked_reason(reason: str, missing_message: str, error: type[ValueError]) -> str:
    """The reason stripped, or ``error`` with a message the researcher can act on."""
    reason = reason.strip()
    if not reason:
        raise error(missing_message)
    if len(reason) > REASON_MAX_LENGTH:
        raise error(f"The reason must be at most {REASON_MAX_LENGTH} characters.")
    return reason
