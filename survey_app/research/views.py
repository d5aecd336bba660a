"""Research-side routes. Business logic lives in survey_app/services; the pages are split by
area (participants, links, instruments), all on the one blueprint in research/__init__.py."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth import sessions
from ..auth.roles import role_required
from ..extensions import db
from ..models import Role
from ..models.types import today
from ..services import declines, followup
from ..services.drafts import draft_counts
from . import bp, queries

bp.before_request(sessions.staff_page)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "fmt_date": followup.format_date,
        "is_researcher": current_user.is_authenticated and current_user.has_role(Role.RESEARCHER),
    }


@bp.route("/")
@role_required(Role.FIELDWORKER, Role.CASEWORKER)
def dashboard() -> ResponseReturnValue:
    if current_user.role == Role.CASEWORKER:
        return redirect(url_for("cases.index"))  # where a login lands: her cases
    on = today()
    # Follow-ups due and drafts per wave are counts only: fieldworkers see them too.
    try:
        due: followup.Due | None = followup.due_counts(db.session, today=on)
    except LookupError:  # the study's waves not published yet: nothing is due
        due = None
    shared = {"due": due, "soon_days": followup.SOON_DAYS, "drafts": draft_counts(db.session)}
    if not current_user.has_role(Role.RESEARCHER):
        return render_template("research/dashboard.html", **shared)
    return render_template(
        "research/dashboard.html",
        counts=queries.complete_counts(db.session),
        participation=declines.kiosk_flow(db.session),
        link_declines=declines.link_count(db.session),
        open_links=queries.open_link_count(db.session, on),
        titles=queries.instrument_titles(db.session),
        **shared,
    )
