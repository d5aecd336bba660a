"""Research-side routes. Business logic lives in survey_app/services; the pages are split by
area (participants, links, instruments), all on this one blueprint."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..auth.roles import role_required
from ..extensions import db
from ..models import COMPLETE, InstrumentVersion, Link, Participant, Response, Role, Site, Wave
from ..models._types import today
from ..services import followup

bp = Blueprint("research", __name__)


@bp.before_request
def _not_from_kiosk_mode() -> ResponseReturnValue | None:
    # An unlocked kiosk leads nowhere but back to its lock screen.
    if session.get("kiosk"):
        return redirect(url_for("kiosk.lock"))
    return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "fmt_date": followup.format_date,
        "is_researcher": current_user.is_authenticated and current_user.has_role(Role.RESEARCHER),
    }


def complete_counts(session: Session) -> list[tuple[str, str | None, str | None, int]]:
    """Complete, live responses per instrument, wave and site: a kiosk response counts at its
    participant's site, a link response at its link's site (none for a link open to all)."""
    site_id = func.coalesce(Participant.site_id, Link.site_id)
    query = (
        select(InstrumentVersion.key, Wave.code, Site.name, func.count(Response.id))
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .outerjoin(Wave, Wave.id == Response.wave_id)
        .outerjoin(Participant, Participant.id == Response.participant_id)
        .outerjoin(Link, Link.id == Response.link_id)
        .outerjoin(Site, Site.id == site_id)
        .where(Response.status == COMPLETE, Response.voided_at.is_(None))
        .group_by(InstrumentVersion.key, Wave.code, Wave.position, Site.name)
        .order_by(InstrumentVersion.key, Wave.position, Site.name)
    )
    return [(key, wave, site, count) for key, wave, site, count in session.execute(query)]


def open_link_count(session: Session, on: dt.date) -> int:
    return (
        session.scalar(
            select(func.count(Link.id)).where(
                Link.closed_at.is_(None), or_(Link.closes_on.is_(None), Link.closes_on >= on)
            )
        )
        or 0
    )


@bp.route("/")
@role_required(Role.FIELDWORKER)
def dashboard() -> ResponseReturnValue:
    if not current_user.has_role(Role.RESEARCHER):
        return render_template("research/dashboard.html")
    on = today()
    return render_template(
        "research/dashboard.html",
        counts=complete_counts(db.session),
        open_links=open_link_count(db.session, on),
        due=followup.due_counts(db.session, today=on),
        soon_days=followup.SOON_DAYS,
    )


# The other pages register on ``bp`` when imported; they import ``bp`` from here.
from . import instruments, links, participants  # noqa: E402, F401
