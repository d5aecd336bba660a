"""What a batch may carry (issue 21): each opened item and each registration is held to what
the kiosk's pages could have made on a laptop of the batch's site, before anything is
written. The answers go through the pages' own rule (services/answer_check.py), pseudonyms
through the typed IDs' (pseudonyms.normalise); the first bad value refuses the batch whole,
named in one line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import pseudonyms
from ..i18n import LANGUAGES
from ..instruments import model
from ..models import Audience, InstrumentVersion, Participant, Site, Wave
from ..models.types import DbSession, utcnow
from ..services.answer_check import answers_problem
from ..services.responses import KEY_SHAPE, code_skips, consent_given, first_missing_required
from ..study import current_study
from ..user_errors import UserError

# A laptop's clock may run a little ahead of the server's; a date later than this is forged.
CLOCK_SKEW = dt.timedelta(days=1)
ITEM_KEYS = frozenset(
    {
        "submission_key",
        "pseudonym",
        "wave",
        "instrument_key",
        "instrument_version",
        "content_hash",
        "answers",
        "language",
        "started_on",
        "completed_on",
        "flags",
    }
)


class BatchError(UserError, ValueError):
    """A batch refused whole; the message says why in one line."""


class _Bad(Exception):
    """One bad value; ``where`` is added by the caller."""


@dataclass(frozen=True)
class CheckedItem:
    body: dict[str, Any]
    version: InstrumentVersion
    wave: Wave
    started_on: dt.date
    completed_on: dt.date


def pseudonym(value: object) -> str:
    """A pseudonym exactly as the server writes one (display form, check symbol right)."""
    if not isinstance(value, str) or len(value) > 40:
        raise _Bad("an ID that is not a participant ID")
    try:
        normal = pseudonyms.normalise(value, current_study().pseudonym_prefix)
    except pseudonyms.InvalidPseudonym:
        normal = None
    if normal != value:
        raise _Bad(f"{value[:24]!r} is not a participant ID")
    return value


def _date(value: object, name: str, now: dt.datetime) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise _Bad(f"{name} is not a date")
    if day < current_study().study_start or day > (now + CLOCK_SKEW).date():
        raise _Bad(f"{name} {day:%Y-%m-%d} is outside the study (or in the future)")
    return day


def registered_at(value: object, now: dt.datetime) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is not None:
        raise _Bad("the registration time is not a time")
    if when.date() < current_study().study_start or when > now + CLOCK_SKEW:
        raise _Bad(f"registered {when:%Y-%m-%d} is outside the study (or in the future)")
    return when


def _allowed_flags(session: DbSession, wave: Wave) -> set[str]:
    """The flags a kiosk's draft takes at its start (services/responses._start_warnings)."""
    earlier = session.scalars(select(Wave.code).where(Wave.position < wave.position))
    code = wave.code.lower()
    return {f"{code}_without_{c.lower()}" for c in earlier} | {f"{code}_outside_window"}


def _version(session: DbSession, body: dict[str, Any]) -> tuple[InstrumentVersion, Wave]:
    wave = session.scalar(select(Wave).where(Wave.code == str(body["wave"])))
    if wave is None:
        raise _Bad(f"unknown wave {str(body['wave'])[:20]!r}")
    key, number = body["instrument_key"], body["instrument_version"]
    if key != current_study().instrument_for(Audience.MOTHER, wave.code):
        raise _Bad(f"{str(key)[:40]!r} is not the mothers' questionnaire at {wave.code}")
    version = None
    if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**31:
        version = session.scalar(
            select(InstrumentVersion).where(
                InstrumentVersion.key == key, InstrumentVersion.version == number
            )
        )
    if version is None or version.content_hash != body["content_hash"]:
        raise _Bad("no such published version on the server")
    return version, wave


def _answers(instrument: model.Instrument, body: dict[str, Any]) -> None:
    answers = body["answers"]
    problem = answers_problem(instrument, answers)
    if problem is not None:
        raise _Bad(problem)
    coded = code_skips(instrument, answers)
    # The pages store answers with the skip logic applied: Not applicable exactly where a
    # question is not asked (an answer to a skipped one would be exported as hers).
    skewed = sorted(v for v in coded.keys() | answers.keys() if coded.get(v) != answers.get(v))
    if skewed:
        raise _Bad(
            f"{skewed[0]} is not as the questionnaire's skip logic leaves it (an answer to a "
            "question not asked, or Not applicable for one asked)"
        )
    if (
        not consent_given(instrument, coded)
        or first_missing_required(instrument, coded) is not None
    ):
        raise _Bad("a required answer is missing")
    language = body["language"]
    if language not in instrument.languages or language not in LANGUAGES:
        raise _Bad(f"language {str(language)[:8]!r} is not one of the questionnaire's")
    if language != "en" and current_study().welsh == "off":
        raise _Bad(f"language {language!r} is not offered by the study")


def check_item(
    session: DbSession, body: object, index: int, now: dt.datetime | None = None
) -> CheckedItem:
    """One opened item, held to what the pages could have stored, or BatchError naming it."""
    now = now or utcnow()
    where = f"item {index + 1}"
    try:
        if not isinstance(body, dict) or set(body) != ITEM_KEYS:
            raise _Bad("its fields are not a response's")
        where = (
            f"item {index + 1} ({str(body['instrument_key'])[:40]!r}, {str(body['wave'])[:8]!r})"
        )
        if not isinstance(body["submission_key"], str) or not KEY_SHAPE.match(
            body["submission_key"]
        ):
            raise _Bad("its submission key is not one")
        pseudonym(body["pseudonym"])
        version, wave = _version(session, body)
        _answers(model.from_version(version), body)
        started = _date(body["started_on"], "started", now)
        completed = _date(body["completed_on"], "completed", now)
        if completed < started:
            raise _Bad("completed before it was started")
        flags = body["flags"]
        if not isinstance(flags, dict) or any(
            k not in _allowed_flags(session, wave) or v is not True for k, v in flags.items()
        ):
            raise _Bad("it carries flags a laptop does not set")
    except _Bad as exc:
        raise BatchError(f"{where}: {exc}: nothing imported.") from None
    return CheckedItem(body, version, wave, started, completed)


@dataclass(frozen=True)
class Registration:
    pseudonym: str
    registered: dt.datetime


def check_registrations(
    session: DbSession, rows: list[Any], site: Site, now: dt.datetime | None = None
) -> dict[str, Registration]:
    """The laptop's participants: each a valid ID at the batch's site, registered within the
    study; an ID the server holds at another site is refused (another site's mother)."""
    now = now or utcnow()
    found: dict[str, Registration] = {}
    for index, row in enumerate(rows):
        where = f"participant {index + 1}"
        try:
            if not isinstance(row, dict) or set(row) != {"pseudonym", "site", "registered"}:
                raise _Bad("its fields are not a participant's")
            name = pseudonym(row["pseudonym"])
            where = f"participant {name}"
            if row["site"] != site.code:
                raise _Bad("is registered at another site than the laptop's")
            found[name] = Registration(name, registered_at(row["registered"], now))
        except _Bad as exc:
            raise BatchError(f"{where}: {exc}: nothing imported.") from None
    return found


def participant_at_site(
    session: DbSession, name: str, site: Site, index: int
) -> Participant | None:
    """The server's participant with this ID, who must be at the batch's site."""
    found: Participant | None = session.scalar(
        select(Participant).where(Participant.pseudonym == name)
    )
    if found is not None and found.site_id != site.id:
        raise BatchError(
            f"item {index + 1}: {name} is registered at another site than the laptop's: "
            "nothing imported."
        )
    return found
