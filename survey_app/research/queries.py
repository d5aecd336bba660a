"""Read-only queries behind the research pages' tables and counts, kept out of the views."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..models import InstrumentVersion, Link, Participant, Response, ResponseStatus, Site, Wave
from ..models.types import DbSession


def complete_counts(session: DbSession) -> list[tuple[str, str | None, str | None, int]]:
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
        .where(Response.status == ResponseStatus.COMPLETE, Response.voided_at.is_(None))
        .group_by(InstrumentVersion.key, Wave.code, Wave.position, Site.name)
        .order_by(InstrumentVersion.key, Wave.position, Site.name)
    )
    return [(key, wave, site, count) for key, wave, site, count in session.execute(query)]


def open_link_count(session: DbSession, on: dt.date) -> int:
    return (
        session.scalar(
            select(func.count(Link.id)).where(
                Link.closed_at.is_(None), or_(Link.closes_on.is_(None), Link.closes_on >= on)
            )
        )
        or 0
    )


def _answered() -> Any:
    """A link's count of complete, live responses, as a subquery correlated to ``Link``."""
    return (
        select(func.count(Response.id))
        .where(
            Response.link_id == Link.id,
            Response.status == ResponseStatus.COMPLETE,
            Response.voided_at.is_(None),
        )
        .correlate(Link)
        .scalar_subquery()
    )


def link_answered(session: DbSession, link: Link) -> int:
    return session.scalar(select(_answered()).select_from(Link).where(Link.id == link.id)) or 0


def links_with_counts(session: DbSession) -> list[tuple[Link, int]]:
    """Every link, newest first, with its count of complete, live responses: one statement."""
    answered = _answered()
    rows = session.execute(
        select(Link, answered)
        .options(joinedload(Link.site))
        .order_by(Link.created_at.desc(), Link.id.desc())
    ).all()
    return [(link, count) for link, count in rows]


def instrument_titles(session: DbSession) -> dict[str, str]:
    """Each questionnaire's readable title (its latest version's), by key: the pages show
    titles, not keys such as ``prison_staff``."""
    titles: dict[str, str] = {}
    rows = session.execute(
        select(InstrumentVersion.key, InstrumentVersion.title).order_by(
            InstrumentVersion.key, InstrumentVersion.version.desc()
        )
    )
    for key, title in rows:
        titles.setdefault(key, title)
    return titles


def link_responses(session: DbSession, link: Link) -> list[Response]:
    """The responses made through one link, latest first by date (dates only are kept)."""
    return list(
        session.scalars(
            select(Response)
            .where(Response.link_id == link.id)
            .order_by(
                Response.completed_on.desc().nulls_first(),
                Response.started_on.desc(),
                Response.id,
            )
        )
    )
