"""Opaque cursors for the API's lists: the position after the last row of a page, signed so
that a cursor cannot be forged or edited into another list's, and read back or refused (400)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..user_errors import UserError

BAD_CURSOR = "The cursor is not one this API gave for this list: start again without it."


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-cursor")


def make(kind: str, position: list[Any]) -> str:
    """A cursor of list ``kind`` at ``position`` (JSON values)."""
    return str(_serializer().dumps([kind, position]))


def read(kind: str, cursor: str | None, shape: tuple[type, ...]) -> list[Any] | None:
    """The position in ``cursor`` (None without one): a list of values of the types in
    ``shape``; a cursor that is not this list's, or not one of ours, is a 400."""
    if cursor is None:
        return None
    try:
        found = _serializer().loads(cursor)
    except BadSignature:
        raise UserError(BAD_CURSOR, 400) from None
    if not (isinstance(found, list) and len(found) == 2 and found[0] == kind):
        raise UserError(BAD_CURSOR, 400)
    position = found[1]
    if not (
        isinstance(position, list)
        and len(position) == len(shape)
        and all(
            isinstance(v, t) and not isinstance(v, bool)
            for v, t in zip(position, shape, strict=True)
        )
    ):
        raise UserError(BAD_CURSOR, 400)
    return position
