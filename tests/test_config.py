"""Configuration fails fast with one line; SQLite connections are tuned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from survey_app import create_app
from survey_app.config import ConfigError, load_settings
from survey_app.extensions import db


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, {"SURVEY_APP_ENV": "production", "SECRET_KEY": ""})
    assert (
        str(caught.value.code)
        == "survey_app: SECRET_KEY must be set when SURVEY_APP_ENV=production"
    )


def test_production_start_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = {"SURVEY_APP_ENV": "production", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "from survey_app import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip() == "survey_app: SECRET_KEY must be set when SURVEY_APP_ENV=production"
    )


def test_development_generates_a_secret_key_once(tmp_path: Path) -> None:
    first = load_settings(tmp_path, {"SECRET_KEY": ""})
    second = load_settings(tmp_path, {"SECRET_KEY": ""})
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_is_the_default_database_in_instance(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, {"SECRET_KEY": "x", "DATABASE_URL": ""})
    assert settings.database_url == f"sqlite:///{tmp_path / 'survey_app.db'}"


def test_plain_postgresql_urls_use_psycopg_3(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, {"SECRET_KEY": "x", "DATABASE_URL": "postgresql://u@h/d"})
    assert settings.database_url == "postgresql+psycopg://u@h/d"


def test_bad_numbers_fail_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KIOSK_IDLE_SECONDS must be a whole number"):
        load_settings(tmp_path, {"SECRET_KEY": "x", "KIOSK_IDLE_SECONDS": "ten"})


def test_an_unreachable_database_gives_one_clear_line() -> None:
    with pytest.raises(ConfigError) as caught:
        create_app(
            {
                "SECRET_KEY": "x",
                "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            }
        )
    message = str(caught.value.code)
    assert message.startswith(
        "survey_app: cannot reach the database at postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    assert "\n" not in message


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        db.engine.dispose()


def test_create_app_creates_no_tables(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"})
    with app.app_context():
        tables = db.session.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).all()
        db.engine.dispose()
    assert tables == []


def test_the_app_fixture_is_a_flask_app(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"


def test_two_step_login_is_required_outside_development(tmp_path: Path) -> None:
    assert load_settings(tmp_path, {"SECRET_KEY": "x"}).totp_required_roles == ()
    production = load_settings(tmp_path, {"SECRET_KEY": "x", "SURVEY_APP_ENV": "production"})
    assert production.totp_required_roles == ("admin", "researcher", "caseworker")
    with pytest.raises(ConfigError, match="unknown role 'boss'"):
        load_settings(tmp_path, {"SECRET_KEY": "x", "TOTP_REQUIRED_ROLES": "admin,boss"})


def test_a_bad_rate_limit_storage_stops_the_app_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        create_app(
            {
                "SECRET_KEY": "x",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
                "RATELIMIT_STORAGE_URI": "carrier-pigeon://loft",
            }
        )
    assert str(caught.value.code).startswith(
        "survey_app: RATELIMIT_STORAGE_URI='carrier-pigeon://loft'"
    )


def test_production_refuses_debug_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="debug mode must be off"):
        create_app(
            {
                "SECRET_KEY": "x",
                "SURVEY_APP_ENV": "production",
                "DEBUG": True,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
            }
        )
