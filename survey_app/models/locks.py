"""Row locks for read-modify-write, on both databases."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select

from .types import DbSession

S = TypeVar("S", bound=Select[Any])


def for_update(session: DbSession, query: S) -> S:
    """``query`` locking the rows it reads until the request commits.

    PostgreSQL takes row locks (FOR UPDATE). SQLite has none and ignores FOR UPDATE, so two
    workers could both read a draft and each write back its own page, losing the other's: there
    the database's write lock is taken first (BEGIN IMMEDIATE; writers queue for it under the
    busy timeout). Only here, not for every transaction, so that page views and exports never
    hold it. pysqlite begins a transaction only before a write statement, so an open one means
    that this connection holds the write lock already."""
    connection = session.connection()
    dbapi_connection: Any = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    # Read afresh even when the row was loaded earlier in this session.
    return query.with_for_update().execution_options(populate_existing=True)
