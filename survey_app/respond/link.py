"""Anonymous links for prison staff and community practitioners: ``/s/<token>``.

Nothing that could identify the respondent is stored: no address, user agent, referrer or
exact time. The draft is found by a random key kept in her session cookie, beside the time
of her last page (in her cookie only), so that a page left alone on a shared computer lets go
of the draft: the next person who opens the link starts afresh, and the draft stays saved."""

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
from flask_wtf import FlaskForm

from ..config import current_settings
from ..extensions import db, limiter
from ..instruments import model
from ..instruments.model import pick
from ..instruments.publish import latest_version
from ..models import Channel, Link
from ..models.types import today
from ..services import declines
from ..services import links as link_ops
from ..services import responses as ops
from . import engine

bp = Blueprint("link", __name__)


def _flow(token: str) -> engine.Flow:
    return engine.Flow(
        channel=Channel.LINK,
        page_url=lambda index: url_for("link.page", token=token, index=index),
        finish_url=url_for("link.finish", token=token),
        submit_url=url_for("link.submit", token=token),
        thanks_url=url_for("link.thanks", token=token),
        leave_url=url_for("link.declined", token=token),
        decline_url=url_for("link.decline", token=token),
        timeout_url=url_for("link.stopped", token=token),
        stop_url=url_for("link.stop", token=token),
        idle_seconds=_idle_seconds(),
    )


def _idle_seconds() -> int:
    return current_settings().link_idle_minutes * 60


def _open_link(token: str) -> Link | ResponseReturnValue:
    link = link_ops.by_token(db.session, token)
    if link is None:
        abort(404)
    if not link.is_open(today()):
        return render_template("respond/closed.html"), 410
    return link


def _drafts() -> dict[str, dict[str, Any]]:
    """This browser's drafts: link token -> {"key": submission key, "seen": last page}."""
    drafts = session.get("links")
    held: dict[str, dict[str, Any]] = {}
    for token, entry in (drafts if isinstance(drafts, dict) else {}).items():
        if isinstance(entry, str):  # a cookie from before the idle timeout: fresh from now
            entry = {"key": entry, "seen": time.time()}
        if isinstance(entry, dict):
            held[str(token)] = entry
    return held


def _hold(token: str, key: str) -> None:
    drafts = _drafts()
    drafts[token] = {"key": key, "seen": int(time.time())}
    session["links"] = drafts


def _forget(token: str) -> None:
    """This browser lets go of its draft on this link (the draft itself stays saved). The
    cookie is rewritten only when it held one, so that a request without the cookie (from
    another site, say) cannot empty it."""
    drafts = _drafts()
    if drafts.pop(token, None) is not None:
        session["links"] = drafts


def _draft(link: Link, *, save_if_idle: bool = False) -> Any:
    """The draft this browser holds on this link, or None. Idle past the limit, the browser
    lets go of it; with ``save_if_idle`` (a page POST) it is still returned once, so that the
    page is saved first. ``g.link_idle`` tells the view."""
    entry = _drafts().get(link.token)
    if entry is None:
        return None
    g.link_idle = time.time() - float(entry.get("seen", 0)) > _idle_seconds()
    if g.link_idle and not save_if_idle:
        _forget(link.token)
        return None
    response = ops.by_key(db.session, entry.get("key"), lock=request.method == "POST")
    if response is None or response.link_id != link.id:
        return None
    if g.link_idle:
        _forget(link.token)
    else:
        _hold(link.token, response.submission_key)
    return response


def _gone(token: str) -> ResponseReturnValue:
    """Where a page goes without a draft: the stopped page if it was let go for idling,
    else the landing page."""
    if g.get("link_idle"):
        return redirect(url_for("link.stopped", token=token))
    return redirect(url_for("link.landing", token=token))


def _link_budget_key() -> str:
    # The link's token, never an address: a budget shared by everyone who opens this link.
    return "link-new-drafts:" + str((request.view_args or {}).get("token", ""))


def _draft_started(_response: Any) -> bool:
    return bool(g.get("link_draft_started"))


# A budget of new drafts per link per minute: one client cannot fill the database with empty
# drafts (resuming a draft, or a refused Start, costs nothing).
_new_drafts_limit = limiter.limit(
    lambda: f"{current_settings().link_new_drafts_per_minute} per minute",
    key_func=_link_budget_key,
    methods=["POST"],
    deduct_when=_draft_started,
    error_message=(
        "Many people have started this questionnaire in the last minute. "
        "Please wait a minute, then press Start again."
    ),
)


@bp.route("/<token>", methods=["GET", "POST"])
@_new_drafts_limit
def landing(token: str) -> ResponseReturnValue:
    link = _open_link(token)
    if not isinstance(link, Link):
        return link
    draft = _draft(link)
    if draft is not None and not draft.is_complete:
        return redirect(url_for("link.page", token=token, index=engine.resume_index(draft)))
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            response = ops.start_link(db.session, link)
        except ops.RespondentError:
            abort(404)  # its instrument is no longer published
        g.link_draft_started = True
        _hold(link.token, response.submission_key)
        return redirect(url_for("link.page", token=token, index=0))
    version = latest_version(db.session, link.instrument_key)
    if version is None:
        abort(404)
    instrument = model.from_version(version)
    return render_template(
        "respond/link_landing.html",
        instrument=instrument,
        form=form,
        pick=pick,
        lang="en",
        idle_minutes=current_settings().link_idle_minutes,
    )


@bp.route("/<token>/page/<number:index>", methods=["GET", "POST"])
def page(token: str, index: int) -> ResponseReturnValue:
    link = _open_link(token)
    if not isinstance(link, Link):
        return link
    response = _draft(link, save_if_idle=request.method == "POST")
    if response is None:
        return _gone(token)
    flow = _flow(token)
    if g.get("link_idle"):
        # Idle past the limit (the page's own timer, or a long pause): keep what is valid on
        # the page; the browser has let go of the draft.
        engine.handle_page(flow, response, index, "en", force_action="timeout")
        return redirect(flow.timeout_url)
    reply, _lang = engine.handle_page(flow, response, index, "en")
    if request.method == "POST" and engine.pressed(request.form) == "timeout":
        _forget(link.token)
    return reply


@bp.route("/<token>/finish")
def finish(token: str) -> ResponseReturnValue:
    link = _open_link(token)
    if not isinstance(link, Link):
        return link
    response = _draft(link)
    if response is None:
        return _gone(token)
    return engine.render_finish(_flow(token), response, "en")


@bp.route("/<token>/submit", methods=["POST"])
def submit(token: str) -> ResponseReturnValue:
    link = link_ops.by_token(db.session, token)
    if link is None:
        abort(404)
    response = ops.by_key(db.session, request.form.get("submission_key"), lock=True)
    if response is None or response.link_id != link.id:
        abort(404)
    if not response.is_complete:
        # Only the browser that holds this draft sends it (as at the kiosk): another
        # browser's key names nothing here. A replay of a finished one finds its thank-you.
        mine = _draft(link)
        if mine is None and g.get("link_idle"):
            return _gone(token)
        if mine is None or mine.id != response.id:
            abort(404)
        if not link.is_open(today()):
            return render_template("respond/closed.html"), 410
    form = FlaskForm()
    if not form.validate() and not response.is_complete:
        return redirect(url_for("link.finish", token=token))
    reply = engine.submit(_flow(token), response)
    if response.is_complete:
        _forget(link.token)
    return reply


@bp.route("/<token>/stop", methods=["POST"])
def stop(token: str) -> ResponseReturnValue:
    """Stop: the draft stays saved (until unfinished drafts are purged) and this browser lets
    go of it, so that the next person to use it cannot open it."""
    if link_ops.by_token(db.session, token) is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(
            400,
            description="This page had expired, so nothing was done. Please go back, reload "
            "the page and press Stop again.",
        )
    _forget(token)
    return redirect(url_for("link.stopped", token=token))


@bp.route("/<token>/stopped")
def stopped(token: str) -> ResponseReturnValue:
    if link_ops.by_token(db.session, token) is None:
        abort(404)
    _forget(token)  # after an idle page or a closed draft too: this browser lets go of it
    return render_template("respond/stopped.html", landing_url=url_for("link.landing", token=token))


@bp.route("/<token>/thanks")
def thanks(token: str) -> ResponseReturnValue:
    if link_ops.by_token(db.session, token) is None:
        abort(404)
    return render_template("respond/thanks.html", lang="en", kiosk=False)


@bp.route("/<token>/decline", methods=["GET", "POST"])
def decline(token: str) -> ResponseReturnValue:
    """After "I do not want to take part": are you sure? Yes records the decline (the link
    and the date only) and deletes the draft; this browser lets go of it."""
    link = _open_link(token)
    if not isinstance(link, Link):
        return link
    response = _draft(link)
    if response is None:
        return _gone(token)
    if ops.consent_given(ops.instrument_of(response), response.answers or {}):
        return redirect(url_for("link.page", token=token, index=engine.resume_index(response)))
    form = FlaskForm()
    if form.validate_on_submit():
        declines.on_link(db.session, link=link, draft=response)
        _forget(token)
        return redirect(url_for("link.declined", token=token))
    if request.method == "POST":
        abort(400, description="This page had expired, so nothing was done. Please try again.")
    return engine.render_decline(
        _flow(token), "en", url_for("link.page", token=token, index=0), form
    )


@bp.route("/<token>/declined")
def declined(token: str) -> ResponseReturnValue:
    link = link_ops.by_token(db.session, token)
    if link is None:
        abort(404)
    # The decline button's POST has discarded the draft already; a GET (history, prefetch)
    # only forgets it in this browser.
    _forget(token)
    return render_template("respond/declined.html")
