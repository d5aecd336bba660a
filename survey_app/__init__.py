"""survey_app: research data capture for prison-based evaluations."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from .config import SETTINGS_KEY, ConfigError, load_settings
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .field import register_hooks as register_field_hooks
from .numbers import NumberConverter, whole_number

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` overrides the environment (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    settings = load_settings(Path(app.instance_path), config)
    managed = settings.flask_config()
    app.config.update(managed)
    app.extensions[SETTINGS_KEY] = settings
    if settings.is_production and (app.debug or (config or {}).get("DEBUG")):
        # The debugger runs code from the browser: never with real data.
        raise ConfigError("debug mode must be off when SURVEY_APP_ENV=production")
    app.config.update(
        LOGIN_ACCOUNT_LIMIT="5 per minute",
        LOGIN_ADDRESS_LIMIT="30 per minute",
        API_RATE_LIMIT="120 per minute",  # per API token (survey_app/api/guard.py)
    )
    # Other upper-case keys given to create_app (tests, embedding) are plain Flask config.
    for key, value in (config or {}).items():
        if key.isupper() and key not in managed and key != "DATABASE_URL":
            app.config[key] = value
    if settings.trusted_proxies:
        register_proxies(app, settings.trusted_proxies)
    register_extensions(app)
    register_field_hooks()
    register_blueprints(app)
    register_template_context(app)
    register_request_hooks(app)
    register_errors(app)
    register_logging(app)
    register_cli(app)
    if app.config.get("CHECK_DATABASE_ON_START", True):
        check_database(app)
    return app


def register_proxies(app: Flask, count: int) -> None:
    """Behind ``count`` reverse proxies, take the client's address and scheme from the headers
    they set (the last ``count`` entries): the login limit counts each client, not the proxy,
    and addresses shown on the Links page start https://. Host is passed on by the proxy."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside one writer; the busy timeout makes writers queue.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted answers are overwritten with zeros, not left in free space (models/erasure.py).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def register_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    check_limiter_storage(app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    register_babel(app)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)

    from .models import User

    @login_manager.user_loader  # type: ignore[untyped-decorator]
    def load_user(session_id: str) -> User | None:
        # "<id>.<session token>": a revoked token (logout, password change) finds no one.
        user_id, _, token = session_id.partition(".")
        number = whole_number(user_id)
        if number is None or not token:
            return None
        user = db.session.get(User, number)
        if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
            return None
        return user


def register_babel(app: Flask) -> None:
    """Interface strings through Flask-Babel: the respondent pages in their language (the
    catalogue is survey_app/translations), everything else in English."""
    from .i18n import current_language, english, welsh, welsh_setting

    babel.init_app(app, locale_selector=current_language)
    app.jinja_env.globals.update(english=english, welsh=welsh, welsh_setting=welsh_setting)


def register_template_context(app: Flask) -> None:
    from .study import current_study

    @app.context_processor
    def _product_name() -> dict[str, str]:
        # Pages are headed by the study's name (study.yaml), never the package's.
        return {"product_name": current_study().name}

    @app.context_processor
    def _field_laptop() -> dict[str, Any]:
        from .field.status import laptop_status

        # A callable: only the staff pages' header asks (one query), respondent pages never.
        return {"field_laptop": lambda: laptop_status(db.session)}

    @app.context_processor
    def _demo_study() -> dict[str, Any]:
        from .demo.marker import demo_banner

        # Every page says so when the database holds the demo study (flask demo load).
        return {"demo_study": demo_banner}


def check_limiter_storage(uri: str) -> None:
    """A bad RATELIMIT_STORAGE_URI stops the app with one line, not a traceback later."""
    from limits.errors import ConfigurationError
    from limits.storage import storage_from_string

    try:
        storage_from_string(uri)
    except (ConfigurationError, ValueError) as exc:
        raise ConfigError(f"RATELIMIT_STORAGE_URI={uri!r}: {exc}") from None


def register_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .api.session import NoApiSessions
    from .auth import key_views as _key_views  # noqa: F401 - its routes join auth's
    from .auth import token_views as _token_views  # noqa: F401 - its routes join auth's
    from .auth.views import bp as auth_bp
    from .cases import bp as cases_bp
    from .coding import bp as coding_bp
    from .main import bp as main_bp
    from .research import bp as research_bp
    from .respond.kiosk import bp as kiosk_bp
    from .respond.link import bp as link_bp
    from .speech.views import bp as speech_bp

    # Every number in a URL is read by the one rule (numbers.py) before any route sees it.
    app.url_map.converters["number"] = NumberConverter
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(research_bp, url_prefix="/research")
    app.register_blueprint(kiosk_bp, url_prefix="/kiosk")
    app.register_blueprint(link_bp, url_prefix="/s")
    app.register_blueprint(cases_bp, url_prefix="/cases")
    app.register_blueprint(coding_bp, url_prefix="/research/coding")
    app.register_blueprint(speech_bp, url_prefix="/speech")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    # Respondent forms check their CSRF token themselves, so that an expired page shows her
    # answers again with a message instead of a bare error.
    csrf.exempt(kiosk_bp)
    csrf.exempt(link_bp)
    # The API is a Bearer token alone: no session is read or set, so no CSRF can ride on it.
    csrf.exempt(api_bp)
    app.session_interface = NoApiSessions()


def register_request_hooks(app: Flask) -> None:
    from .web import (
        commit_or_rollback,
        refuse_cross_site_writes,
        reject_nul_bytes,
        security_headers,
    )

    app.before_request(refuse_cross_site_writes)
    app.before_request(reject_nul_bytes)
    app.after_request(commit_or_rollback)
    app.after_request(security_headers)


def register_errors(app: Flask) -> None:
    from .errors import register

    register(app)


def register_logging(app: Flask) -> None:
    """An error on a link's page is logged with its path: hide the link's token in it
    (gunicorn's own error log gets the same filter from accesslog.RespondentSafeLogger)."""
    from .logtokens import install

    install(app.logger)


def register_cli(app: Flask) -> None:
    from .cli import register

    register(app)


def check_database(app: Flask) -> None:
    """Fail at start with one line if the database cannot be reached."""
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            url = db.engine.url.render_as_string(hide_password=True)
            raise ConfigError(f"cannot reach the database at {url}: {reason}") from None


__all__ = ["ConfigError", "create_app"]
