"""The theme counts page: per questionnaire, each key theme's and theme's respondents by site
and in total, as published ("for publication" hides as a release does)."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from ..auth.roles import role_required
from ..export.filters import ExportFilters
from ..extensions import db
from ..models import Role
from . import bp, counts


@bp.route("/counts")
@role_required(Role.RESEARCHER)
def counts_page() -> ResponseReturnValue:
    publication = request.args.get("publication") == "1"
    threshold = ExportFilters().threshold if publication else 0
    return render_template(
        "coding/counts.html",
        tables=counts.all_counts(db.session, threshold),
        publication=publication,
    )
