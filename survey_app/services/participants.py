"""Registering participants, finding them by pseudonymous ID, and withdrawing them."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from .. import pseudonyms
from ..models import AuditEvent, Participant, Response, Site
from ..models._types import DbSession, utcnow
from ..models.erasure import erase_after_commit
from ..study import current_study
from .reasons import checked_reason

WITHDRAW_DELETE = "delete"
WITHDRAW_KEEP = "keep"
WITHDRAW_MODES = (WITHDRAW_DELETE, WITHDRAW_KEEP)


class UnknownSite(ValueError):
    pass


class WithdrawalError(ValueError):
    """A withdrawal that cannot be made; the message says why."""


def site_by_code(session: DbSession, code: str) -> Site:
    site: Site | None = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        codes = ", ".join(session.scalars(select(Site.code).order_by(Site.code)))
        raise UnknownSite(f"Unknown site {code!r}: use one of {codes}.")
    return site


def register(
    session: DbSession, site: Site, count: int = 1, actor_id: int | None = None
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


def find(session: DbSession, raw_id: str) -> Participant | None:
    """The participant with this ID; raises InvalidPseudonym for a mistyped one."""
    pseudonym = pseudonyms.normalise(raw_id, current_study().pseudonym_prefix)
    return session.scalar(select(Participant).where(Participant.pseudonym == pseudonym))


def withdraw(
    session: DbSession, participant: Participant, mode: str, reason: str, actor_id: int | None
) -> None:
    """Withdraw a participant: in "delete" mode her responses go (drafts, complete and
    voided alike); in "keep" mode she agreed that the answers given so far stay. The audit
    event records the mode and the reason, never an answer."""
    if mode not in WITHDRAW_MODES:
        raise WithdrawalError("Choose whether to delete her answers or keep them.")
    reason = checked_reason(reason, "Please give the reason for the withdrawal.", WithdrawalError)
    # A guarded update, so that two researchers withdrawing her at once record it once.
    done = session.execute(
        update(Participant)
        .where(Participant.id == participant.id, Participant.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow(), withdrawal_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.refresh(participant)
        when = participant.withdrawn_at
        raise WithdrawalError(
            f"{participant.pseudonym} has already withdrawn"
            + (f" (on {when.day} {when:%b %Y})." if when else ".")
        )
    if mode == WITHDRAW_DELETE:
        session.execute(
            delete(Response)
            .where(Response.participant_id == participant.id)
            .execution_options(synchronize_session="fetch")
        )
        erase_after_commit(session)
    session.add(
        AuditEvent(
            kind="participant.withdrawn",
            actor_id=actor_id,
            target=f"participant:{participant.id}",
            detail={"mode": mode, "reason": reason},
        )
    )
    session.flush()
