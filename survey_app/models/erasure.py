"""Deleted answers leave no copy in SQLite's files.

Every connection sets ``secure_delete`` (see ``survey_app._sqlite_pragmas``), so that SQLite
zeroes what it deletes instead of leaving it in free space. That is not enough in WAL mode: the
write-ahead log keeps earlier images of every page written since the last checkpoint, answers
included. So an operation that deletes answers marks its transaction, and once that transaction
commits the log is checkpointed into the database file and truncated to nothing.

Operations only mark (they never commit); the request handler's or the command's commit does
the rest, through the ``after_commit`` hook below."""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .types import DbSession

log = logging.getLogger(__name__)
_MARK = "survey_app.erase_after_commit"


def erase_after_commit(session: DbSession) -> None:
    """This transaction deletes answers: once it commits, wipe the copies SQLite keeps."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name == "sqlite":
        session.info[_MARK] = engine


def checkpoint(engine: Engine) -> bool:
    """Copy the write-ahead log into the database file and truncate it. False (and a warning
    in the log) when a reader kept it from finishing within the busy timeout: the deletion
    itself is committed, so the request still succeeds."""
    try:
        with engine.connect() as connection:
            # Outside any transaction: a checkpoint cannot run inside one.
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
    except OperationalError:
        busy = 1
    if busy:
        log.warning(
            "answers were deleted but the SQLite write-ahead log could not be truncated (a "
            "reader was busy): it is wiped at the next deletion, or run "
            "PRAGMA wal_checkpoint(TRUNCATE) on the database"
        )
    return not busy


@event.listens_for(Session, "after_commit")
def _erase(session: Session) -> None:
    if session.in_nested_transaction():
        # A SAVEPOINT released (begin_nested): the outer transaction still holds SQLite's
        # write lock, so a checkpoint now would wait out the busy timeout and fail.
        return
    engine = session.info.pop(_MARK, None)
    if engine is not None:
        checkpoint(engine)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_MARK, None)
