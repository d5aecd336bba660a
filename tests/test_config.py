"""Configuration fails fast with one line; SQLite connections are tuned."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

import survey_app
from survey_app import create_app
from survey_app.config import ConfigError, Settings, current_settings, load_settings
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


def test_trusted_proxies_is_a_count_from_zero(tmp_path: Path) -> None:
    assert load_settings(tmp_path, {"SECRET_KEY": "x"}).trusted_proxies == 0
    assert load_settings(tmp_path, {"SECRET_KEY": "x", "TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES must be at least 0, got -1"):
        load_settings(tmp_path, {"SECRET_KEY": "x", "TRUSTED_PROXIES": "-1"})
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES must be a whole number"):
        load_settings(tmp_path, {"SECRET_KEY": "x", "TRUSTED_PROXIES": "yes"})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ten", "KIOSK_MAX_HOURS must be a whole number"),
        ("0", "KIOSK_MAX_HOURS must be positive"),
        ("25", "KIOSK_MAX_HOURS must be at most 24"),
    ],
)
def test_kiosk_max_hours_is_checked(tmp_path: Path, raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path, {"SECRET_KEY": "x", "KIOSK_MAX_HOURS": raw})
    assert load_settings(tmp_path, {"SECRET_KEY": "x"}).kiosk_max_hours == 10
    assert (
        load_settings(tmp_path, {"SECRET_KEY": "x", "KIOSK_MAX_HOURS": "24"}).kiosk_max_hours == 24
    )


def test_link_idle_minutes_is_checked(tmp_path: Path) -> None:
    assert load_settings(tmp_path, {"SECRET_KEY": "x"}).link_idle_minutes == 30
    for raw, message in (("0", "must be positive"), ("1441", "must be at most 1440")):
        with pytest.raises(ConfigError, match=f"LINK_IDLE_MINUTES {message}"):
            load_settings(tmp_path, {"SECRET_KEY": "x", "LINK_IDLE_MINUTES": raw})


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


def test_the_code_reads_the_typed_settings_the_app_was_made_with(tmp_path: Path) -> None:
    app = create_app(
        {"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
         "KIOSK_MAX_HOURS": "3", "TOTP_REQUIRED_ROLES": "caseworker"}
    )  # fmt: skip
    with app.app_context():
        settings = current_settings()
        assert isinstance(settings, Settings)
        assert settings.kiosk_max_hours == 3 and settings.totp_required_roles == ("caseworker",)
        db.engine.dispose()


def test_two_step_login_is_required_outside_development(tmp_path: Path) -> None:
    assert load_settings(tmp_path, {"SECRET_KEY": "x"}).totp_required_roles == ()
    production = load_settings(
        tmp_path,
        {"SECRET_KEY": "x", "SURVEY_APP_ENV": "production", "RATELIMIT_STORAGE_URI": "memory://"},
    )
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


PRODUCTION_STORE_MESSAGE = (
    "survey_app: RATELIMIT_STORAGE_URI must be set when SURVEY_APP_ENV=production: a redis:// "
    "URL that every gunicorn worker shares (e.g. redis://127.0.0.1:6379), or memory:// for a "
    "single worker"
)


def test_production_refuses_to_start_without_a_rate_limit_store(tmp_path: Path) -> None:
    # memory:// counts in each worker apart: four workers would allow four times each limit.
    for unset in ("", "  "):
        with pytest.raises(ConfigError) as caught:
            load_settings(
                tmp_path,
                {"SURVEY_APP_ENV": "production", "SECRET_KEY": "x", "RATELIMIT_STORAGE_URI": unset},
            )
        assert str(caught.value.code) == PRODUCTION_STORE_MESSAGE


def test_production_start_without_a_rate_limit_store_prints_one_line(tmp_path: Path) -> None:
    env = {
        "SURVEY_APP_ENV": "production",
        "SECRET_KEY": "x",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", "from survey_app import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == PRODUCTION_STORE_MESSAGE


@pytest.mark.parametrize("uri", ["memory://", "redis://127.0.0.1:6379"])
def test_production_counts_where_it_is_told(tmp_path: Path, uri: str) -> None:
    settings = load_settings(
        tmp_path, {"SURVEY_APP_ENV": "production", "SECRET_KEY": "x", "RATELIMIT_STORAGE_URI": uri}
    )
    assert settings.flask_config()["RATELIMIT_STORAGE_URI"] == uri


def test_production_starts_with_memory_asked_for_explicitly(tmp_path: Path) -> None:
    app = create_app(
        {
            "SECRET_KEY": "x",
            "SURVEY_APP_ENV": "production",
            "RATELIMIT_STORAGE_URI": "memory://",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}",
        }
    )
    with app.app_context():
        db.engine.dispose()
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize("env", ["development", "testing"])
def test_development_and_testing_count_in_memory_unless_told(tmp_path: Path, env: str) -> None:
    settings = load_settings(
        tmp_path, {"SURVEY_APP_ENV": env, "SECRET_KEY": "x", "RATELIMIT_STORAGE_URI": ""}
    )
    assert settings.ratelimit_storage_uri == "memory://"


def test_production_refuses_debug_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="debug mode must be off"):
        create_app(
            {
                "SECRET_KEY": "x",
                "SURVEY_APP_ENV": "production",
                "RATELIMIT_STORAGE_URI": "memory://",
                "DEBUG": True,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
            }
        )


def test_a_missing_study_file_stops_the_app_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, {"SECRET_KEY": "x", "STUDY_FILE": str(tmp_path / "none.yaml")})
    assert str(caught.value.code) == (
        f"survey_app: STUDY_FILE={str(tmp_path / 'none.yaml')!r}: no such file"
    )


def test_the_app_serves_the_study_named_by_study_file(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    bundled = (Path(survey_app.__file__).parent / "study.yaml").read_text()
    other = tmp_path / "other_study.yaml"
    other.write_text(bundled.replace("name: Together a Chance evaluation", "name: Another study"))
    app = make_app(STUDY_FILE=str(other))
    assert "<h1>Another study</h1>" in app.test_client().get("/").get_data(as_text=True)
    broken = tmp_path / "broken_study.yaml"
    broken.write_text(bundled.replace("wave: T2, instrument", "wave: T9, instrument"))
    result = (
        make_app(STUDY_FILE=str(broken)).test_cli_runner().invoke(args=["instruments", "check"])
    )
    assert result.exit_code == 1
    assert "broken_study.yaml: schedule[1].wave: unknown wave 'T9'" in result.output


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("five", "PUBLICATION_THRESHOLD must be a whole number, got 'five'"),
        ("0", "PUBLICATION_THRESHOLD must be positive, got 0"),
        ("-3", "PUBLICATION_THRESHOLD must be positive, got -3"),
    ],
)
def test_the_publication_threshold_is_refused_at_start_up_unless_positive(
    tmp_path: Path, raw: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(tmp_path, {"SECRET_KEY": "x", "PUBLICATION_THRESHOLD": raw})
    assert "\n" not in str(caught.value.code)
    assert load_settings(tmp_path, {"SECRET_KEY": "x"}).publication_threshold == 5
    settings = load_settings(tmp_path, {"SECRET_KEY": "x", "PUBLICATION_THRESHOLD": "10"})
    assert settings.publication_threshold == 10
