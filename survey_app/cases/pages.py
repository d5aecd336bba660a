"""The case list and the case pages."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from ..auth.roles import role_required
from ..extensions import db
from ..models import Role, Site
from . import bp
from .access import readable_sites


@bp.route("/")
@role_required(Role.CASEWORKER)
def index() -> ResponseReturnValue:
    site_ids = readable_sites()
    sites = None if site_ids is None else [db.session.get(Site, i) for i in site_ids]
    return render_template("cases/index.html", sites=sites)
