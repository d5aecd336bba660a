"""Anonymous links for staff and practitioners: list, create, close."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..auth.roles import role_required
from ..extensions import db
from ..forms.research import LinkForm
from ..models import InstrumentVersion, Link, Role, Site
from ..models._types import today
from ..services import links as link_ops
from . import queries
from .views import bp


def _link_form() -> LinkForm:
    form = LinkForm()
    # Mothers answer on the kiosk, caseworkers on the case pages: only staff and practitioner
    # questionnaires get links.
    keys = db.session.execute(
        select(InstrumentVersion.key, InstrumentVersion.title)
        .where(InstrumentVersion.audience.not_in(("mother", "caseworker")))
        .order_by(InstrumentVersion.key, InstrumentVersion.version.desc())
    ).all()
    choices: dict[str, str] = {}
    for key, title in keys:
        choices.setdefault(key, f"{title} ({key})")
    form.instrument.choices = [SelectChoice(key, label) for key, label in choices.items()]
    form.site.choices = [SelectChoice("", "Any site")] + [
        SelectChoice(s.code, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))
    ]
    return form


def _render(form: LinkForm, status: int = 200) -> ResponseReturnValue:
    rows = queries.links_with_counts(db.session)
    return render_template("research/links.html", form=form, rows=rows, today=today()), status


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
        flash(f"Link created for {link.instrument_key}: copy its address from the list below.")
        return redirect(url_for("research.links"))
    return _render(form, 422 if request.method == "POST" else 200)


@bp.route("/links/<int:link_id>/close", methods=["POST"])
@role_required(Role.RESEARCHER)
def close_link(link_id: int) -> ResponseReturnValue:
    link = db.session.get(Link, link_id)
    if link is None:
        abort(404)
    # CSRFProtect has checked the form's token before the view runs.
    if link.closed_at is not None:
        flash("That link was already closed.")
    else:
        link_ops.close(db.session, link, actor_id=current_user.id)
        flash("Link closed: it takes no more answers.")
    return redirect(url_for("research.links"))
