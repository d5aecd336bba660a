"""Registering participants and finding them by pseudonymous ID."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import pseudonyms
from ..models import AuditEvent, Participant, Site
from ..study import current_study


class UnknownSite(ValueError):
    pass


def site_by_code(session: Session, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        codes = ", ".join(session.scalars(select(Site.code).order_by(Site.code)))
        raise UnknownSite(f"Unknown site {code!r}: use one of {codes}.")
    return site


def register(
    session: Session, site: Site, count: int = 1, actor_id: int | None = None
) -> list[Participant]:
    """New participants with fresh IDs (site only: no name, prison number or date of birth)."""
    prefix = current_study().pseudonym_prefix
    made: list[Participant] = []
    taken = set()
    while len(made) < count:
        pseudonym = pseudonyms.generate(prefix)
        # 31^6 bodies make a clash rare; checking keeps a clash from failing the batch.
        if pseudonym in taken or session.scalar(
            select(Participant.id).where(Participant.pseudonym == pseudonym)
        ):
            continue
        taken.add(pseudonym)
        participant = Participant(pseudonym=pseudonym, site=site)
        session.add(participant)
        made.append(participant)
    session.flush()
    session.add(
        AuditEvent(
            kind="participants.registered",
            actor_id=actor_id,
            target=f"site:{site.code}",
            detail={"count": count},
        )
    )
    session.flush()
    return made


def find(session: Session, raw_id: str) -> Participant | None:
    """The participant with this ID; raises InvalidPseudonym for a mistyped one."""
    pseudonym = pseudonyms.normalise(raw_id, current_study().pseudonym_prefix)
    return session.scalar(select(Participant).where(Participant.pseudonym == pseudonym))
