"""Starting, saving and completing responses, for kiosks and anonymous links alike."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..instruments import missing, model
from ..instruments.model import Instrument, Section
from ..instruments.publish import latest_version
from ..models import (
    Audience,
    Channel,
    InstrumentVersion,
    Link,
    Participant,
    Response,
    ResponseStatus,
    Wave,
)
from ..models.erasure import erase_after_commit
from ..models.locks import for_update
from ..models.types import DbSession, today
from ..study import current_study
from ..user_errors import UserError
from . import drafts, followup, hooks, recontact
from .answer_check import answers_problem
from .once import stamp_once
from .reasons import checked_reason


class RespondentError(UserError):
    """Something the person at the kiosk or link can put right; the message says how."""


@dataclass(frozen=True)
class KioskStart:
    """A started (or resumed) draft; or, while a warning awaits the fieldworker's answer,
    no draft yet (``response`` None), so that her Cancel leaves nothing behind."""

    response: Response | None
    resumed: bool
    warning: str | None = None
    # The follow-up is taken outside its window: going on needs the fieldworker's password.
    window: str | None = None
    # The ID was registered at another site: going on needs the password too.
    other_site: str | None = None


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def instrument_of(response: Response) -> Instrument:
    return model.from_version(response.instrument_version)


def live_response(session: DbSession, participant: Participant, wave: Wave) -> Response | None:
    return session.scalar(
        select(Response).where(
            Response.participant_id == participant.id,
            Response.wave_id == wave.id,
            Response.voided_at.is_(None),
        )
    )


def _completed(response: Response | None) -> bool:
    return response is not None and response.is_complete


def _wave(session: DbSession, code: str) -> Wave:
    wave: Wave | None = session.scalar(select(Wave).where(Wave.code == code))
    if wave is None:
        raise RespondentError(f"Unknown wave {code!r}.")
    return wave


def start_kiosk(
    session: DbSession,
    participant: Participant,
    wave_code: str,
    *,
    confirmed: bool = False,
    site_code: str | None = None,
) -> KioskStart:
    """Start (or find the draft of) this participant's response for a wave. A new draft that
    needs a warning (an earlier wave not done, a follow-up outside its window, an ID
    registered at another site than ``site_code``, the kiosk's) is begun only once the
    fieldworker has ``confirmed``. A new draft is returned unsaved: it is stored when she
    agrees (``save_page``), so an ID entered and left makes nothing."""
    if participant.withdrawn_at is not None:
        raise RespondentError("This participant has withdrawn from the study.")
    wave = _wave(session, wave_code)
    _refuse_if_declined_recontact(session, participant, wave)
    existing = live_response(session, participant, wave)
    if existing is not None:
        if existing.is_complete:
            raise RespondentError(
                f"{wave.code} for this ID was already completed on "
                f"{existing.completed_on:%d %B %Y}. If that was a mistake, a researcher can void it."
            )
        return KioskStart(existing, resumed=True)
    key = current_study().instrument_for(Audience.MOTHER, wave.code)
    version = latest_version(session, key) if key else None
    if version is None:
        raise RespondentError(f"No questionnaire is published for mothers at {wave.code}.")
    flags, warning, window_text = _start_warnings(session, participant, wave)
    elsewhere = _other_site(participant, site_code)
    if elsewhere:
        flags["answered_at"] = site_code  # kept where she answered it, beside her registry
    if (warning or window_text or elsewhere) and not confirmed:
        return KioskStart(
            None, resumed=False, warning=warning, window=window_text, other_site=elsewhere
        )
    response = Response(
        instrument_version=version,
        channel=Channel.KIOSK,
        participant=participant,
        wave=wave,
        submission_key=new_submission_key(),
        answers={},
        flags=flags,
    )
    # Not added to the session: no draft until she agrees (save_page makes it).
    return KioskStart(response, resumed=False)


def _other_site(participant: Participant, site_code: str | None) -> str | None:
    """The fieldworker's note when the ID was registered at another site than the kiosk's
    (she has moved, or the ID was mistyped from the paper key)."""
    if site_code is None or participant.site.code == site_code:
        return None
    return (
        f"This ID was registered at {participant.site.name}, not here: has she moved? If "
        "not, the ID may have been mistyped: please check it against the paper key."
    )


def unsaved_draft(
    session: DbSession,
    *,
    participant_id: int,
    wave_code: str,
    version_id: int,
    key: str,
    flags: Mapping[str, Any],
) -> Response | None:
    """The draft of a mother who has not agreed yet, rebuilt for each page (never stored);
    None when her participant, wave or version has gone."""
    participant = session.get(Participant, participant_id)
    version = session.get(InstrumentVersion, version_id)
    wave = session.scalar(select(Wave).where(Wave.code == wave_code))
    if participant is None or version is None or wave is None:
        return None
    return Response(
        instrument_version=version,
        channel=Channel.KIOSK,
        participant=participant,
        wave=wave,
        submission_key=key,
        answers={},
        flags=dict(flags),
    )


def is_saved(response: Response) -> bool:
    return bool(inspect(response).persistent)


def _store_new_draft(session: DbSession, response: Response) -> None:
    """Store a kiosk draft at her first saved page (once she has agreed)."""
    try:
        with session.begin_nested():
            session.add(response)
            hooks.draft_started(session, response)
    except IntegrityError:
        # Another kiosk started the same participant and wave a moment ago.
        raise RespondentError("Her questionnaire was started at another kiosk meanwhile.") from None


def _refuse_if_declined_recontact(session: DbSession, participant: Participant, wave: Wave) -> None:
    """A follow-up is not started for a mother who said no to being asked again."""
    baseline = followup.study_waves(session).baseline
    if wave.id != baseline.id and recontact.declined(session, participant):
        raise RespondentError(
            f"Please do not ask her: at {baseline.code} she said no to being asked these "
            f"questions again, so {wave.code} cannot start. If she has asked to take part "
            "again, a researcher can record it on her page in the research area.",
            403,
        )


def _start_warnings(
    session: DbSession, participant: Participant, wave: Wave
) -> tuple[dict[str, Any], str | None, str | None]:
    """The flags a new draft carries, and the fieldworker's warnings: earlier waves she has
    not completed, and a follow-up outside its window."""
    earlier = session.scalars(
        select(Wave).where(Wave.position < wave.position).order_by(Wave.position)
    ).all()
    missed = [w.code for w in earlier if not _completed(live_response(session, participant, w))]
    flags: dict[str, Any] = {f"{wave.code.lower()}_without_{c.lower()}": True for c in missed}
    warning = None
    if missed:
        warning = (
            f"This ID has no completed {' or '.join(missed)}. You can go on: the {wave.code} "
            f"answers will be kept and flagged in exports."
        )
    window = _window_check(session, participant, wave)
    if window is not None and not window.inside:
        flags[f"{wave.code.lower()}_outside_window"] = True
    window_text = window.text if window is not None and not window.inside else None
    return flags, warning, window_text


def _window_check(
    session: DbSession, participant: Participant, wave: Wave
) -> followup.WindowCheck | None:
    """Today against this follow-up's window, when she has a completed baseline."""
    waves = followup.study_waves(session)
    mine = [w for w in waves.followups if w.id == wave.id]
    baseline = live_response(session, participant, waves.baseline)
    if not mine or baseline is None or baseline.completed_on is None:
        return None
    return followup.window_check(mine[0], waves.baseline.code, baseline.completed_on, today())


def start_link(session: DbSession, link: Link) -> Response:
    version = latest_version(session, link.instrument_key)
    if version is None:
        raise RespondentError("This survey is not available.")
    response = Response(
        instrument_version=version,
        channel=Channel.LINK,
        link=link,
        submission_key=new_submission_key(),
        answers={},
    )
    session.add(response)
    session.flush()
    return response


# \Z, not $: "$" also matches before a final newline, which a forged key may carry.
KEY_SHAPE = re.compile(r"\A[A-Za-z0-9_-]{20,64}\Z")


def by_key(session: DbSession, key: str | None, *, lock: bool = False) -> Response | None:
    # A key that is not shaped like ours is refused before it reaches the database
    # (PostgreSQL rejects NUL bytes in text with an error, not a miss).
    if not key or not KEY_SHAPE.match(key):
        return None
    query = select(Response).where(Response.submission_key == key, Response.voided_at.is_(None))
    if lock:
        query = for_update(session, query)
    return session.scalar(query)


def shown_items(section: Section, answers: Mapping[str, Any]) -> list[model.Item]:
    return [item for item in section.items if item.shown(answers)]


def visible_sections(instrument: Instrument, answers: Mapping[str, Any]) -> list[int]:
    """Indexes of the sections that have a question to ask, given the answers so far."""
    return [
        index
        for index, section in enumerate(instrument.sections)
        if any(item.is_question for item in shown_items(section, answers))
    ]


def save_page(
    session: DbSession,
    response: Response,
    section: Section,
    values: Mapping[str, Any],
    language: str,
) -> None:
    """Merge one page's answers into the draft. Items hidden by skip logic are coded Not
    applicable; an item she cleared goes back to skipped. Refused (RespondentError, nothing
    written) once the draft is sent or voided or its participant has withdrawn."""
    if response.is_complete:
        raise RespondentError("These answers have been sent already.")
    answers = dict(response.answers or {})
    if any(isinstance(answers.get(v), str) and answers.get(v) != values[v] for v in values):
        # She replaced or cleared text: SQLite's write-ahead log would keep the earlier
        # words until a checkpoint; wiped once this save commits (models/erasure.py).
        erase_after_commit(session)
    for variable, value in values.items():
        if value is None:
            answers.pop(variable, None)
        else:
            answers[variable] = value
    instrument = instrument_of(response)
    problem = answers_problem(instrument, answers)
    if problem is not None:  # the page's fields refuse these first: a bug or a forged post
        raise RespondentError(f"This answer cannot be kept: {problem}.")
    answers = code_skips(instrument, answers)
    if not is_saved(response):
        if not consent_given(instrument, answers):
            return  # nothing is kept of her before she agrees
        _store_new_draft(session, response)
    # Where she got to, for the research pages: this page among those her answers show.
    shown = visible_sections(instrument, answers)
    index = instrument.sections.index(section)
    page = sum(1 for i in shown if i <= index) or 1
    flags = {
        **(response.flags or {}),
        drafts.FLAG: drafts.progress_flag(page, max(page, len(shown)), today()),
    }
    write_open_draft(session, response, answers=answers, language=language, flags=flags)


def write_open_draft(session: DbSession, response: Response, **values: Any) -> None:
    """Write to a draft with one guarded update: only while it is unfinished, not voided, and
    its participant (if any) has not withdrawn. The check is part of the write, so a
    withdrawal committed by another request is seen whatever this session loaded earlier; the
    callers hold the response row locked, as a withdrawal that deletes answers locks it too."""
    withdrawn = (
        select(Participant.id)
        .where(Participant.id == Response.participant_id, Participant.withdrawn_at.is_not(None))
        .exists()
    )
    done = session.execute(
        update(Response)
        .where(
            Response.id == response.id,
            Response.status == ResponseStatus.IN_PROGRESS,
            Response.voided_at.is_(None),
            ~withdrawn,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise RespondentError("These answers can no longer be changed.")
    for name, value in values.items():
        set_committed_value(response, name, value)  # the loaded row now matches the table


def code_skips(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Not applicable for every item whose show-if fails; clear it when the rule holds again."""
    coded = dict(answers)
    for item in instrument.questions():
        assert item.variable is not None  # noqa: S101 - questions have variables
        if not item.shown(coded):
            coded[item.variable] = missing.NOT_APPLICABLE
        elif coded.get(item.variable) == missing.NOT_APPLICABLE:
            del coded[item.variable]
    return coded


def consent_given(instrument: Instrument, answers: Mapping[str, Any]) -> bool:
    return all(
        answers.get(item.variable or "") == 1
        for item in instrument.items()
        if item.type == "consent"
    )


def first_missing_required(instrument: Instrument, answers: Mapping[str, Any]) -> int | None:
    """The index of the first section with a required question left unanswered."""
    for index, section in enumerate(instrument.sections):
        for item in shown_items(section, answers):
            if item.required and item.variable and answers.get(item.variable) is None:
                return index
    return None


def complete(session: DbSession, response: Response) -> Response:
    """Finish a response. Idempotent: finishing a finished response changes nothing."""
    if response.is_complete:
        return response
    if response.participant is not None and response.participant.withdrawn_at is not None:
        raise RespondentError("This participant has withdrawn from the study.")
    instrument = instrument_of(response)
    answers = code_skips(instrument, response.answers or {})
    if first_missing_required(instrument, answers) is not None:
        raise RespondentError("Some questions that need an answer have not been answered yet.")
    try:
        flags = {k: v for k, v in (response.flags or {}).items() if k != drafts.FLAG}
        write_open_draft(
            session,
            response,
            answers=answers,
            status=ResponseStatus.COMPLETE,
            completed_on=today(),
            flags=flags,
        )
    except RespondentError:
        # Sent a moment ago by another request (a double click, where rows are not locked):
        # the same response, finished once.
        if (
            session.scalar(select(Response.status).where(Response.id == response.id))
            != ResponseStatus.COMPLETE
        ):
            raise
        session.refresh(response)
        return response
    # On a field laptop, sealed at the moment of sending (survey_app/field/sending.py).
    hooks.sent(session, response)
    return response


def discard(session: DbSession, response: Response) -> None:
    """She chose not to take part: nothing of the draft is kept."""
    if is_saved(response) and not response.is_complete:
        session.delete(response)
        session.flush()
        erase_after_commit(session)


class VoidError(UserError, ValueError):
    """A void that cannot be made; the message says why."""


def void(session: DbSession, response: Response, reason: str, actor_id: int | None) -> None:
    """Void a response with a reason: it stays stored (and out of exports), and its
    participant's wave is free for a new response. The audit event holds the reason only."""
    # Imported here so that the module's earlier imports stay as they are.
    from ..models import record_audit

    reason = checked_reason(reason, "Please give the reason for voiding this response.", VoidError)
    stamp_once(
        session,
        response,
        "voided_at",
        {"void_reason": reason},
        "This response has already been voided",
        VoidError,
    )
    record_audit(
        session,
        kind="response.voided",
        actor_id=actor_id,
        target=f"response:{response.id}",
        detail={"reason": reason},
    )
    session.flush()


def purge_link_drafts(session: DbSession, older_than_days: int) -> int:
    """Delete anonymous-link drafts started more than ``older_than_days`` ago: nobody can
    come back to them once their browser session has gone. Kiosk drafts stay (a fieldworker
    can resume them by ID; a researcher voids what must go)."""
    from sqlalchemy import delete

    from ..models.types import today as _today

    cutoff = _today() - dt.timedelta(days=older_than_days)
    result = session.execute(
        delete(Response).where(
            Response.channel == Channel.LINK,
            Response.status == ResponseStatus.IN_PROGRESS,
            Response.started_on < cutoff,
        )
    )
    erase_after_commit(session)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
