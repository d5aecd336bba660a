"""Test databases: a temporary SQLite file, or a fresh PostgreSQL database per use on the
server named by TEST_DATABASE_URL (dropped afterwards)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKEND = "postgresql" if SERVER_URL else "sqlite"


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database; drop it afterwards."""
    if not SERVER_URL:
        yield f"sqlite:///{tmp_dir / f'test-{secrets.token_hex(4)}.db'}"
        return
    server = make_url(SERVER_URL).set(drivername="postgresql+psycopg")
    name = f"survey_test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
