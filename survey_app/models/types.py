"""Column types and helpers shared by the model modules."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, scoped_session

# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
JSONType: Any = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    return utcnow().date()


def random_id() -> str:
    """Random, non-sequential identifier (128 bits) for rows whose order must not leak."""
    return secrets.token_hex(16)


# Operations take either a plain Session or Flask-SQLAlchemy's scoped ``db.session``.
DbSession = Session | scoped_session[Any]
