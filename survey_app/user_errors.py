"""The one base for refusals a person can put right: each carries its HTTP status.

Services raise these (no Flask here); errors.py answers any that a view does not catch."""

from __future__ import annotations


class UserError(Exception):
    """A refusal with a message for the person; ``status`` is the HTTP status to answer."""

    status = 422

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
