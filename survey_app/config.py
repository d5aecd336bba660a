"""Typed configuration that fails fast.

Values come from the environment (or a mapping passed to ``create_app``). Development may
generate a secret key once into ``instance/``; production must be told (SecureDrop's
``sdconfig`` and cookiecutter-flask do the same).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask import current_app

from .kinds import Role, values

# The study this installation serves (sites, waves, schedule); STUDY_FILE names another.
BUNDLED_STUDY_FILE = Path(__file__).with_name("study.yaml")


# Where create_app keeps the Settings it was built from (app.extensions).
SETTINGS_KEY = "survey_app.settings"


def current_settings() -> Settings:
    """The running app's typed settings: code reads these, not the flat ``app.config`` keys
    (which stay for Flask and its extensions)."""
    return cast(Settings, current_app.extensions[SETTINGS_KEY])


class ConfigError(SystemExit):
    """A configuration problem. A SystemExit so that every entry point (flask, gunicorn,
    wsgi) stops with one line on stderr instead of a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(f"survey_app: {message}")


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str
    kiosk_idle_seconds: int
    kiosk_max_hours: int
    link_new_drafts_per_minute: int
    link_idle_minutes: int
    research_idle_minutes: int
    research_max_hours: int
    session_cookie_secure: bool
    ratelimit_storage_uri: str
    ratelimit_key_prefix: str
    totp_required_roles: tuple[Role, ...]
    trusted_proxies: int
    study_file: Path
    field_key_dir: str
    field_draft_hours: int
    publication_threshold: int = 5
    # Read-aloud audio made by the server (survey_app/speech): on unless SPEECH_AUDIO=0, kept
    # in SPEECH_AUDIO_DIR (default <instance>/speech).
    speech_audio: bool = True
    speech_audio_dir: str = ""
    # Security keys' RP ID (a host name); empty: the host the browser asked for.
    webauthn_rp_id: str = ""

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url),
            "SURVEY_APP_ENV": self.env,
            "KIOSK_IDLE_SECONDS": self.kiosk_idle_seconds,
            "KIOSK_MAX_HOURS": self.kiosk_max_hours,
            "LINK_NEW_DRAFTS_PER_MINUTE": self.link_new_drafts_per_minute,
            "LINK_IDLE_MINUTES": self.link_idle_minutes,
            "RESEARCH_IDLE_MINUTES": self.research_idle_minutes,
            "RESEARCH_MAX_HOURS": self.research_max_hours,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_KEY_PREFIX": self.ratelimit_key_prefix,
            "RATELIMIT_HEADERS_ENABLED": False,
            "TOTP_REQUIRED_ROLES": self.totp_required_roles,
            "STUDY_FILE": str(self.study_file),
            "PUBLICATION_THRESHOLD": self.publication_threshold,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Strict",
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
            # Every page sends Referrer-Policy: no-referrer, so over HTTPS Flask-WTF's check
            # for a same-origin Referer would refuse every form: the token, the SameSite=Strict
            # session and the Sec-Fetch-Site check in web.py guard forms instead.
            "WTF_CSRF_SSL_STRICT": False,
            "MAX_CONTENT_LENGTH": 512 * 1024,
            "FIELD_KEY_DIR": self.field_key_dir,
            "FIELD_DRAFT_HOURS": self.field_draft_hours,
            "SPEECH_AUDIO": self.speech_audio,
            "SPEECH_AUDIO_DIR": self.speech_audio_dir,
            "WEBAUTHN_RP_ID": self.webauthn_rp_id,
        }


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Writers wait for the lock instead of failing with "database is locked".
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _dev_secret_key(instance_path: Path) -> str:
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created 0600: the key signs sessions and must not be world-readable.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _as_int(name: str, raw: object, *, minimum: int = 1, maximum: int | None = None) -> int:
    try:
        value = int(str(raw))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        limit = "positive" if minimum == 1 else f"at least {minimum}"
        raise ConfigError(f"{name} must be {limit}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def load_settings(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read settings from the environment, then ``overrides`` (tests pass a mapping)."""
    source: dict[str, Any] = {k: v for k, v in os.environ.items() if k.isupper()}
    source.update(overrides or {})
    env = _env(source)
    return Settings(
        env=env,
        database_url=_database_url(source, instance_path),
        secret_key=_secret_key(source, env, instance_path),
        kiosk_idle_seconds=_as_int("KIOSK_IDLE_SECONDS", source.get("KIOSK_IDLE_SECONDS", 600)),
        # Kiosk mode lasts a working day at most; a day and a night would defeat the limit.
        kiosk_max_hours=_as_int("KIOSK_MAX_HOURS", source.get("KIOSK_MAX_HOURS", 10), maximum=24),
        # New drafts per anonymous link per minute, for all its respondents together: counted
        # by the link's token, never by address.
        link_new_drafts_per_minute=_as_int(
            "LINK_NEW_DRAFTS_PER_MINUTE", source.get("LINK_NEW_DRAFTS_PER_MINUTE", 30)
        ),
        # A link page left alone this long saves itself and lets go of the draft (shared
        # computers); at most a day.
        link_idle_minutes=_as_int(
            "LINK_IDLE_MINUTES", source.get("LINK_IDLE_MINUTES", 30), maximum=24 * 60
        ),
        research_idle_minutes=_as_int(
            "RESEARCH_IDLE_MINUTES", source.get("RESEARCH_IDLE_MINUTES", 30)
        ),
        research_max_hours=_as_int("RESEARCH_MAX_HOURS", source.get("RESEARCH_MAX_HOURS", 12)),
        session_cookie_secure=env == "production",
        ratelimit_storage_uri=_ratelimit_storage_uri(source, env),
        # Keeps this app's counters apart when several apps (or test runs) share one Redis.
        ratelimit_key_prefix=str(source.get("RATELIMIT_KEY_PREFIX") or ""),
        # Two-step login for researchers, admins and caseworkers (they read case forms), except
        # on a developer's own machine.
        totp_required_roles=_roles(
            source.get(
                "TOTP_REQUIRED_ROLES",
                () if env == "development" else (Role.ADMIN, Role.RESEARCHER, Role.CASEWORKER),
            )
        ),
        # How many reverse proxies stand in front of gunicorn: their X-Forwarded-For and
        # X-Forwarded-Proto are believed (werkzeug's ProxyFix). 0, the default, believes none.
        trusted_proxies=_as_int("TRUSTED_PROXIES", source.get("TRUSTED_PROXIES", 0), minimum=0),
        study_file=_study_file(source.get("STUDY_FILE")),
        # Field laptops (survey_app/field): where the server keeps the study's key pair, and
        # how long a laptop keeps an unsent draft readable.
        field_key_dir=str(source.get("FIELD_KEY_DIR") or instance_path / "field-keys"),
        field_draft_hours=_as_int("FIELD_DRAFT_HOURS", source.get("FIELD_DRAFT_HOURS", 12)),
        # Publication releases hide counts under this (survey_app/disclosure); 0 would hide none.
        publication_threshold=_as_int(
            "PUBLICATION_THRESHOLD", source.get("PUBLICATION_THRESHOLD", 5)
        ),
        speech_audio=str(source.get("SPEECH_AUDIO", "1")).strip().lower()
        not in ("0", "off", "false", "no"),
        speech_audio_dir=str(source.get("SPEECH_AUDIO_DIR") or instance_path / "speech"),
        webauthn_rp_id=str(source.get("WEBAUTHN_RP_ID") or "").strip().lower(),
    )


def _env(source: Mapping[str, Any]) -> str:
    env = str(source.get("SURVEY_APP_ENV", "development")).strip().lower()
    if env not in {"development", "production", "testing"}:
        raise ConfigError(f"SURVEY_APP_ENV must be development, production or testing, got {env!r}")
    return env


def _database_url(source: Mapping[str, Any], instance_path: Path) -> str:
    database_url = str(source.get("DATABASE_URL") or _sqlite_url(instance_path / "survey_app.db"))
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return database_url


def _secret_key(source: Mapping[str, Any], env: str, instance_path: Path) -> str:
    secret_key = source.get("SECRET_KEY")
    if not secret_key:
        if env == "production":
            raise ConfigError("SECRET_KEY must be set when SURVEY_APP_ENV=production")
        secret_key = _dev_secret_key(instance_path)
    return str(secret_key)


def _ratelimit_storage_uri(source: Mapping[str, Any], env: str) -> str:
    """memory:// counts in each process apart: under gunicorn's n workers every limit would be
    n times itself. So production is told where to count, and memory:// only if asked for."""
    uri = str(source.get("RATELIMIT_STORAGE_URI") or "").strip()
    if uri:
        return uri
    if env == "production":
        raise ConfigError(
            "RATELIMIT_STORAGE_URI must be set when SURVEY_APP_ENV=production: a redis:// URL "
            "that every gunicorn worker shares (e.g. redis://127.0.0.1:6379), or memory:// "
            "for a single worker"
        )
    return "memory://"


def _study_file(raw: object) -> Path:
    if not raw:
        return BUNDLED_STUDY_FILE
    path = Path(str(raw)).expanduser().resolve()
    if not path.is_file():
        raise ConfigError(f"STUDY_FILE={str(raw)!r}: no such file")
    return path


def _roles(raw: object) -> tuple[Role, ...]:
    if isinstance(raw, (list, tuple)):
        names = [str(r) for r in raw]
    else:
        names = [r.strip() for r in str(raw).split(",") if r.strip()]
    unknown = [r for r in names if r not in values(Role)]
    if unknown:
        raise ConfigError(
            f"TOTP_REQUIRED_ROLES: unknown role {unknown[0]!r} (the roles are {', '.join(Role)})"
        )
    return tuple(Role(r) for r in names)
