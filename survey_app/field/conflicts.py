"""Duplicates from the field: the same mother and wave answered twice (two laptops, or a
laptop and the server). Both are kept; a researcher chooses which one counts."""

from __future__ import annotations

from sqlalchemy import select, update

from ..models import Channel, Response, ResponseStatus, record_audit
from ..models.field import ResponseConflict
from ..models.types import DbSession, utcnow
from ..services.responses import live_response
from ..user_errors import UserError

ALREADY = "This duplicate has been resolved already: nothing was changed."
KEEP_EXISTING = "existing"
KEEP_FIELD = "field"


class ConflictError(UserError, ValueError):
    """A choice that cannot be made; the message says why."""

    status = 409


def open_conflicts(session: DbSession) -> list[tuple[ResponseConflict, Response | None]]:
    """Each unresolved duplicate with the response it competes with."""
    found = session.scalars(
        select(ResponseConflict)
        .where(ResponseConflict.resolved_at.is_(None))
        .order_by(ResponseConflict.received_at)
    ).all()
    return [(c, live_response(session, c.participant, c.wave)) for c in found]


def resolve(session: DbSession, conflict: ResponseConflict, keep: str, actor_id: int) -> None:
    """Keep one. Keeping the field copy voids the other (still stored, out of exports) and
    makes the copy a response; keeping the existing one leaves the copy stored, resolved."""
    if keep not in (KEEP_EXISTING, KEEP_FIELD):
        raise ConflictError("Choose which response to keep.")
    if conflict.resolved_at is not None:
        raise ConflictError(ALREADY)
    done = session.execute(
        update(ResponseConflict)
        .where(ResponseConflict.id == conflict.id, ResponseConflict.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolution=f"kept {keep}")
        .execution_options(synchronize_session="fetch")
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise ConflictError(ALREADY)
    if keep == KEEP_FIELD:
        existing = live_response(session, conflict.participant, conflict.wave)
        if existing is not None:
            existing.voided_at = utcnow()
            existing.void_reason = "a duplicate from a field laptop was kept instead"
            session.flush()
        session.add(
            Response(
                instrument_version_id=conflict.instrument_version_id,
                channel=Channel.KIOSK,
                participant_id=conflict.participant_id,
                wave_id=conflict.wave_id,
                status=ResponseStatus.COMPLETE,
                submission_key=conflict.submission_key,
                answers=conflict.answers,
                language=conflict.language,
                started_on=conflict.started_on,
                completed_on=conflict.completed_on,
                flags=conflict.flags,
            )
        )
    record_audit(
        session,
        kind="field.duplicate_resolved",
        actor_id=actor_id,
        target=f"participant:{conflict.participant_id}",
        detail={"wave": conflict.wave.code, "kept": keep},
    )
    session.flush()
