"""The account's API tokens page: make one (shown once), list them, revoke one. Routes of the
auth blueprint; the tokens themselves are survey_app/api/tokens.py."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from ..api import tokens
from ..extensions import db
from ..forms.auth import TokenAddForm
from ..models import User
from . import sessions, throttle
from .passwords import verify_password
from .views import bp


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _page(
    form: TokenAddForm,
    *,
    made: tokens.Made | None = None,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = _me()
    return render_template(
        "auth/tokens.html",
        tokens=tokens.tokens_of(db.session, user),
        state=tokens.state,
        form=form,
        made=made,
        error=error,
        max_days=tokens.MAX_DAYS,
    ), status


@bp.route("/account/tokens", methods=["GET"], endpoint="tokens")
@login_required  # type: ignore[untyped-decorator]
def tokens_page() -> ResponseReturnValue:
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    return _page(TokenAddForm(formdata=None))


@bp.route("/account/tokens/add", methods=["POST"])
@login_required  # type: ignore[untyped-decorator]
def token_add() -> ResponseReturnValue:
    """Her password again (a borrowed, unlocked screen must not mint a token), then the new
    token, shown on this answer only: it is never stored, nor put in the session cookie."""
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    user = _me()
    form = TokenAddForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    attempt = throttle.attempt("login-account", user.email)
    g.commit_on_error = True  # a wrong password is counted though this is a 4xx
    if not verify_password(user.password_hash, form.password.data or ""):
        return _page(form, error="Your password is not right.", status=422)
    attempt.succeeded()
    made = tokens.create(db.session, user, form.name.data or "", int(form.days.data))
    return _page(TokenAddForm(formdata=None), made=made, status=201)


@bp.route("/account/tokens/<number:token_id>/revoke", methods=["POST"])
@login_required  # type: ignore[untyped-decorator]
def token_revoke(token_id: int) -> ResponseReturnValue:
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    # CSRFProtect has checked the form's token before this view.
    revoked = tokens.revoke(db.session, _me(), token_id)
    if revoked is None:
        return _page(
            TokenAddForm(formdata=None),
            error="That token is not one of yours, or is gone.",
            status=404,
        )
    flash(f"The token “{revoked.name}” is revoked: it no longer works.", "status")
    return redirect(url_for("auth.tokens"))
