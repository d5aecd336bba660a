"""Sessions: a new session at login, revocation on logout, an idle timeout and an absolute
lifetime (configurable), checked on the server at every request; the same for kiosk mode."""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..config import current_settings
from ..extensions import db
from ..models import SecurityKey, User


def start(user: User) -> None:
    """Log in with a fresh session: nothing from before the login survives it."""
    session.clear()
    login_user(user)
    now = time.time()
    session["auth_at"] = now
    session["seen_at"] = now


def after_password(user: User, target: str) -> ResponseReturnValue:
    """Her password is right: a role that needs a second factor is half logged in and asked
    for its code (or to enrol); any other role's session starts and goes to ``target``."""
    has_key = db.session.scalar(select(SecurityKey.id).where(SecurityKey.user_id == user.id))
    # A user who registered a key is asked for it whatever her role: she chose two factors.
    if user.role in current_settings().totp_required_roles or has_key is not None:
        # Half logged in: the second factor decides.
        session.clear()
        session["pending"] = {
            "user": user.id,
            "token": user.session_token,
            "at": time.time(),
            "next": target,
        }
        if has_key is not None:
            return redirect(url_for("auth.key_login"))
        return redirect(url_for("auth.code" if user.totp_secret else "auth.enrol"))
    start(user)
    return redirect(target)


def end(user: User | None) -> None:
    """Log out everywhere: rotating the token revokes every session of this user."""
    if user is not None:
        user.revoke_sessions()
    logout_user()
    session.clear()


def staff_page() -> ResponseReturnValue | None:
    """Before each research or case page: an unlocked kiosk leads nowhere but back to its lock
    screen, and a session past its time ends."""
    if session.get("kiosk"):
        return redirect(url_for("kiosk.lock"))
    return check_lifetime()


def check_lifetime() -> ResponseReturnValue | None:
    """before_request for research pages: end sessions idle or old past their limits."""
    if not current_user.is_authenticated:
        return None
    now = time.time()
    idle = current_settings().research_idle_minutes * 60
    lifetime = current_settings().research_max_hours * 3600
    seen, started = float(session.get("seen_at", 0)), float(session.get("auth_at", 0))
    if now - seen > idle or now - started > lifetime:
        logout_user()
        session.clear()
        flash("Your session has ended. Please log in again.", "warning")
        return redirect(url_for("auth.login", next=request.path))
    session["seen_at"] = now
    return None


# Kiosk mode. The fieldworker is logged out of the research side while the kiosk runs, but
# the kiosk still rests on her account: it keeps her session token, so that whatever revokes
# her sessions (logout, a password change, deactivation) ends it too, and it lasts a working
# day at most (KIOSK_MAX_HOURS). Both are checked on the server at every kiosk request.
KIOSK_REVOKED = "revoked"
KIOSK_EXPIRED = "expired"


def kiosk_state(user: User, site: str, wave: str) -> dict[str, Any]:
    return {
        "site": site,
        "wave": wave,
        "fw": user.id,
        "token": user.session_token,
        "since": time.time(),
    }


def kiosk_problem(state: Mapping[str, Any]) -> str | None:
    """Why this kiosk state no longer holds (KIOSK_REVOKED or KIOSK_EXPIRED), or None."""
    user = db.session.get(User, state.get("fw")) if isinstance(state.get("fw"), int) else None
    token = state.get("token")
    if (
        user is None
        or not user.active
        or not isinstance(token, str)
        or not secrets.compare_digest(user.session_token, token)
    ):
        return KIOSK_REVOKED
    limit = current_settings().kiosk_max_hours * 3600
    if time.time() - float(state.get("since", 0)) > limit:
        return KIOSK_EXPIRED
    return None
