"""Login and logout for the research team."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..extensions import db, limiter
from ..forms.auth import LoginForm
from ..models import AuditEvent
from . import sessions
from .operations import authenticate, normalise_email

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "That email and password do not match an account."


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would let a phishing link borrow our login page.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("research.dashboard")


def _login_email() -> str:
    # The account being tried, normalised: five failures a minute per account.
    return "login-account:" + normalise_email(request.form.get("email", ""))[:254]


def _failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_LIMIT"],
    key_func=_login_email,
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> ResponseReturnValue:
    if session.get("kiosk"):
        return redirect(url_for("kiosk.lock"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            sessions.start(user)
            return redirect(_safe_next(request.args.get("next")))
        error = LOGIN_FAILED
        g.login_failed = True
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is not None:
        db.session.add(AuditEvent(kind="logout", actor_id=user.id))
    sessions.end(user)
    return redirect(url_for("main.index"))
