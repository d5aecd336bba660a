"""Backups of the SQLite database with SQLite's online backup API (a file copy of a live
database can be torn mid-write), and a restore check of a backup file."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from .user_errors import UserError

TABLES = (
    "site",
    "wave",
    "instrument_version",
    "participant",
    "link",
    "response",
    "user",
    "audit_event",
)


class BackupError(UserError):
    pass


@dataclass(frozen=True)
class Verified:
    integrity: str
    counts: dict[str, int]


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError(
            "This database is PostgreSQL: back it up with pg_dump, e.g. "
            'pg_dump --format=custom --file=survey.dump "$DATABASE_URL" (see the README).'
        )
    return Path(url.database)


def backup(database_url: str, out: Path) -> Verified:
    source_path = sqlite_path(database_url)
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new file name.")
    out.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(out)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return verify(out)


def verify(path: Path) -> Verified:
    """Open the backup on its own: integrity check and row counts of every table."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        counts = {
            t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608 - fixed names
            for t in TABLES
        }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable survey_app backup: {exc}") from None
    finally:
        connection.close()
    if integrity != "ok":
        raise BackupError(f"{path} failed the integrity check: {integrity}")
    return Verified(integrity=integrity, counts=counts)
