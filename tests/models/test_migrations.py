"""The models match the Alembic head, and every migration runs up, down and up again with
data in the tables (on the database under test: SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.util import CommandError
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.exc import IntegrityError

from survey_app import create_app
from survey_app.extensions import db
from tests.dbutil import fresh_database

EXPECTED_TABLES = {
    "alembic_version",
    "api_tokens",
    "audit_event",
    "case_corrections",
    "case_form_revisions",
    "case_forms",
    "case_transfers",
    "cases",
    "coding_codings",
    "coding_key_themes",
    "coding_marks",
    "coding_questions",
    "coding_themes",
    "decline",
    "demo_study",
    "field_batch",
    "field_laptop",
    "field_draft",
    "field_export",
    "field_instance",
    "instrument_version",
    "link",
    "participant",
    "response",
    "response_conflict",
    "sealed_response",
    "security_keys",
    "site",
    "user",
    "user_sites",
    "wave",
}


def _made_on(dialect: str) -> Any:
    """Alembic's filter: leave out what the model makes only on another database (an index
    with ``ddl_if(dialect=...)``, such as the PostgreSQL-only ix_response_complete_live)."""

    def include(obj: Any, _name: Any, _type: Any, _reflected: Any, _compare_to: Any) -> bool:
        only = getattr(obj, "_ddl_if", None)
        return only is None or only.dialect in (None, dialect)

    return include


def test_models_match_the_alembic_head(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                opts = {
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": _made_on(connection.dialect.name),
                }
                context = MigrationContext.configure(connection, opts=opts)
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
            # Her API token, so that 0013 goes down with data.
            db.session.execute(
                text(
                    "INSERT INTO api_tokens (user_id, name, token_hash, role, created_at,"
                    " expires_at) VALUES (1, 'R', 'ab', 'caseworker', '2026-01-01', '2026-02-01')"
                )
            )
            db.session.execute(
                text(
                    "INSERT INTO cases (participant_id, site_id, status, opened_on, created_at)"
                    " VALUES (1, 1, 'open', '2022-01-10', '2026-01-01')"
                )
            )
            # A decline and a restored recontact, so that 0010 goes down with data.
            db.session.execute(
                text(
                    "INSERT INTO wave (code, label, position, offset_months) VALUES ('T1', 'S', 1, 0)"
                )
            )
            db.session.execute(
                text(
                    "INSERT INTO decline (channel, site_id, wave_id, participant_id, declined_on)"
                    " VALUES ('kiosk', 1, 1, 1, '2026-01-02')"
                )
            )
            db.session.execute(
                text(
                    "UPDATE participant SET recontact_restored_at = '2026-02-01', recontact_restored_reason = 'asked'"
                )
            )
            db.session.commit()
            downgrade(revision="0008")
            assert "decline" not in inspect(db.engine).get_table_names()
            assert db.session.execute(text("SELECT count(*) FROM participant")).scalar() == 1
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


# Rows as 0007 holds them: a mother's kiosk response and a staff member's link response on
# their instrument versions, and an account of each role.
ROWS_0007 = [
    "INSERT INTO site (code, name, kind) VALUES ('send', 'HMP Send', 'prison')",
    "INSERT INTO wave (code, label, position, offset_months) VALUES ('T1', 'Start', 1, 0)",
    "INSERT INTO participant (pseudonym, site_id, created_at)"
    " VALUES ('TC-ABC-DEFG', 1, '2026-01-01')",
    *(
        'INSERT INTO "user" (email, password_hash, role, active, created_at, session_token,'
        f" recovery_codes) VALUES ('{role}@example.org', 'x', '{role}', true, '2026-01-01',"
        f" 't{n}', '[]')"
        for n, role in enumerate(("admin", "researcher", "fieldworker", "caseworker"))
    ),
    "INSERT INTO link (token, instrument_key, created_at) VALUES ('tok', 'staff', '2026-01-01')",
    *(
        "INSERT INTO instrument_version (key, version, audience, title, content_hash,"
        f" definition, published_at) VALUES ('{key}', 1, '{audience}', 'T', 'h', '{{}}',"
        " '2026-01-01')"
        for key, audience in (
            ("mothers", "mother"),
            ("staff", "prison_staff"),
            ("practitioners", "practitioner"),
            ("case_referral", "caseworker"),
        )
    ),
    "INSERT INTO response (id, instrument_version_id, channel, participant_id, wave_id,"
    " status, submission_key, answers, language, started_on, flags)"
    " VALUES ('r1', 1, 'kiosk', 1, 1, 'in_progress', 'k1', '{\"a\": 1}', 'en', '2026-01-01', '{}')",
    "INSERT INTO response (id, instrument_version_id, channel, link_id, status,"
    " submission_key, answers, language, started_on, flags)"
    " VALUES ('r2', 2, 'link', 1, 'in_progress', 'k2', '{}', 'en', '2026-01-01', '{}')",
]
KIND_TABLES = ("user", "instrument_version", "response", "link")
A_BAD_AUDIENCE = (
    "INSERT INTO instrument_version (key, version, audience, title, content_hash, definition,"
    " published_at) VALUES ('visitors', 1, 'visitor', 'T', 'h', '{}', '2026-01-01')"
)


def _rows(table: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in db.session.execute(text(f'SELECT * FROM "{table}" ORDER BY 1'))]


def _checks(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_check_constraints(table)}


def _refused(statement: str) -> bool:
    try:
        with db.session.begin_nested():
            db.session.execute(text(statement))
    except IntegrityError:
        return True
    return False


def test_0008_keeps_every_row_and_then_refuses_an_audience_or_channel_outside_the_enums(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="0007")
            for statement in ROWS_0007:
                db.session.execute(text(statement))
            db.session.commit()
            before = {table: _rows(table) for table in KIND_TABLES}
            db.session.commit()

            upgrade(revision="0008")
            assert {table: _rows(table) for table in KIND_TABLES} == before
            assert "ck_instrument_version_audience" in _checks("instrument_version")
            # ck_response_channel_owner already held channel to kiosk or link: the new
            # constraint says so on its own, as the model declares it.
            assert {"ck_response_channel", "ck_response_channel_owner"} <= _checks("response")
            assert _refused(A_BAD_AUDIENCE)
            assert _refused("UPDATE \"user\" SET role = 'boss' WHERE id = 1")
            if db.engine.dialect.name == "sqlite":
                # The migrations ran with foreign keys off (SQLite copies the table to add a
                # constraint); the app's connections have them on again.
                assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            db.session.commit()

            downgrade(revision="0007")
            assert {table: _rows(table) for table in KIND_TABLES} == before
            assert "ck_instrument_version_audience" not in _checks("instrument_version")
            assert "ck_response_channel" not in _checks("response")
            assert not _refused(A_BAD_AUDIENCE)
            db.session.rollback()
            db.engine.dispose()


def test_0008_over_a_value_outside_its_enum_stops_naming_it_and_changes_nothing(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="0007")
            db.session.execute(text(A_BAD_AUDIENCE))
            db.session.commit()
            config = current_app.extensions["migrate"].migrate.get_config()
            with pytest.raises(CommandError) as caught:
                command.upgrade(config, "0008")
            assert str(caught.value) == (
                "0008 changed nothing: instrument_version.audience holds 'visitor' in 1 row"
                " (allowed: mother, prison_staff, practitioner, caseworker)."
                " Correct those rows, then upgrade again."
            )
            version = db.session.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar() == "0007"
            audiences = db.session.execute(text("SELECT audience FROM instrument_version"))
            assert audiences.scalars().all() == ["visitor"]
            assert "ck_instrument_version_audience" not in _checks("instrument_version")
            db.session.rollback()
            db.engine.dispose()


def test_the_models_check_constraints_are_those_the_migrations_make(tmp_path: Path) -> None:
    # compare_metadata (above) leaves CHECK constraints out: they are compared by name here.
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            for table in db.metadata.sorted_tables:
                declared = {
                    str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)
                }
                assert _checks(table.name) == declared, table.name
            db.engine.dispose()


CASE_ROWS_0008 = [
    "INSERT INTO site (code, name, kind) VALUES ('eastwood_park', 'HMP Eastwood Park', 'prison')",
    "INSERT INTO cases (participant_id, site_id, status, opened_on, created_at)"
    " VALUES (1, 1, 'open', '2022-01-10', '2026-01-01')",
    "INSERT INTO case_forms (case_id, kind, instrument_version_id, form_date, status, revision,"
    " answers, created_at, submitted_at) VALUES (1, 'referral', 4, '2022-01-10', 'submitted', 2,"
    " '{}', '2026-01-01', '2026-01-01')",
    *(
        "INSERT INTO case_form_revisions (form_id, revision, form_date, answers, changed_at)"
        f" VALUES (1, {n}, '2022-01-10', '{{}}', '2026-01-01')"
        for n in (1, 2)
    ),
]


def test_0011_adds_transfers_and_reasons_and_goes_down_keeping_the_revisions(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="0008")
            for statement in [*ROWS_0007, *CASE_ROWS_0008]:
                db.session.execute(text(statement))
            db.session.commit()
            upgrade(revision="0011")
            assert _rows("case_form_revisions")[1][-1] is None  # no reason before 0011
            db.session.execute(text("UPDATE case_form_revisions SET reason = 'typo' WHERE id = 2"))
            db.session.execute(
                text(
                    "INSERT INTO case_transfers (case_id, from_site_id, to_site_id,"
                    " transferred_on, reason, at) VALUES (1, 1, 2, '2022-03-01', 'moved',"
                    " '2026-01-01')"
                )
            )
            assert _refused(
                "INSERT INTO case_transfers (case_id, from_site_id, to_site_id, transferred_on,"
                " reason, at) VALUES (1, 2, 2, '2022-03-01', 'nowhere', '2026-01-01')"
            )
            db.session.commit()
            downgrade(revision="0008")
            assert "case_transfers" not in inspect(db.engine).get_table_names()
            assert len(_rows("case_form_revisions")) == 2
            db.session.commit()
            upgrade(revision="0011")
            assert [r[-1] for r in _rows("case_form_revisions")] == [None, None]
            db.session.commit()
            db.engine.dispose()


def test_0012_adds_security_keys_and_goes_down_keeping_the_users(tmp_path: Path) -> None:
    key = (
        "INSERT INTO security_keys (user_id, credential_id, public_key, sign_count, name,"
        " created_at) SELECT id, :c, :p, 0, :n, '2026-01-01' FROM \"user\""
    )
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="0011")
            db.session.execute(
                text(
                    'INSERT INTO "user" (email, password_hash, role, active, created_at,'
                    " session_token, recovery_codes, totp_failures) VALUES ('a@example.org',"
                    " 'x', 'researcher', true, '2026-01-01', 't', '[]', 0)"
                )
            )
            db.session.commit()
            upgrade(revision="0012")
            db.session.execute(text(key), {"c": b"\x01\x02", "p": b"\x03", "n": "Blue key"})
            # A credential names one account: the same id twice is refused.
            with pytest.raises(IntegrityError), db.session.begin_nested():
                db.session.execute(text(key), {"c": b"\x01\x02", "p": b"\x04", "n": "Twin"})
            assert [r[5] for r in _rows("security_keys")] == ["Blue key"]
            db.session.commit()  # before the downgrade, which waits for open transactions
            downgrade(revision="0011")
            assert "security_keys" not in inspect(db.engine).get_table_names()
            assert len(_rows("user")) == 1
            db.session.commit()
            db.engine.dispose()


def test_0015_gives_every_decline_a_key_of_its_own_and_goes_down_keeping_them(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="0012")
            for statement in (
                "INSERT INTO site (code, name, kind) VALUES ('send', 'HMP Send', 'prison')",
                "INSERT INTO wave (code, label, position, offset_months) VALUES ('T1', 'S', 1, 0)",
                *(
                    "INSERT INTO decline (channel, site_id, wave_id, declined_on)"
                    f" VALUES ('kiosk', 1, 1, '2026-01-0{n}')"
                    for n in (1, 2)
                ),
            ):
                db.session.execute(text(statement))
            db.session.commit()
            upgrade(revision="0015")
            keys = [r[-1] for r in _rows("decline")]
            assert len(set(keys)) == 2 and all(len(k) >= 20 for k in keys)
            # A key names one decline: the same key twice is refused.
            assert _refused(
                "INSERT INTO decline (channel, site_id, wave_id, declined_on, sync_key)"
                f" VALUES ('kiosk', 1, 1, '2026-01-03', '{keys[0]}')"
            )
            db.session.commit()
            downgrade(revision="0012")
            assert len(_rows("decline")) == 2
            assert "sync_key" not in {c["name"] for c in inspect(db.engine).get_columns("decline")}
            db.session.commit()
            db.engine.dispose()
