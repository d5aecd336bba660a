"""Column types and helpers shared by the model modules."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import Any

from sqlalchemy import JSON, Enum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, scoped_session

from ..kinds import values

# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
JSONType: Any = JSON().with_variant(JSONB(), "postgresql")


def enum_type(kind: type[enum.StrEnum], name: str, length: int) -> Enum:
    """A column of ``kind``: its values stored as plain strings (VARCHAR(length), the same on
    SQLite and PostgreSQL, so a new value is a changed CHECK, not an ALTER TYPE), kept to them
    by a CHECK constraint named ``ck_<table>_<name>``; read back as members of ``kind``. A
    string outside ``kind`` is refused before it reaches the database."""
    return Enum(
        kind,
        name=name,
        length=length,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=values,
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    return utcnow().date()


def random_id() -> str:
    """Random, non-sequential identifier (128 bits) for rows whose order must not leak."""
    return secrets.token_hex(16)


# Operations take either a plain Session or Flask-SQLAlchemy's scoped ``db.session``.
DbSession = Session | scoped_session[Any]
