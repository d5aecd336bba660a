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
    "case_corrections",
    "case_form_revisions",
    "case_forms",
    "cases",
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
    "user_sites",
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
            # A caseworker with a site and a case, so that 0005 and 0006 go down with data.
            db.session.execute(
                text(
                    'INSERT INTO "user" (email, password_hash, role, active, created_at,'
                    " session_token, recovery_codes) VALUES ('cw@example.org', 'x', 'caseworker',"
                    " true, '2026-01-01', 't', '[]')"
                )
            )
            db.session.execute(text("INSERT INTO user_sites (user_id, site_id) VALUES (1, 1)"))
            db.session.execute(
                text(
                    "INSERT INTO cases (participant_id, site_id, status, opened_on, created_at)"
                    " VALUES (1, 1, 'open', '2022-01-10', '2026-01-01')"
                )
            )
            db.session.commit()
            downgrade(revision="0003")
            role = db.session.execute(text('SELECT role, active FROM "user"')).one()
            assert (role[0], bool(role[1])) == ("fieldworker", False)  # kept, but shut
            db.session.commit()
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert set(inspect(db.engine).get_table_names()) == EXPECTED_TABLES
            db.engine.dispose()
