"""The demo's case histories: a referral, then updates, a closure and now and then a
re-opening, each form sent through the case tracker's services on its own day."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ..instruments.model import Instrument, from_version
from ..instruments.publish import latest_version
from ..kinds import CaseFormKind, CaseStatus
from ..models import Case, CaseForm, Participant, User
from ..models.types import DbSession
from ..services import cases as case_ops
from .answers import answers
from .clock import on_day

CLOSED_SHARE = 0.6  # of cases, closed by the end of the study
REOPENED_SHARE = 0.15  # of closed cases, re-opened later
PRE_STUDY_SHARE = 0.1  # of cases, support begun before the study (counted as Pre-Y1)


@dataclass(frozen=True)
class Span:
    first: dt.date
    last: dt.date

    def day(self, rng: random.Random) -> dt.date:
        return self.first + dt.timedelta(days=rng.randint(0, (self.last - self.first).days))


def referral_day(rng: random.Random, service: Span, study: Span) -> dt.date:
    if rng.random() < PRE_STUDY_SHARE:
        return Span(service.first, study.first - dt.timedelta(days=1)).day(rng)
    return study.day(rng)


def _instrument(session: DbSession, kind: CaseFormKind) -> Instrument:
    version = latest_version(session, kind.instrument_key)
    if version is None:
        raise LookupError(f"no {kind} form is published")
    return from_version(version)


def _send(session: DbSession, user: User, form: CaseForm, day: dt.date, rng: random.Random) -> None:
    """Fill the draft ``form`` as of ``day`` and send it that day."""
    instrument = _instrument(session, form.kind)
    date_variable = form.kind.date_variable
    filled = answers(instrument, rng, rng.random(), **{date_variable: day.isoformat()})
    case_ops.save_draft_page(form, filled)
    with on_day(day):
        case_ops.submit(session, user, form, 0)


def case_history(
    session: DbSession,
    user: User,
    participant: Participant,
    start: dt.date,
    end: dt.date,
    rng: random.Random,
) -> Case:
    """Her case from its referral on ``start`` to ``end`` (the study's last day) at most."""
    referral = case_ops.open_case(session, user, participant)
    session.flush()
    _send(session, user, referral, start, rng)
    case = referral.case
    day = start
    while True:
        day += dt.timedelta(days=rng.randint(45, 150))
        if day > end:
            return case
        if case.status is CaseStatus.CLOSED:
            if rng.random() >= REOPENED_SHARE:
                return case
            kind = CaseFormKind.REOPENING
        elif rng.random() < CLOSED_SHARE / 2:
            kind = CaseFormKind.CLOSURE
        else:
            kind = CaseFormKind.UPDATE
        form = case_ops.start_form(session, user, case, kind)
        session.flush()
        _send(session, user, form, day, rng)
