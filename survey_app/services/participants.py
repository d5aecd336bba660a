"""Registering participants, finding them by pseudonymous ID, and withdrawing them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update

from .. import pseudonyms
from ..models import Decline, Participant, Response, Site, record_audit
from ..models.coding import forget_responses
from ..models.erasure import erase_after_commit
from ..models.field import ResponseConflict
from ..models.types import DbSession
from ..study import current_study
from ..user_errors import UserError
from .once import stamp_once
from .reasons import checked_reason

WITHDRAW_DELETE = "delete"
WITHDRAW_KEEP = "keep"
WITHDRAW_MODES = (WITHDRAW_DELETE, WITHDRAW_KEEP)
# Suggestions for a mistyped ID: a handful at most (31^6 IDs make even two rare).
MAX_NEAREST = 10


class UnknownSite(UserError, ValueError):
    status = 404


class WithdrawalError(UserError, ValueError):
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
    record_audit(
        session,
        kind="participants.registered",
        actor_id=actor_id,
        target=f"site:{site.code}",
        detail={"count": count},
    )
    session.flush()
    return made


def find(session: DbSession, raw_id: str) -> Participant | None:
    """The participant with this ID; raises InvalidPseudonym for a mistyped one."""
    pseudonym = pseudonyms.normalise(raw_id, current_study().pseudonym_prefix)
    return session.scalar(select(Participant).where(Participant.pseudonym == pseudonym))


@dataclass(frozen=True)
class Search:
    """What an ID typed into the participants list's search means: ``pseudonym`` is the ID
    in display form when it is a valid one (listed if registered); for a mistyped one it is
    None and ``nearest`` holds the registered IDs one typing slip from it."""

    typed: str
    pseudonym: str | None
    nearest: tuple[str, ...] = ()


def search(session: DbSession, typed: str, site_id: int | None = None) -> Search:
    """Read a typed ID as :func:`find` does; for a mistyped one, look for the registered IDs
    (at this site, if given) that it is one slip from, for the page to suggest."""
    prefix = current_study().pseudonym_prefix
    try:
        return Search(typed, pseudonyms.normalise(typed, prefix))
    except pseudonyms.InvalidPseudonym:
        return Search(typed, None, tuple(nearest(session, typed, site_id)))


def exact(session: DbSession, search: Search, site_id: int | None = None) -> Participant | None:
    """The participant a valid typed ID names (at this site, if given), or None."""
    if search.pseudonym is None:
        return None
    query = select(Participant).where(Participant.pseudonym == search.pseudonym)
    if site_id is not None:
        query = query.where(Participant.site_id == site_id)
    found: Participant | None = session.scalar(query)
    return found


def nearest(session: DbSession, typed: str, site_id: int | None = None) -> list[str]:
    """Registered IDs one typing slip (a changed symbol or two neighbours swapped) from
    ``typed``, in one query: a slip breaks the check symbol, so these are the IDs she most
    likely meant. The patterns need a scan of the IDs, which is fine for a mistyped search."""
    patterns, swaps = pseudonyms.one_slip_away(typed, current_study().pseudonym_prefix)
    if not patterns:
        return []
    query = select(Participant.pseudonym).where(
        or_(*(Participant.pseudonym.like(p) for p in patterns), Participant.pseudonym.in_(swaps))
    )
    if site_id is not None:
        query = query.where(Participant.site_id == site_id)
    return list(session.scalars(query.order_by(Participant.pseudonym).limit(MAX_NEAREST)))


def withdraw(
    session: DbSession, participant: Participant, mode: str, reason: str, actor_id: int | None
) -> None:
    """Withdraw a participant: in "delete" mode her responses go (drafts, complete and
    voided alike, and a field laptop's duplicates of them), and her declines lose her ID
    (each stays counted: site, wave, date); in "keep" mode she agreed that the answers given
    so far stay. The audit event records the mode, the reason and what was removed, never
    an answer."""
    if mode not in WITHDRAW_MODES:
        raise WithdrawalError("Choose whether to delete her answers or keep them.")
    reason = checked_reason(reason, "Please give the reason for the withdrawal.", WithdrawalError)
    stamp_once(
        session,
        participant,
        "withdrawn_at",
        {"withdrawal_reason": reason},
        f"{participant.pseudonym} has already withdrawn",
        WithdrawalError,
    )
    detail: dict[str, object] = {"mode": mode, "reason": reason}
    if mode == WITHDRAW_DELETE:
        forget_responses(
            session,
            list(
                session.scalars(
                    select(Response.id).where(Response.participant_id == participant.id)
                )
            ),
        )
        session.execute(
            delete(Response)
            .where(Response.participant_id == participant.id)
            .execution_options(synchronize_session="fetch")
        )
        duplicates = session.execute(
            delete(ResponseConflict)
            .where(ResponseConflict.participant_id == participant.id)
            .execution_options(synchronize_session="fetch")
        )
        unlinked = session.execute(
            update(Decline)
            .where(Decline.participant_id == participant.id)
            .values(participant_id=None)
            .execution_options(synchronize_session="fetch")
        )
        detail |= {
            "field_duplicates_deleted": int(duplicates.rowcount or 0),  # type: ignore[attr-defined]
            "declines_unlinked": int(unlinked.rowcount or 0),  # type: ignore[attr-defined]
        }
        erase_after_commit(session)
    record_audit(
        session,
        kind="participant.withdrawn",
        actor_id=actor_id,
        target=f"participant:{participant.id}",
        detail=detail,
    )
    session.flush()
