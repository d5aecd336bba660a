"""A response read in the app: a read-only page for researchers and admins (never
fieldworkers), built from the version she answered; each reading is audited."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.roles import role_required
from ..extensions import db
from ..instruments import model
from ..models import Response, Role
from ..services import answer_sheet
from . import bp


@bp.route("/responses/<response_id>")
@role_required(Role.RESEARCHER)
def response(response_id: str) -> ResponseReturnValue:
    found = db.session.get(Response, response_id) if len(response_id) <= 32 else None
    if found is None:
        abort(404)
    version = found.instrument_version
    sections = answer_sheet.build(model.from_version(version), found.answers or {})
    answer_sheet.record_view(db.session, found, actor_id=current_user.id)
    return render_template(
        "research/response.html", response=found, version=version, sections=sections
    )
