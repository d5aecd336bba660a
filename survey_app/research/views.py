"""Research-side routes. Business logic lives in the operations modules."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.roles import role_required
from ..extensions import db
from ..instruments.publish import version_table
from ..models import Role

bp = Blueprint("research", __name__)


@bp.before_request
def _not_from_kiosk_mode() -> ResponseReturnValue | None:
    # An unlocked kiosk leads nowhere but back to its lock screen.
    if session.get("kiosk"):
        return redirect(url_for("kiosk.lock"))
    return None


@bp.route("/")
@role_required(Role.FIELDWORKER)
def dashboard() -> ResponseReturnValue:
    versions = version_table(db.session) if current_user.has_role(Role.RESEARCHER) else []
    return render_template("research/dashboard.html", versions=versions)
