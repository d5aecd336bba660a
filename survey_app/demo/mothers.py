"""The demo's mothers at the kiosk: approached at the start of support (some decline), the
baseline answered page by page and sent (a few left unfinished, a few saying no to being
asked again), follow-ups in and out of their windows, a few withdrawals and declines."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import select

from ..models import Participant, Response, Site, Wave
from ..models.types import DbSession
from ..services import declines, followup, recontact
from ..services import participants as participant_ops
from ..services import responses as response_ops
from ..study import Study
from .answers import answers, pages
from .clock import on_day

APPROACHED_SHARE = 0.85  # of mothers referred during the study, asked at the kiosk
DECLINED_SHARE = 0.12  # of those approached, "I do not want to take part"
# The rare fates come in a fixed rhythm, not by chance, so that every seed shows each of them:
UNFINISHED_EVERY = 25  # of those who agreed, one in this many stopped before the end
NO_RECONTACT_EVERY = 11  # of those who sent it, one in this many said no to being asked again
RESTORED_EVERY = 3  # of those, one in this many later asked to take part again
WITHDRAWN_EVERY = 17  # of the others who sent it, one in this many withdrew (keep, delete ...)
SEEN_SHARE = 0.7  # of those due, who answered the follow-up
OUTSIDE_SHARE = 0.15  # of those seen, outside the follow-up's window
FOLLOWUP_DECLINED_SHARE = 0.08  # of those due, who said no at the follow-up
WELSH_SHARE = 0.1  # questionnaires answered in Welsh
FOLLOWUP_MONTHS = 6  # follow-ups go on this long after the last study period
# A mother leans more positive at the follow-up by about this much (of 1): support helps.
FOLLOWUP_LIFT = 0.08


@dataclass
class Tally:
    """What was entered, for the command's summary."""

    approached: int = 0
    declined: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    consented: int = 0
    unfinished: int = 0
    no_recontact: int = 0
    withdrawn: int = 0
    followed: int = 0  # sent the baseline and may be asked again


def _language(rng: random.Random) -> str:
    return "cy" if rng.random() < WELSH_SHARE else "en"


def questionnaire(
    session: DbSession,
    participant: Participant,
    wave: str,
    day: dt.date,
    rng: random.Random,
    mood: float,
    *,
    stop_after: int | None = None,
    **fixed: object,
) -> Response | None:
    """Her questionnaire at ``wave`` on ``day``, answered page by page as the kiosk saves it
    and sent; with ``stop_after``, only that many pages saved (an unfinished draft)."""
    language = _language(rng)
    with on_day(day):
        start = response_ops.start_kiosk(
            session, participant, wave, confirmed=True, site_code=participant.site.code
        )
        response = start.response
        if response is None:
            return None
        instrument = response_ops.instrument_of(response)
        filled = answers(instrument, rng, mood, **fixed)
        for saved, (index, values) in enumerate(pages(instrument, filled)):
            if stop_after is not None and saved >= stop_after:
                return response
            response_ops.save_page(session, response, instrument.sections[index], values, language)
        return response_ops.complete(session, response)


def _decline(session: DbSession, participant: Participant, wave: str, day: dt.date) -> None:
    site = session.get(Site, participant.site_id)
    wave_row = session.scalar(select(Wave).where(Wave.code == wave))
    assert site is not None and wave_row is not None  # noqa: S101 - published study
    with on_day(day):
        declines.at_kiosk(session, site=site, wave=wave_row, participant=participant, draft=None)


def mother(
    session: DbSession,
    study: Study,
    participant: Participant,
    referred: dt.date,
    rng: random.Random,
    tally: Tally,
) -> None:
    """Her part in the questionnaires, from her referral on ``referred``."""
    last = study.periods[-1].end if study.periods else referred
    approach = referred + dt.timedelta(days=rng.randint(3, 40))
    if referred < study.study_start or approach > last or rng.random() >= APPROACHED_SHARE:
        return
    baseline, *later = study.waves
    tally.approached += 1
    if rng.random() < DECLINED_SHARE:
        tally.declined += 1
        _decline(session, participant, baseline.code, approach)
        return
    mood = rng.uniform(0.35, 0.8)
    tally.consented += 1
    unfinished = tally.consented % UNFINISHED_EVERY == UNFINISHED_EVERY // 2
    sent_before = tally.sent.get(baseline.code, 0)
    said_no = study.recontact is not None and sent_before % NO_RECONTACT_EVERY == 3
    fixed: dict[str, object] = {}
    if study.recontact:
        fixed[study.recontact.variable] = study.recontact.declined if said_no else 1
    done = questionnaire(
        session, participant, baseline.code, approach, rng, mood,
        stop_after=rng.randint(1, 3) if unfinished else None, **fixed,
    )  # fmt: skip
    if done is None or not done.is_complete:
        tally.unfinished += 1
        return
    tally.sent[baseline.code] = tally.sent.get(baseline.code, 0) + 1
    if said_no:
        tally.no_recontact += 1
        # Now and then she asks to take part again, and a researcher records it.
        if tally.no_recontact % RESTORED_EVERY == 1:
            with on_day(approach + dt.timedelta(days=rng.randint(60, 120))):
                recontact.restore(
                    session, participant, "She asked the prison's social worker to take part.",
                    None,
                )  # fmt: skip
            session.refresh(participant)  # the stamp is written by an UPDATE of its own
        else:
            return
    tally.followed += 1
    if tally.followed % WITHDRAWN_EVERY == WITHDRAWN_EVERY // 2:
        mode = participant_ops.WITHDRAW_MODES[tally.withdrawn % 2]
        tally.withdrawn += 1
        with on_day(approach + dt.timedelta(days=rng.randint(20, 120))):
            participant_ops.withdraw(
                session, participant, mode, "She asked to leave the study.", None
            )
        return
    for wave in later:
        _follow_up(session, participant, wave.code, approach, last, rng, mood, tally)


def _follow_up(
    session: DbSession,
    participant: Participant,
    wave: str,
    baseline_on: dt.date,
    last: dt.date,
    rng: random.Random,
    mood: float,
    tally: Tally,
) -> None:
    config = next(w for w in followup.study_waves(session).followups if w.code == wave)
    opens = followup.add_months(baseline_on, config.window.start_months)
    closes = followup.add_months(baseline_on, config.window.end_months)
    if rng.random() < OUTSIDE_SHARE:
        day = closes + dt.timedelta(days=rng.randint(10, 60))
    else:
        day = opens + dt.timedelta(days=rng.randint(0, (closes - opens).days))
    if day > followup.add_months(last, FOLLOWUP_MONTHS):
        return  # the study had ended: not seen
    if rng.random() < FOLLOWUP_DECLINED_SHARE:
        _decline(session, participant, wave, day)
        return
    if rng.random() >= SEEN_SHARE:
        return
    lifted = min(mood + FOLLOWUP_LIFT + rng.gauss(0, 0.05), 0.95)
    if questionnaire(session, participant, wave, day, rng, lifted) is not None:
        tally.sent[wave] = tally.sent.get(wave, 0) + 1
