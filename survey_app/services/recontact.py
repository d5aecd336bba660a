"""Consent to be asked again: the study file names the baseline item that records it. A
mother who answered its "no" is never chased for a follow-up and the kiosk will not start
one, until a researcher records (with a reason, audited) that she asked to take part again."""

from __future__ import annotations

from sqlalchemy import select

from ..models import Participant, Response, ResponseStatus, record_audit
from ..models.types import DbSession
from ..study import current_study
from ..user_errors import UserError
from .followup import study_waves
from .once import stamp_once
from .reasons import checked_reason


class RecontactError(UserError, ValueError):
    """A change to her recontact consent that cannot be made; the message says why."""


def said_no(session: DbSession, participant: Participant) -> bool:
    """Her complete, live baseline response answers the recontact item with its "no"."""
    rule = current_study().recontact
    if rule is None:
        return False
    answers = session.scalar(
        select(Response.answers).where(
            Response.participant_id == participant.id,
            Response.wave_id == study_waves(session).baseline.id,
            Response.status == ResponseStatus.COMPLETE,
            Response.voided_at.is_(None),
        )
    )
    return (answers or {}).get(rule.variable) == rule.declined


def declined(session: DbSession, participant: Participant) -> bool:
    """She said no to being asked again and has not since asked to take part again."""
    return participant.recontact_restored_at is None and said_no(session, participant)


def restore(
    session: DbSession, participant: Participant, reason: str, actor_id: int | None
) -> None:
    """Record that she has asked to take part again: her follow-ups fall due as for anyone.
    Her baseline answer is kept as she gave it; the audit event holds the reason."""
    if not said_no(session, participant):
        raise RecontactError(f"{participant.pseudonym} did not decline to be asked again.", 409)
    reason = checked_reason(
        reason, "Please give the reason: how did she ask to take part again?", RecontactError
    )
    stamp_once(
        session,
        participant,
        "recontact_restored_at",
        {"recontact_restored_reason": reason},
        "Her request to take part again was recorded already",
        RecontactError,
    )
    record_audit(
        session,
        kind="participant.recontact_restored",
        actor_id=actor_id,
        target=f"participant:{participant.id}",
        detail={"reason": reason},
    )
    session.flush()
