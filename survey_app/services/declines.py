"""Approaches that ended in "no": recorded without any answer, and counted with the
questionnaires started and sent, so that researchers can report how many were approached
and how many declined (the first box of a CONSORT-style flow)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, inspect, select

from ..kinds import Channel
from ..models import Decline, Link, Participant, Response, ResponseStatus, Site, Wave
from ..models.types import DbSession
from .responses import discard


def _drop_draft(session: DbSession, response: Response | None) -> None:
    # Nothing she entered is kept; a draft not yet made (no answer saved) has nothing to drop.
    if response is not None and inspect(response).persistent:
        discard(session, response)


def at_kiosk(
    session: DbSession, *, site: Site, wave: Wave, participant: Participant, draft: Response | None
) -> Decline:
    """She said, and confirmed, that she does not want to take part: the kiosk's site and
    wave, her ID (she entered it), the date; none of her answers."""
    _drop_draft(session, draft)
    decline = Decline(channel=Channel.KIOSK, site=site, wave=wave, participant=participant)
    session.add(decline)
    session.flush()
    return decline


def on_link(session: DbSession, *, link: Link, draft: Response | None) -> Decline:
    """Someone who opened an anonymous link confirmed that she does not want to take part:
    the link and the date, nothing else."""
    _drop_draft(session, draft)
    decline = Decline(channel=Channel.LINK, link=link)
    session.add(decline)
    session.flush()
    return decline


@dataclass(frozen=True)
class Flow:
    """The mothers approached at the kiosk at one site and wave: those who declined, those
    who agreed (a questionnaire started: no draft is kept before she consents) and those
    who sent it. Approached = declined + consented."""

    site: str
    wave: str
    declined: int
    consented: int
    complete: int

    @property
    def approached(self) -> int:
        return self.declined + self.consented


def kiosk_flow(session: DbSession) -> list[Flow]:
    """Per site and wave, in the study's order, where anyone was approached; voided responses
    left out, a withdrawn mother's kept (she was approached and agreed). The site is her
    registered site."""
    declined = {
        (site_id, wave_id): int(count)
        for site_id, wave_id, count in session.execute(
            select(Decline.site_id, Decline.wave_id, func.count(Decline.id))
            .where(Decline.channel == Channel.KIOSK)
            .group_by(Decline.site_id, Decline.wave_id)
        )
    }
    started = {
        (site_id, wave_id): (int(count), int(done or 0))
        for site_id, wave_id, count, done in session.execute(
            select(
                Participant.site_id,
                Response.wave_id,
                func.count(Response.id),
                func.sum(case((Response.status == ResponseStatus.COMPLETE, 1), else_=0)),
            )
            .join(Participant, Participant.id == Response.participant_id)
            .where(Response.channel == Channel.KIOSK, Response.voided_at.is_(None))
            .group_by(Participant.site_id, Response.wave_id)
        )
    }
    sites = session.scalars(select(Site).order_by(Site.name)).all()
    waves = session.scalars(select(Wave).order_by(Wave.position)).all()
    rows = []
    for wave in waves:
        for site in sites:
            key = (site.id, wave.id)
            consented, complete = started.get(key, (0, 0))
            if key in declined or consented:
                rows.append(Flow(site.name, wave.code, declined.get(key, 0), consented, complete))
    return rows


def link_count(session: DbSession) -> int:
    """Declines on the anonymous links, all links together."""
    return int(
        session.scalar(select(func.count(Decline.id)).where(Decline.channel == Channel.LINK)) or 0
    )


def about_rows(session: DbSession) -> list[list[str]]:
    """The participation flow for an export's About sheet: one row per wave and site, then
    the anonymous links' declines. All sites and dates, whatever the export's filters."""
    rows = [
        [
            f"Approached at the kiosk: {row.wave}, {row.site}",
            f"{row.approached} (declined {row.declined}, agreed {row.consented}, "
            f"sent {row.complete}; all dates, whatever the filters)",
        ]
        for row in kiosk_flow(session)
    ]
    rows.append(["Declined on the anonymous links", str(link_count(session))])
    return rows
