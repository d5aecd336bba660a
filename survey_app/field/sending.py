"""The kiosk's send on a field laptop: the completed response is sealed with the study's
public key and its plaintext removed in the same transaction; drafts have a clock and are
purged after FIELD_DRAFT_HOURS. On the server (no field_instance row) nothing here acts."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, select

from ..models import Channel, Response, ResponseStatus
from ..models.erasure import erase_after_commit
from ..models.field import FieldDraft, FieldInstance, SealedResponse
from ..models.types import DbSession, utcnow
from .sealing import StudyKey, unb64


def field_instance(session: DbSession) -> FieldInstance | None:
    return session.get(FieldInstance, 1)


def note_draft_started(session: DbSession, response: Response) -> None:
    """On a laptop, start the clock of a new draft."""
    if field_instance(session) is not None:
        session.add(FieldDraft(submission_key=response.submission_key, started_at=utcnow()))


def payload(response: Response) -> dict[str, object]:
    """What the server needs to insert the response: who, which wave and version, answers."""
    assert response.participant is not None and response.wave is not None  # noqa: S101
    version = response.instrument_version
    return {
        "submission_key": response.submission_key,
        "pseudonym": response.participant.pseudonym,
        "wave": response.wave.code,
        "instrument_key": version.key,
        "instrument_version": version.version,
        "content_hash": version.content_hash,
        "answers": response.answers,
        "language": response.language,
        "started_on": response.started_on.isoformat(),
        "completed_on": (response.completed_on or response.started_on).isoformat(),
        "flags": response.flags or {},
    }


def seal_if_field(session: DbSession, response: Response) -> bool:
    """On a field laptop, replace a just-completed response's answers by a sealed copy (the
    caller's transaction: the plaintext and the sealed copy never both survive a commit).
    The response row stays, blank, so that the kiosk knows the wave is done."""
    instance = field_instance(session)
    if instance is None or response.channel != Channel.KIOSK:
        return False
    body = payload(response)
    key = StudyKey(instance.study_id, unb64(instance.public_key))
    session.add(
        SealedResponse(
            submission_key=response.submission_key,
            pseudonym=str(body["pseudonym"]),
            wave_code=str(body["wave"]),
            instrument_key=str(body["instrument_key"]),
            instrument_version=int(str(body["instrument_version"])),
            ciphertext=key.seal(json.dumps(body, sort_keys=True).encode()),
        )
    )
    response.answers = {}
    response.flags = {"sealed": True}
    session.execute(delete(FieldDraft).where(FieldDraft.submission_key == response.submission_key))
    session.flush()
    erase_after_commit(session)
    return True


def purge_drafts(session: DbSession, hours: int, now: dt.datetime | None = None) -> int:
    """Delete the laptop's drafts started more than ``hours`` ago (a draft with no clock, which
    only a laptop made before this code has, counts as started on its start date)."""
    cutoff = (now or utcnow()) - dt.timedelta(hours=hours)
    clocks = {
        row[0]: row[1]
        for row in session.execute(select(FieldDraft.submission_key, FieldDraft.started_at))
    }
    stale = []
    for response in session.scalars(
        select(Response).where(
            Response.channel == Channel.KIOSK, Response.status == ResponseStatus.IN_PROGRESS
        )
    ):
        started = clocks.get(response.submission_key) or dt.datetime.combine(
            response.started_on, dt.time()
        )
        if started < cutoff:
            stale.append(response.submission_key)
    if stale:
        session.execute(delete(Response).where(Response.submission_key.in_(stale)))
        erase_after_commit(session)
    session.execute(
        delete(FieldDraft).where(
            FieldDraft.submission_key.not_in(
                select(Response.submission_key).where(Response.status == ResponseStatus.IN_PROGRESS)
            )
        )
    )
    session.flush()
    return len(stale)
