"""Anonymous links for prison staff and community practitioners: ``/s/<token>``.

Nothing that could identify the respondent is stored: no address, user agent, referrer or
exact time. The draft is found by a random key kept in her session cookie."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from ..extensions import db, limiter
from ..instruments import model
from ..instruments.model import pick
from ..instruments.publish import latest_version
from ..models import Link
from ..models._types import today
from ..services import links as link_ops
from ..services import responses as ops
from . import engine

bp = Blueprint("link", __name__)


def _flow(token: str) -> engine.Flow:
    return engine.Flow(
        channel="link",
        page_url=lambda index: url_for("link.page", token=token, index=index),
        finish_url=url_for("link.finish", token=token),
        submit_url=url_for("link.submit", token=token),
        thanks_url=url_for("link.thanks", token=token),
        leave_url=url_for("link.declined", token=token),
        closed_url=url_for("link.landing", token=token),
    )


def _open_link(token: str) -> Link | ResponseReturnValue:
    link = link_ops.by_token(db.session, token)
    if link is None:
        abort(404)
    if not link.is_open(today()):
        return render_template("respond/closed.html"), 410
    return link


def _drafts() -> dict[str, str]:
    drafts = session.get("links")
    return dict(drafts) if isinstance(drafts, dict) else {}


def _draft(link: Link) -> Any:
    response = ops.by_key(db.session, _drafts().get(link.token), lock=request.method == "POST")
    if response is None or response.link_id != link.id:
        return None
    return response


def _link_budget_key() -> str:
    # The link's token, never an address: a budget shared by everyone who opens this link.
    return "link-new-drafts:" + str((request.view_args or {}).get("token", ""))


def _draft_started(_response: Any) -> bool:
    return bool(g.get("link_draft_started"))


# A budget of new drafts per link per minute: one client cannot fill the database with empty
# drafts (resuming a draft, or a refused Start, costs nothing).
_new_drafts_limit = limiter.limit(
    lambda: f"{current_app.config['LINK_NEW_DRAFTS_PER_MINUTE']} per minute",
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
        drafts = _drafts()
        drafts[link.token] = response.submission_key
        session["links"] = drafts
        return redirect(url_for("link.page", token=token, index=0))
    version = latest_version(db.session, link.instrument_key)
    if version is None:
        abort(404)
    instrument = model.from_version(version)
    return render_template(
        "respond/link_landing.html", instrument=instrument, form=form, pick=pick, lang="en"
    )


@bp.route("/<token>/page/<int:index>", methods=["GET", "POST"])
def page(token: str, index: int) -> ResponseReturnValue:
    link = _open_link(token)
    if not isinstance(link, Link):
        return link
    response = _draft(link)
    if response is None:
        return redirect(url_for("link.landing", token=token))
    reply, _lang = engine.handle_page(_flow(token), response, index, "en")
    return reply


@bp.route("/<token>/finish")
def finish(token: str) -> ResponseReturnValue:
    link = _open_link(token)
    if not isinstance(link, Link):
        return link
    response = _draft(link)
    if response is None:
        return redirect(url_for("link.landing", token=token))
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
        if mine is None or mine.id != response.id:
            abort(404)
        if not link.is_open(today()):
            return render_template("respond/closed.html"), 410
    form = FlaskForm()
    if not form.validate() and not response.is_complete:
        return redirect(url_for("link.finish", token=token))
    reply = engine.submit(_flow(token), response)
    if response.is_complete:
        drafts = _drafts()
        drafts.pop(link.token, None)
        session["links"] = drafts
    return reply


@bp.route("/<token>/thanks")
def thanks(token: str) -> ResponseReturnValue:
    if link_ops.by_token(db.session, token) is None:
        abort(404)
    return render_template("respond/thanks.html", lang="en", kiosk=False)


@bp.route("/<token>/declined")
def declined(token: str) -> ResponseReturnValue:
    link = link_ops.by_token(db.session, token)
    if link is None:
        abort(404)
    # The decline button's POST has discarded the draft already; a GET (history, prefetch)
    # only forgets it in this browser.
    drafts = _drafts()
    drafts.pop(token, None)
    session["links"] = drafts
    return render_template("respond/declined.html")
