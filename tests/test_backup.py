"""`flask backup`: SQLite's online backup API and a restore check; PostgreSQL is pointed at
pg_dump."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask

from tests import factories
from tests.dbutil import BACKEND


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite backup runs in the SQLite pass")
def test_backup_and_verify_a_live_sqlite_database(app: Flask, tmp_path: Path) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", {"consent_take_part": 1})
    out = tmp_path / "backup.db"
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert "integrity: ok" in made.output
    assert "participant" in made.output and "response" in made.output
    checked = runner.invoke(args=["backup", "--verify", str(out)])
    lines = {line.split()[0]: line.split()[1] for line in checked.output.splitlines()[1:]}
    assert checked.exit_code == 0 and lines["participant"] == "1" and lines["response"] == "1"
    again = runner.invoke(args=["backup", "--out", str(out)])
    assert again.exit_code == 1 and "exists already" in again.output


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite backup runs in the SQLite pass")
def test_verify_refuses_a_damaged_or_foreign_file(app: Flask, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = app.test_cli_runner().invoke(args=["backup", "--verify", str(junk)])
    assert result.exit_code == 1 and "not a usable survey_app backup" in result.output
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.close()
    result = app.test_cli_runner().invoke(args=["backup", "--verify", str(other)])
    assert result.exit_code == 1 and "not a usable" in result.output
    missing = app.test_cli_runner().invoke(args=["backup", "--verify", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "No backup file" in missing.output


@pytest.mark.skipif(BACKEND != "postgresql", reason="the pg_dump advice is for PostgreSQL")
def test_backup_on_postgresql_says_to_use_pg_dump(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "pg_dump" in result.output
