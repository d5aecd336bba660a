"""Duplicates from field laptops: a page listing them and the researcher's choice."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import role_required
from ..extensions import db
from ..field import conflicts
from ..forms.field import ConflictForm
from ..models import Role
from ..models.field import ResponseConflict
from ..models.locks import for_update
from . import bp


def _page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "research/field_duplicates.html",
        rows=conflicts.open_conflicts(db.session),
        form=ConflictForm(),
        error=error,
    ), status


@bp.route("/field/duplicates")
@role_required(Role.RESEARCHER)
def field_duplicates() -> ResponseReturnValue:
    return _page()


@bp.route("/field/duplicates/<conflict_id>", methods=["POST"])
@role_required(Role.RESEARCHER)
def resolve_duplicate(conflict_id: str) -> ResponseReturnValue:
    form = ConflictForm()
    if not form.validate():
        return _page("Choose which response to keep.", 422)
    # Locked until the request commits: a second researcher's choice waits, then is told.
    query = select(ResponseConflict).where(ResponseConflict.id == conflict_id[:33])
    conflict = db.session.scalar(for_update(db.session, query))
    if conflict is None:
        abort(404)
    try:
        conflicts.resolve(db.session, conflict, form.keep.data or "", current_user.id)
    except conflicts.ConflictError as exc:
        return _page(str(exc), 409)
    flash(f"{conflict.participant.pseudonym} {conflict.wave.code}: duplicate resolved.")
    return redirect(url_for("research.field_duplicates"))
