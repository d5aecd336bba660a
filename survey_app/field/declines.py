"""Declines carried in a batch (issue 25): "I do not want to take part" said at a field
laptop's kiosk is counted on the server too. Each decline travels sealed like a response,
under its random key; the server holds it to what the laptop's kiosk could have recorded
(the batch's site, a wave of the study, a date within it, an ID the server or the batch
registers at that site) and inserts it once, however often the batch comes in."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..kinds import Channel
from ..models import Decline, Participant, Site, Wave
from ..models.declines import new_sync_key
from ..models.types import DbSession
from ..services.responses import KEY_SHAPE
from .items import (
    BatchError,
    Registration,
    _Bad,
    _date,
    participant_at_site,
    pseudonym,
)
from .sealing import StudyKey, b64

BODY_KEYS = frozenset({"sync_key", "pseudonym", "site", "wave", "declined_on"})


def payload(decline: Decline) -> dict[str, Any]:
    """What the server needs: the key, her ID (when the laptop still holds it), where, when."""
    assert decline.site is not None and decline.wave is not None  # noqa: S101 (kiosk only)
    return {
        "sync_key": decline.sync_key,
        "pseudonym": decline.participant.pseudonym if decline.participant else None,
        "site": decline.site.code,
        "wave": decline.wave.code,
        "declined_on": decline.declined_on.isoformat(),
    }


def sealed(session: DbSession, key: StudyKey) -> list[dict[str, str]]:
    """Every kiosk decline the laptop holds, sealed; a decline without a key (written by
    hand, or before keys) is given one first."""
    rows = session.scalars(
        select(Decline).where(Decline.channel == Channel.KIOSK).order_by(Decline.id)
    ).all()
    for row in rows:
        if row.sync_key is None:
            row.sync_key = new_sync_key()
    session.flush()
    return [
        {
            "sync_key": str(row.sync_key),
            "sealed": b64(key.seal(json.dumps(payload(row), sort_keys=True).encode())),
        }
        for row in rows
    ]


@dataclass(frozen=True)
class CheckedDecline:
    sync_key: str
    pseudonym: str | None
    wave: Wave
    declined_on: dt.date


def check(
    session: DbSession, body: object, index: int, site: Site, now: dt.datetime
) -> CheckedDecline:
    """One opened decline, held to what the laptop's kiosk could have recorded."""
    where = f"decline {index + 1}"
    try:
        if not isinstance(body, dict) or set(body) != BODY_KEYS:
            raise _Bad("its fields are not a decline's")
        key = body["sync_key"]
        if not isinstance(key, str) or not KEY_SHAPE.match(key):
            raise _Bad("its key is not one")
        name = None if body["pseudonym"] is None else pseudonym(body["pseudonym"])
        if body["site"] != site.code:
            raise _Bad("it was recorded at another site than the laptop's")
        wave = session.scalar(select(Wave).where(Wave.code == str(body["wave"])))
        if wave is None:
            raise _Bad(f"unknown wave {str(body['wave'])[:20]!r}")
        day = _date(body["declined_on"], "declined", now)
    except _Bad as exc:
        raise BatchError(f"{where}: {exc}: nothing imported.") from None
    return CheckedDecline(key, name, wave, day)


def find_participant(
    session: DbSession,
    decline: CheckedDecline,
    index: int,
    site: Site,
    people: dict[str, Registration],
) -> Participant | None:
    """The server's participant the decline names (at the batch's site), None when it names
    nobody or the batch registers her; a stranger refuses the batch."""
    if decline.pseudonym is None:
        return None
    try:
        found = participant_at_site(session, decline.pseudonym, site, index)
    except BatchError:
        raise BatchError(
            f"decline {index + 1}: {decline.pseudonym} is registered at another site than the "
            "laptop's: nothing imported."
        ) from None
    if found is None and decline.pseudonym not in people:
        raise BatchError(
            f"decline {index + 1}: it is for {decline.pseudonym}, whom neither the server nor "
            "the batch registers: nothing imported."
        )
    return found


def held(session: DbSession, key: str) -> bool:
    return session.scalar(select(Decline.id).where(Decline.sync_key == key)) is not None


def insert(
    session: DbSession,
    decline: CheckedDecline,
    site: Site,
    participant: Participant | None,
) -> None:
    """The decline as the laptop's kiosk recorded it; without her ID when she has withdrawn
    since (the approach is still counted; see services/participants.withdraw)."""
    if participant is not None and participant.withdrawn_at is not None:
        participant = None
    session.add(
        Decline(
            channel=Channel.KIOSK,
            site=site,
            wave=decline.wave,
            participant=participant,
            declined_on=decline.declined_on,
            sync_key=decline.sync_key,
        )
    )
    session.flush()
