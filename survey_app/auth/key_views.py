"""The security-key pages: the account's list of keys (add, name, remove) and the login step
that takes a key's answer instead of a code. Routes of the auth blueprint."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from ..config import current_settings
from ..extensions import db
from ..forms.auth import KeyAddForm, KeyAnswerForm, KeyNameForm
from ..models import User
from . import keys, sessions, throttle, totp
from .passwords import verify_password
from .views import _locked_message, _pending_user, bp

REGISTERING = "key_registration"
CONFIRMING = "key_confirmation"  # a key-only account confirms a new key with one she has
ANSWERING = "key_login"


def party() -> keys.Party:
    """The RP ID is the host the browser sees (WEBAUTHN_RP_ID when set): behind the trusted
    proxy that is the public one; the browser itself refuses an RP ID not its page's."""
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    rp_id = current_settings().webauthn_rp_id or host
    return keys.Party(rp_id=rp_id, origin=request.host_url.rstrip("/"))


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.route("/account/keys", methods=["GET"], endpoint="keys")
@login_required  # type: ignore[untyped-decorator]
def keys_page() -> ResponseReturnValue:
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    return _list_page(KeyAddForm(), None, 200)


def _list_page(form: KeyAddForm, error: str | None, status: int) -> ResponseReturnValue:
    user = _me()
    return render_template(
        "auth/keys.html",
        keys=keys.keys_of(db.session, user),
        form=form,
        error=error,
        needs_code=user.totp_secret is not None,
    ), status


@bp.route("/account/keys/add", methods=["POST"])
@login_required  # type: ignore[untyped-decorator]
def key_add() -> ResponseReturnValue:
    """Both factors again (a borrowed, unlocked screen must not add a key), then the page that
    asks the browser for a new credential."""
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    user = _me()
    form = KeyAddForm()
    if not form.validate_on_submit():
        return _list_page(form, None, 422)
    attempt = throttle.attempt("login-account", user.email)
    g.commit_on_error = True  # a wrong code is counted and audited though this is a 4xx
    if not verify_password(user.password_hash, form.password.data or ""):
        return _list_page(form, "Your password is not right.", 422)
    attempt.succeeded()
    if user.totp_secret is not None:
        code_attempt = throttle.attempt("totp", str(user.id))
        try:
            accepted = totp.verify(db.session, user, form.code.data or "")
        except totp.Locked as locked:
            return _list_page(form, _locked_message(locked), 429)
        if accepted is None:
            return _list_page(
                form, "That code is not right, or it was used already. Try the newest code.", 422
            )
        code_attempt.succeeded()
    elif (asked := keys.authentication_options(db.session, user, party())) is not None:
        # No app: her second factor is a key, so a key she has confirms the new one (a
        # borrowed, unlocked screen and her password alone add nothing).
        options, state = asked
        session[CONFIRMING] = {**state, "name": form.name.data or ""}
        return _ceremony("Confirm with a key you have", options, "auth.key_confirm", "get")
    return _registration_page(user, form.name.data or "")


def _registration_page(user: User, name: str) -> ResponseReturnValue:
    options, state = keys.registration_options(db.session, user, party())
    session[REGISTERING] = {**state, "name": name}
    return _ceremony("Add a security key", options, "auth.key_finish", "create")


def _ceremony(
    title: str,
    options: str,
    endpoint: str,
    mode: str,
    form: KeyAnswerForm | None = None,
    error: str | None = None,
    other: str | None = None,
) -> str:
    """The page where the browser asks the key (``mode`` "create" to register one, "get" to
    use one) and posts its answer to ``endpoint``."""
    return render_template(
        "auth/key_ceremony.html",
        title=title,
        options=options,
        action=url_for(endpoint),
        mode=mode,
        form=form or KeyAnswerForm(),
        error=error,
        other=other,
    )


@bp.route("/account/keys/confirm", methods=["POST"])
@login_required  # type: ignore[untyped-decorator]
def key_confirm() -> ResponseReturnValue:
    """A key she has answers (counted with the two-step lock), then the new key's page."""
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    user = _me()
    state = session.pop(CONFIRMING, None)
    form = KeyAnswerForm()
    g.commit_on_error = True  # a refused key is counted and audited
    try:
        if not form.validate_on_submit():
            raise keys.KeyRefused("The key gave no answer. Please try again.")
        keys.authenticate(db.session, user, party(), state, form.answer.data or "")
    except totp.Locked as locked:
        return _list_page(KeyAddForm(), _locked_message(locked), 429)
    except keys.KeyRefused as exc:
        return _list_page(KeyAddForm(), f"{exc} The key was not added.", 422)
    name = state.get("name", "") if isinstance(state, dict) else ""
    return _registration_page(user, name)


@bp.route("/account/keys/finish", methods=["POST"])
@login_required  # type: ignore[untyped-decorator]
def key_finish() -> ResponseReturnValue:
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    user = _me()
    state = session.pop(REGISTERING, None)
    form = KeyAnswerForm()
    g.commit_on_error = True  # a refused key is audited
    try:
        if not form.validate_on_submit():
            raise keys.KeyRefused("The key gave no answer. Please try again.")
        name = state.get("name", "") if isinstance(state, dict) else ""
        key = keys.register(db.session, user, party(), state, form.answer.data or "", name)
    except keys.KeyRefused as exc:
        return _list_page(KeyAddForm(), f"{exc} The key was not added.", 422)
    flash(f"The key “{key.name}” is added: you can use it at your next login.", "status")
    return redirect(url_for("auth.keys"))


@bp.route("/account/keys/<number:key_id>/remove", methods=["POST"])
@login_required  # type: ignore[untyped-decorator]
def key_remove(key_id: int) -> ResponseReturnValue:
    expired = sessions.check_lifetime()
    if expired is not None:
        return expired
    # CSRFProtect has checked the form's token before this view.
    removed = keys.remove(db.session, _me(), key_id)
    if removed is None:
        return _list_page(KeyAddForm(), "That key is not one of yours, or is gone already.", 404)
    flash(f"The key “{removed.name}” is removed.", "status")
    return redirect(url_for("auth.keys"))


@bp.route("/login/key", methods=["GET", "POST"])
def key_login() -> ResponseReturnValue:
    """The second step with a security key (the app's code stays on offer)."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    error, status = None, 200
    form = KeyAnswerForm()
    if request.method == "POST":
        state = session.pop(ANSWERING, None)
        attempt = throttle.attempt("totp", str(user.id))
        g.commit_on_error = True  # a refused key is audited though this is a 4xx
        try:
            if not form.validate_on_submit():
                raise keys.KeyRefused("The key gave no answer. Please try again.")
            keys.authenticate(db.session, user, party(), state, form.answer.data or "")
        except totp.Locked as locked:
            error, status = _locked_message(locked), 429
        except keys.KeyRefused as exc:
            error, status = str(exc), 422
        else:
            attempt.succeeded()
            target = session["pending"]["next"]
            sessions.start(user)
            return redirect(target)
    made = keys.authentication_options(db.session, user, party())
    if made is None:
        return redirect(url_for("auth.code" if user.totp_secret else "auth.login"))
    options, state = made
    session[ANSWERING] = state
    other = url_for("auth.code") if user.totp_secret else None
    return _ceremony(
        "Use your security key", options, "auth.key_login", "get", form, error, other
    ), status


def _first_key_user() -> User | None:
    """The half-logged-in user with no second factor yet (her first login), or None: a
    password alone never adds a key to an account that has a code or a key already."""
    user = _pending_user()
    if user is None or user.totp_secret is not None or keys.keys_of(db.session, user):
        return None
    return user


@bp.route("/login/enrol/key", methods=["GET", "POST"])
def enrol_key() -> ResponseReturnValue:
    """First login without a phone: a security key (or this computer's own authenticator)
    as her second factor, in place of the authenticator app."""
    user = _first_key_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = KeyNameForm()
    if form.validate_on_submit():
        options, state = keys.registration_options(db.session, user, party())
        session[REGISTERING] = {**state, "name": form.name.data or ""}
        return _ceremony("Set up your security key", options, "auth.enrol_key_finish", "create")
    return _enrol_key_page(user, form, None, 422 if form.errors else 200)


def _enrol_key_page(
    user: User, form: KeyNameForm, error: str | None, status: int
) -> ResponseReturnValue:
    return render_template(
        "auth/enrol_key.html", form=form, error=error, role=user.role.value
    ), status


@bp.route("/login/enrol/key/finish", methods=["POST"])
def enrol_key_finish() -> ResponseReturnValue:
    user = _first_key_user()
    if user is None:
        return redirect(url_for("auth.login"))
    state = session.pop(REGISTERING, None)
    form = KeyAnswerForm()
    g.commit_on_error = True  # a refused key is audited
    try:
        if not form.validate_on_submit():
            raise keys.KeyRefused("The key gave no answer. Please try again.")
        name = state.get("name", "") if isinstance(state, dict) else ""
        key = keys.register(db.session, user, party(), state, form.answer.data or "", name)
    except keys.KeyRefused as exc:
        return _enrol_key_page(user, KeyNameForm(), f"{exc} The key was not added.", 422)
    target = session["pending"]["next"]
    sessions.start(user)
    flash(
        f"The key “{key.name}” is set up: use it each time you log in. If you lose it, an "
        "administrator resets your two-step login.",
        "status",
    )
    return redirect(target)
