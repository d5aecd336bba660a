"""Research-side sessions: a new session at login, revocation on logout, an idle timeout and
an absolute lifetime (configurable), checked on the server at every request."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from ..models import User


def start(user: User) -> None:
    """Log in with a fresh session: nothing from before the login survives it."""
    session.clear()
    login_user(user)
    now = time.time()
    session["auth_at"] = now
    session["seen_at"] = now


def end(user: User | None) -> None:
    """Log out everywhere: rotating the token revokes every session of this user."""
    if user is not None:
        user.revoke_sessions()
    logout_user()
    session.clear()


def check_lifetime() -> ResponseReturnValue | None:
    """before_request for research pages: end sessions idle or old past their limits."""
    if not current_user.is_authenticated:
        return None
    now = time.time()
    idle = current_app.config["RESEARCH_IDLE_MINUTES"] * 60
    lifetime = current_app.config["RESEARCH_MAX_HOURS"] * 3600
    seen, started = float(session.get("seen_at", 0)), float(session.get("auth_at", 0))
    if now - seen > idle or now - started > lifetime:
        logout_user()
        session.clear()
        flash("Your session has ended. Please log in again.", "warning")
        return redirect(url_for("auth.login", next=request.path))
    session["seen_at"] = now
    return None
