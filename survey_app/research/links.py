"""Anonymous links for staff and practitioners: list (each with its address to copy and its
QR code), create, close after a confirmation, re-open."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..auth.roles import role_required
from ..extensions import db
from ..forms.research import LinkForm
from ..kinds import LINK_AUDIENCES
from ..models import InstrumentVersion, Link, Role, Site
from ..models.types import today
from ..services import links as link_ops
from . import bp, queries


def _link_form() -> LinkForm:
    form = LinkForm()
    # Mothers answer on the kiosk, caseworkers on the case pages: only the questionnaires of
    # the audiences who answer through links get links.
    keys = db.session.execute(
        select(InstrumentVersion.key, InstrumentVersion.title)
        .where(InstrumentVersion.audience.in_(LINK_AUDIENCES))
        .order_by(InstrumentVersion.key, InstrumentVersion.version.desc())
    ).all()
    choices: dict[str, str] = {}
    for key, title in keys:
        choices.setdefault(key, title)
    form.instrument.choices = [SelectChoice(key, label) for key, label in choices.items()]
    form.site.choices = [SelectChoice("", "Any site")] + [
        SelectChoice(s.code, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))
    ]
    return form


def _render(form: LinkForm, status: int = 200) -> ResponseReturnValue:
    rows = queries.links_with_counts(db.session)
    titles = queries.instrument_titles(db.session)
    return render_template(
        "research/links.html", form=form, rows=rows, titles=titles, today=today()
    ), status


def _link(link_id: int) -> Link:
    link = db.session.get(Link, link_id)
    if link is None:
        abort(404)
    return link


@bp.route("/links", methods=["GET", "POST"])
@role_required(Role.RESEARCHER)
def links() -> ResponseReturnValue:
    form = _link_form()
    if form.validate_on_submit():
        site = None
        if form.site.data:
            site = db.session.scalar(select(Site).where(Site.code == form.site.data))
        try:
            link = link_ops.create(
                db.session,
                form.instrument.data,
                site=site,
                closes_on=form.closes_on.data,
                actor_id=current_user.id,
            )
        except link_ops.LinkError as exc:
            form.instrument.errors = [str(exc)]
            return _render(form, 422)
        title = queries.instrument_titles(db.session).get(link.instrument_key)
        flash(f"Link created for {title}: copy its address or its QR code from the list below.")
        return redirect(url_for("research.links"))
    return _render(form, 422 if request.method == "POST" else 200)


@bp.route("/links/<number:link_id>/qr.svg")
@role_required(Role.RESEARCHER)
def link_qr(link_id: int) -> ResponseReturnValue:
    """The link's full address as a QR code, to show on the page and to print."""
    link = _link(link_id)
    address = url_for("link.landing", token=link.token, _external=True)
    return Response(link_ops.qr_svg(address), mimetype="image/svg+xml")


@bp.route("/links/<number:link_id>/responses")
@role_required(Role.RESEARCHER)
def link_responses(link_id: int) -> ResponseReturnValue:
    """The responses made through a link, each to be read on its own page."""
    link = _link(link_id)
    return render_template(
        "research/link_responses.html",
        link=link,
        title=queries.instrument_titles(db.session).get(link.instrument_key),
        responses=queries.link_responses(db.session, link),
    )


@bp.route("/links/<number:link_id>/close", methods=["GET", "POST"])
@role_required(Role.RESEARCHER)
def close_link(link_id: int) -> ResponseReturnValue:
    """GET asks to confirm; the confirmation POSTs here (CSRFProtect checks its token)."""
    link = _link(link_id)
    if link.closed_at is not None:
        flash("That link was already closed.")
        return redirect(url_for("research.links"))
    if request.method == "GET":
        answered = queries.link_answered(db.session, link)
        title = queries.instrument_titles(db.session).get(link.instrument_key)
        return render_template(
            "research/link_close.html", link=link, title=title, answered=answered
        )
    link_ops.close(db.session, link, actor_id=current_user.id)
    flash("Link closed: it takes no more answers. You can re-open it from the list.")
    return redirect(url_for("research.links"))


@bp.route("/links/<number:link_id>/reopen", methods=["POST"])
@role_required(Role.RESEARCHER)
def reopen_link(link_id: int) -> ResponseReturnValue:
    link = _link(link_id)
    try:
        link_ops.reopen(db.session, link, today=today(), actor_id=current_user.id)
    except link_ops.LinkError as exc:
        flash(str(exc), "error")
        return _render(_link_form(), 409)
    flash("Link re-opened: it takes answers again.")
    return redirect(url_for("research.links"))
