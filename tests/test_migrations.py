"""The models match the Alembic head, and every migration runs up, down and up again with
data in the tables (on the database under test: SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from survey_app import create_app
from survey_app.extensions import db
from tests.dbutil import fresh_database

EXPECTED_TABLES = {
    "alembic_version",
    "audit_event",
    "field_batch",
    "field_draft",
    "field_export",
    "field_instance",
    "instrument_version",
    "link",
    "participant",
    "response",
    "response_conflict",
    "sealed_response",
    "site",
    "user",
    "wave",
}


def test_models_match_the_alembic_head(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                differences = compare_metadata(context, db.metadata)
            db.engine.dispose()
    assert differences == []


def test_upgrade_downgrade_upgrade_with_data(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            assert set(inspect(db.engine).get_table_names()) == EXPECTED_TABLES
            db.session.execute(
                text("INSERT INTO site (code, name, kind) VALUES ('send', 'HMP Send', 'prison')")
            )
            db.session.execute(
                text(
                    "INSERT INTO participant (pseudonym, site_id, created_at) VALUES ('TC-ABC-DEFG', 1, '2026-01-01')"
                )
            )
            db.session.commit()
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert set(inspect(db.engine).get_table_names()) == EXPECTED_TABLES
            db.engine.dispose()
