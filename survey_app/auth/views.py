"""Login and logout for the research team."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db, limiter
from ..forms.admin import PasswordChangeForm
from ..forms.auth import CodeForm, LoginForm
from ..models import SecurityKey, User, record_audit
from . import sessions, throttle, totp
from .operations import (
    AccountError,
    WrongPassword,
    authenticate,
    change_password,
    normalise_email,
)

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "That email and password do not match an account."


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would let a phishing link borrow our login page.
    if (
        target
        and target.startswith("/")
        and target.isprintable()
        and not any(c.isspace() or c == "\\" for c in target)
        and not urlsplit(target).netloc
        and not target.startswith("//")
    ):
        return target
    return url_for("research.dashboard")


@bp.route("/login", methods=["GET", "POST"])
# Flask-Limiter counts each POST before the view runs (an atomic hit), so the per-address limit
# holds under simultaneous requests; the per-account one is counted in the view (throttle).
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_LIMIT"], methods=["POST"])
def login() -> ResponseReturnValue:
    if session.get("kiosk"):
        return redirect(url_for("kiosk.lock"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = form.email.data or ""
        attempt = throttle.attempt("login-account", normalise_email(email)[:254])
        user = authenticate(db.session, email, form.password.data or "")
        if user is not None:
            attempt.succeeded()
            return sessions.after_password(user, _safe_next(request.args.get("next")))
        error = LOGIN_FAILED
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is not None:
        record_audit(db.session, kind="logout", actor_id=user.id)
    sessions.end(user)
    return redirect(url_for("main.index"))


PENDING_SECONDS = 300


def _pending_user() -> User | None:
    """The user who gave the right password in the last five minutes, if any."""
    pending = session.get("pending")
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None
    return user


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol() -> ResponseReturnValue:
    """First login of a researcher or admin: set up the authenticator app."""
    user = _pending_user()
    if user is None or user.totp_secret is not None:
        return redirect(url_for("auth.login"))
    secret = session.get("enrol_secret") or totp.new_secret()
    session["enrol_secret"] = secret
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        codes = totp.enrol(user, secret, form.code.data or "")
        if codes is not None:
            target = session["pending"]["next"]
            record_audit(db.session, kind="totp.enrolled", actor_id=user.id)
            sessions.start(user)
            return render_template("auth/recovery_codes.html", codes=codes, next_url=target)
        error = "That code is not right. Check the time on your phone and try the newest code."
    return render_template(
        "auth/enrol.html",
        form=form,
        error=error,
        qr=totp.qr_data_uri(user, secret),
        secret=secret,
        role=user.role.value,
    ), (422 if error else 200)


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> ResponseReturnValue:
    user = _pending_user()
    if user is None or user.totp_secret is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    error, status = None, 200
    if form.validate_on_submit():
        attempt = throttle.attempt("totp", str(user.id))
        g.commit_on_error = True  # a refused code is counted and audited though this is a 4xx
        try:
            accepted = totp.verify(db.session, user, form.code.data or "")
        except totp.Locked as locked:
            error, status = _locked_message(locked), 429
        else:
            if accepted is not None:
                attempt.succeeded()
                return _second_step_passed(user, accepted)
            error, status = (
                "That code is not right, or it was used already. Try the newest code.",
                422,
            )
    has_key = db.session.scalar(select(SecurityKey.id).where(SecurityKey.user_id == user.id))
    return render_template(
        "auth/code.html", form=form, error=error, has_key=has_key is not None
    ), status


def _locked_message(locked: totp.Locked) -> str:
    minutes = locked.minutes
    left = (
        f"{minutes} more minute{'s' if minutes != 1 else ''}"
        if minutes < 120
        else f"about {round(minutes / 60)} more hours"
    )
    return (
        f"Too many wrong codes: two-step login for this account is locked for {left} "
        f"(until {locked.until:%d %b %H:%M} UTC). Try again then, or ask an admin to unlock it."
    )


def _second_step_passed(user: User, accepted: str) -> ResponseReturnValue:
    target = session["pending"]["next"]
    if accepted == "recovery":
        record_audit(
            db.session,
            kind="totp.recovery_used",
            actor_id=user.id,
            detail={"left": len(user.recovery_codes)},
        )
    sessions.start(user)
    return redirect(target)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
def password() -> ResponseReturnValue:
    """Change one's password; every other session of the account ends."""
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    form = PasswordChangeForm()
    error = None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        # The current password is a password check like a login's, and throttled with it.
        attempt = throttle.attempt("login-account", user.email)
        try:
            change_password(db.session, user, form.current.data or "", form.new.data or "")
        except WrongPassword as exc:
            error = str(exc)
        except AccountError as exc:
            attempt.succeeded()
            error = str(exc)
        else:
            attempt.succeeded()
            sessions.start(user)  # every session was revoked: this browser gets a new one
            flash("Your password has been changed. Other sessions have been logged out.", "status")
            return redirect(url_for("research.dashboard"))
    status = 422 if error or form.errors else 200
    return render_template("auth/password.html", form=form, error=error), status
