"""The kiosk: a fieldworker unlocks it, a mother answers, the kiosk locks again.

In kiosk mode the fieldworker is logged out of the research side; leaving kiosk mode asks
for the password again. The respondent's state lives in the session under ``respondent``
and is cleared at the lock screen, the thank-you page and the idle timeout."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields import SelectChoice

from .. import pseudonyms
from ..auth import sessions, throttle
from ..auth.passwords import verify_password
from ..config import current_settings
from ..extensions import db
from ..forms.kiosk import FieldworkerPasswordForm, KioskSetupForm, ParticipantIdForm
from ..i18n import N_, in_language, use_language, welsh_setting
from ..models import Channel, Participant, Role, Site, User, Wave, record_audit
from ..numbers import whole_number
from ..services import declines
from ..services import participants as participant_ops
from ..services import responses as ops
from ..speech import clips as speech_clips
from ..study import current_study
from . import engine

bp = Blueprint("kiosk", __name__)

# What the lock screen says to her after she leaves her questionnaire, in her language, once.
LOCK_NOTES = {
    "declined": N_("You chose not to take part. Nothing you entered has been kept."),
    "kept": N_("Your answers are kept. A member of the research team can help you go on later."),
    "deleted": N_("Your answers have been deleted. Nothing was kept."),
    "nothing": N_("You stopped before answering, so nothing was kept."),
}


def _flow() -> engine.Flow:
    return engine.Flow(
        channel=Channel.KIOSK,
        page_url=lambda index: url_for("kiosk.page", index=index),
        finish_url=url_for("kiosk.finish"),
        submit_url=url_for("kiosk.submit"),
        thanks_url=url_for("kiosk.thanks"),
        leave_url=url_for("kiosk.lock"),
        decline_url=url_for("kiosk.decline"),
        timeout_url=url_for("kiosk.lock"),
        stop_url=url_for("kiosk.stop"),
        idle_seconds=current_settings().kiosk_idle_seconds,
    )


def _kiosk() -> dict[str, Any] | None:
    state = session.get("kiosk")
    return state if isinstance(state, dict) else None


def _clear_respondent() -> None:
    # Only her state goes: the kiosk stays unlocked and the CSRF secret stays, so that a
    # replayed final submit still finds its thank-you page.
    session.pop("respondent", None)


def _fieldworker() -> User | None:
    state = _kiosk()
    return db.session.get(User, state["fw"]) if state else None


def _respondent_response(*, save_if_idle: bool = False) -> Any:
    """The draft of the respondent at the kiosk, or None (idle too long, or none started).

    With ``save_if_idle`` (a page POST), an idle session still finds its draft, so that the
    page she was on is saved before the kiosk locks; ``g.kiosk_idle`` tells the view."""
    state = session.get("respondent")
    if not isinstance(state, dict):
        return None
    idle = current_settings().kiosk_idle_seconds
    g.kiosk_idle = time.time() - float(state.get("seen", 0)) > idle
    if g.kiosk_idle and not save_if_idle:
        _clear_respondent()
        return None
    response = ops.by_key(db.session, state.get("key"), lock=request.method == "POST")
    if response is None:
        response = _unsaved(state)
    if response is None or response.channel != Channel.KIOSK or _withdrawn(response):
        _clear_respondent()
        return None
    state["seen"] = time.time()
    session["respondent"] = state
    return response


def _unsaved(state: dict[str, Any]) -> Any:
    """Her draft before she has agreed: rebuilt from the session, never stored."""
    new = state.get("new")
    if not isinstance(new, dict):
        return None
    try:
        return ops.unsaved_draft(
            db.session,
            participant_id=int(new["participant"]),
            wave_code=str(new["wave"]),
            version_id=int(new["version"]),
            key=str(state.get("key")),
            flags=dict(new.get("flags") or {}),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _withdrawn(response: Any) -> bool:
    # A draft of a mother who has withdrawn takes no more answers: the kiosk locks.
    return response.participant is not None and response.participant.withdrawn_at is not None


def _lang() -> str:
    state = session.get("respondent") or {}
    return str(state.get("lang", "en"))


# Pages outside kiosk mode: setup unlocks it; a final send and the thank-you page answer by
# submission key (submit checks kiosk mode itself for an unfinished draft); ended says why
# kiosk mode stopped.
_OUTSIDE_KIOSK_MODE = ("kiosk.setup", "kiosk.thanks", "kiosk.submit", "kiosk.ended")


@bp.before_request
def _require_kiosk_mode() -> ResponseReturnValue | None:
    if request.endpoint in _OUTSIDE_KIOSK_MODE:
        return None
    if _kiosk() is None:
        return redirect(url_for("kiosk.setup"))
    return _end_if_no_longer_valid()


def _end_if_no_longer_valid() -> ResponseReturnValue | None:
    """Kiosk mode rests on the fieldworker's session and lasts a working day at most: when
    either has gone, end it (the drafts stay saved) and say why."""
    state = _kiosk()
    problem = sessions.kiosk_problem(state) if state else None
    if problem is None:
        return None
    if problem == sessions.KIOSK_EXPIRED and request.endpoint == "kiosk.page":
        # The day ran out while she was answering: keep what is valid on her page first.
        response = _respondent_response() if request.method == "POST" else None
        if response is not None:
            _save_as_timeout(response, int((request.view_args or {})["index"]))
    session.clear()  # nothing of kiosk mode, or of her, stays in this browser
    return redirect(url_for("kiosk.ended"))


def _save_as_timeout(response: Any, index: int) -> None:
    # Keep what is valid on the page, then lock: nothing she entered is lost, nothing stays
    # on screen.
    engine.handle_page(_flow(), response, index, _lang(), force_action="timeout")
    _clear_respondent()


@bp.route("/", methods=["GET", "POST"])
def setup() -> ResponseReturnValue:
    """A logged-in fieldworker picks the site and wave, and the kiosk locks."""
    if _kiosk():
        return redirect(url_for("kiosk.lock"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("kiosk.setup")))
    if not current_user.has_role(Role.FIELDWORKER):
        abort(403)
    form = KioskSetupForm()
    form.site.choices = [
        SelectChoice(s.code, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))
    ]
    form.wave.choices = [
        SelectChoice(w.code, f"{w.code}: {w.label}")
        for w in db.session.scalars(select(Wave).order_by(Wave.position))
        if w.code in current_study().kiosk_waves
    ]
    if form.validate_on_submit():
        user_id = current_user.id
        record_audit(
            db.session,
            kind="kiosk.unlocked",
            actor_id=user_id,
            detail={"site": form.site.data, "wave": form.wave.data},
        )
        user = current_user._get_current_object()
        logout_user()
        session["kiosk"] = sessions.kiosk_state(user, form.site.data or "", form.wave.data or "")
        return redirect(url_for("kiosk.lock"))
    # Which languages the server itself can read aloud, for the set-up page's note.
    languages = {"en": "English", "cy": "Welsh"} if welsh_setting() != "off" else {"en": "English"}
    spoken = [name for lang, name in languages.items() if speech_clips.enabled(lang)]
    unspoken = [name for name in languages.values() if name not in spoken]
    return render_template(
        "respond/kiosk_setup.html",
        form=form,
        spoken=spoken,
        unspoken=unspoken,
        welsh="cy" in languages,
    )


def _note_for_lock(key: str, lang: str) -> None:
    session["lock_note"] = {"key": key, "lang": lang}


def _lock_note() -> dict[str, str] | None:
    """The note left for the lock screen (shown once), as its text and language."""
    note = session.pop("lock_note", None)
    if not isinstance(note, dict) or note.get("key") not in LOCK_NOTES:
        return None
    lang = note.get("lang") if note.get("lang") in ("en", "cy") else "en"
    return {"text": in_language(str(lang), LOCK_NOTES[note["key"]]), "lang": str(lang)}


@bp.route("/lock")
def lock() -> ResponseReturnValue:
    _clear_respondent()
    session.pop("kiosk_pending", None)
    return render_template(
        "respond/lock.html", kiosk=_kiosk(), study=current_study(), note=_lock_note()
    )


@bp.route("/start", methods=["GET", "POST"])
def start() -> ResponseReturnValue:
    """The respondent (or the fieldworker) enters the ID."""
    _clear_respondent()
    kiosk = _kiosk()
    assert kiosk is not None  # noqa: S101 - before_request guarantees it
    form = ParticipantIdForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            participant = participant_ops.find(db.session, form.participant_id.data or "")
            if participant is None:
                raise ops.RespondentError(
                    "No participant has this ID. Please check it, or ask a researcher to register her."
                )
            started = ops.start_kiosk(
                db.session, participant, kiosk["wave"], site_code=kiosk["site"]
            )
        except pseudonyms.InvalidPseudonym as exc:
            error, status = str(exc), 422
        except ops.RespondentError as exc:
            error, status = str(exc), exc.status
        else:
            if started.response is None:
                # A warning for the fieldworker first; no draft until she goes on.
                session["kiosk_pending"] = {
                    "participant": participant.id,
                    "warning": started.warning,
                    "window": started.window,
                    "other_site": started.other_site,
                }
                return redirect(url_for("kiosk.notice"))
            return _go_on(started)
    elif request.method == "POST":
        error, status = "Please enter the ID.", 422
    return render_template("respond/start.html", form=form, error=error, wave=kiosk["wave"]), status


def _begin(key: str, lang: str = "en", new: dict[str, Any] | None = None) -> None:
    session["respondent"] = {"key": key, "lang": lang, "seen": time.time()}
    if new is not None:
        session["respondent"]["new"] = new


def _go_on(started: ops.KioskStart) -> ResponseReturnValue:
    """To her draft: a saved one is resumed with the password; a new one (unsaved until
    she agrees) opens at its first page."""
    response = started.response
    # The callers have one; a kiosk draft has its participant and wave.
    assert response is not None and response.participant and response.wave  # noqa: S101
    if started.resumed:
        session["resume"] = response.submission_key
        return redirect(url_for("kiosk.resume"))
    _begin(
        response.submission_key,
        new={
            "participant": response.participant.id,
            "wave": response.wave.code,
            "version": response.instrument_version.id,
            "flags": dict(response.flags or {}),
        },
    )
    return redirect(url_for("kiosk.page", index=0))


@bp.route("/notice", methods=["GET", "POST"])
def notice() -> ResponseReturnValue:
    """A warning for the fieldworker (an earlier wave not done; a follow-up outside its
    window, which goes on only with her password) before the kiosk is handed over. The draft
    is made only when she goes on, so that Cancel leaves nothing behind."""
    pending = session.get("kiosk_pending")
    kiosk = _kiosk()
    participant = (
        db.session.get(Participant, pending.get("participant"))
        if isinstance(pending, dict)
        else None
    )
    if participant is None or kiosk is None or not isinstance(pending, dict):
        session.pop("kiosk_pending", None)
        return redirect(url_for("kiosk.lock"))
    window, other_site = pending.get("window"), pending.get("other_site")
    form = FieldworkerPasswordForm() if window or other_site else FlaskForm()
    error = None
    if form.validate_on_submit():
        if (window or other_site) and not _password_checked(
            _fieldworker(), form.password.data or ""
        ):
            error = "That password is not right."
        else:
            session.pop("kiosk_pending", None)
            try:
                started = ops.start_kiosk(
                    db.session, participant, kiosk["wave"], confirmed=True, site_code=kiosk["site"]
                )
            except ops.RespondentError:
                return redirect(url_for("kiosk.lock"))  # withdrawn meanwhile, say
            if other_site:
                record_audit(
                    db.session,
                    kind="kiosk.other_site_confirmed",
                    actor_id=_kiosk_actor(),
                    target=f"participant:{participant.id}",
                    detail={"registered": participant.site.code, "kiosk": kiosk["site"]},
                )
            return _go_on(started)
    return render_template(
        "respond/notice.html",
        warning=pending.get("warning"),
        window=window,
        other_site=other_site,
        form=form,
        error=error,
    ), (422 if error else 200)


@bp.route("/stop", methods=["GET", "POST"])
def stop() -> ResponseReturnValue:
    """Stop, from any of her pages: keep her answers so far (a draft the fieldworker can
    resume with the password; the default) or delete them, then the lock screen."""
    response = _respondent_response()
    if response is None:
        return redirect(url_for("kiosk.lock"))
    lang = _lang()
    use_language(lang)
    form = FlaskForm()
    if form.validate_on_submit():
        if not ops.is_saved(response):
            _note_for_lock("nothing", lang)  # she had not agreed yet: nothing was kept
        elif request.form.get("choice") == "delete":
            ops.discard(db.session, response)
            record_audit(db.session, "kiosk.stopped_deleted", actor_id=_kiosk_actor())
            _note_for_lock("deleted", lang)
        else:
            _note_for_lock("kept", lang)
        _clear_respondent()
        return redirect(url_for("kiosk.lock"))
    if request.method == "POST":
        abort(
            400, description="This page had expired, so nothing was done. Please press Stop again."
        )
    return render_template(
        "respond/kiosk_stop.html",
        form=form,
        lang=lang,
        back_url=_back_url(response),
        saved=ops.is_saved(response),
    )


@bp.route("/decline", methods=["GET", "POST"])
def decline() -> ResponseReturnValue:
    """After "I do not want to take part": are you sure? Yes records the decline (the
    kiosk's site and wave, her ID, the date; no answer) and deletes anything she entered;
    the lock screen then says so. Once she has agreed, Stop is the way out instead."""
    response = _respondent_response()
    kiosk = _kiosk()
    if response is None or kiosk is None:
        return redirect(url_for("kiosk.lock"))
    if ops.consent_given(ops.instrument_of(response), response.answers or {}):
        return redirect(url_for("kiosk.stop"))
    lang = _lang()
    form = FlaskForm()
    if form.validate_on_submit():
        # Site and wave from kiosk mode and her draft, never from the form.
        declines.at_kiosk(
            db.session,
            site=participant_ops.site_by_code(db.session, kiosk["site"]),
            wave=response.wave,
            participant=response.participant,
            draft=response,
        )
        record_audit(db.session, "kiosk.declined", actor_id=_kiosk_actor())
        _clear_respondent()
        _note_for_lock("declined", lang)
        return redirect(url_for("kiosk.lock"))
    if request.method == "POST":
        abort(400, description="This page had expired, so nothing was done. Please try again.")
    return engine.render_decline(_flow(), lang, url_for("kiosk.page", index=0), form)


def _back_url(response: Any) -> str:
    # Back to the page she stopped on (a number, or the finish page).
    came_from = request.args.get("from", "")
    if came_from == "finish":
        return url_for("kiosk.finish")
    page = whole_number(came_from, high=999)
    if page is not None:
        return url_for("kiosk.page", index=page)
    return url_for("kiosk.page", index=engine.resume_index(response))


def _kiosk_actor() -> int | None:
    state = _kiosk()
    return int(state["fw"]) if state else None


def _password_checked(fieldworker: User | None, password: str) -> bool:
    """The fieldworker's password at the kiosk is a login of its own: throttled like /login,
    the attempt counted before the check."""
    if fieldworker is None or not fieldworker.active:
        return False
    attempt = throttle.attempt("kiosk-password", str(fieldworker.id))
    if verify_password(fieldworker.password_hash, password):
        attempt.succeeded()
        return True
    return False


@bp.route("/resume", methods=["GET", "POST"])
def resume() -> ResponseReturnValue:
    """A saved draft is resumed only with the fieldworker's password: an ID alone must not
    show someone's answers."""
    key = session.get("resume")
    response = ops.by_key(db.session, key)
    if response is None or response.is_complete:
        session.pop("resume", None)
        return redirect(url_for("kiosk.lock"))
    form = FieldworkerPasswordForm()
    error = None
    if form.validate_on_submit():
        if _password_checked(_fieldworker(), form.password.data or ""):
            session.pop("resume", None)
            _begin(response.submission_key, response.language)
            return redirect(url_for("kiosk.page", index=engine.resume_index(response)))
        error = "That password is not right."
    return render_template(
        "respond/resume.html", form=form, error=error, started_on=response.started_on
    ), (422 if error else 200)


@bp.route("/page/<number:index>", methods=["GET", "POST"])
def page(index: int) -> ResponseReturnValue:
    response = _respondent_response(save_if_idle=request.method == "POST")
    if response is None:
        return redirect(url_for("kiosk.lock"))
    if g.get("kiosk_idle"):
        # Idle past the limit (the page's own timer, or a long pause).
        _save_as_timeout(response, index)
        return redirect(url_for("kiosk.lock"))
    reply, lang = engine.handle_page(_flow(), response, index, _lang())
    state = session.get("respondent")
    if isinstance(state, dict) and lang != state.get("lang"):
        state["lang"] = lang
        session["respondent"] = state
    if request.method == "POST" and engine.pressed(request.form) == "timeout":
        _clear_respondent()
    return reply


@bp.route("/finish")
def finish() -> ResponseReturnValue:
    response = _respondent_response()
    if response is None:
        return redirect(url_for("kiosk.lock"))
    return engine.render_finish(_flow(), response, _lang())


@bp.route("/submit", methods=["POST"])
def submit() -> ResponseReturnValue:
    response = ops.by_key(db.session, request.form.get("submission_key"), lock=True)
    if response is None or response.channel != Channel.KIOSK:
        return redirect(url_for("kiosk.lock"))
    if not response.is_complete:
        # Only the respondent at this kiosk, in kiosk mode still valid and within the idle
        # limit, sends an unfinished draft; a replay of a finished one just finds its
        # thank-you page.
        ended = _end_if_no_longer_valid()
        if ended is not None:
            return ended
        mine = _respondent_response()
        if mine is None or mine.id != response.id:
            return redirect(url_for("kiosk.lock"))
    form = FlaskForm()
    if not form.validate() and not response.is_complete:
        # An expired token on an unfinished response: back to the finish page, nothing lost.
        return redirect(url_for("kiosk.finish"))
    reply = engine.submit(_flow(), response)
    if response.is_complete:
        session["thanked_lang"] = response.language
        _clear_respondent()
    return reply


@bp.route("/thanks")
def thanks() -> ResponseReturnValue:
    _clear_respondent()
    lang = str(session.get("thanked_lang", "en"))
    use_language(lang)
    return render_template(
        "respond/thanks.html", lang=lang, kiosk=True, lock_url=url_for("kiosk.lock")
    )


@bp.route("/ended")
def ended() -> ResponseReturnValue:
    """Kiosk mode has ended (its time limit, or the fieldworker's session revoked)."""
    if _kiosk() is not None:
        return redirect(url_for("kiosk.lock"))  # still on: the lock screen checks it
    return render_template("respond/kiosk_ended.html", hours=current_settings().kiosk_max_hours)


@bp.route("/exit", methods=["GET", "POST"])
def exit_kiosk() -> ResponseReturnValue:
    """Leaving kiosk mode asks for the fieldworker's password again."""
    _clear_respondent()
    form = FieldworkerPasswordForm()
    error = None
    if form.validate_on_submit():
        fieldworker = _fieldworker()
        if fieldworker is not None and _password_checked(fieldworker, form.password.data or ""):
            record_audit(db.session, kind="kiosk.exited", actor_id=fieldworker.id)
            # As at /login: a researcher or admin goes through the second step (the password
            # alone is not enough); the kiosk state goes with the old session either way.
            return sessions.after_password(fieldworker, url_for("research.dashboard"))
        error = "That password is not right."
    return render_template("respond/exit.html", form=form, error=error), (422 if error else 200)
