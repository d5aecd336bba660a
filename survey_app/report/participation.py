"""Where each mother got to in the study, from what was recorded: declines at the kiosk (from
migration 0010), her questionnaires at each wave (voided ones left out), her consent to be
asked again and any withdrawal. The participant flow and the attrition tables count it.

All dates, whatever the report's date and version filters (as the export's About sheet
counts approaches): a flow cut by date would lose the mothers whose T1 fell before the cut.
The site filter applies: the site is where she was registered (a decline's, the kiosk's)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import false, select

from ..export.filters import ExportFilters
from ..kinds import Channel, ResponseStatus
from ..models import Decline, Participant, Response, Site, Wave
from ..models.types import DbSession, today
from ..services import followup
from ..study import Study

# A mother's place at a follow-up wave, once her baseline is complete (checked in this order).
DONE_IN = "done_in_window"
DONE_OUT = "done_outside_window"
WITHDRAWN = "withdrawn"
DECLINED_RECONTACT = "declined_recontact"
DECLINED = "declined"  # said no at the kiosk at that wave
NOT_YET_DUE = "not_yet_due"
NOT_SEEN = "not_seen"  # due (or overdue), nothing recorded


def group_link(wave: str, seen: bool, column: str) -> str:
    """The release's link of one count both the participant flow and the attrition tables
    give: the mothers seen (or not seen) at ``wave`` at a site (its name) or in total."""
    return f"participation|{wave}|{'seen' if seen else 'not seen'}|{column}"


@dataclass(frozen=True)
class MotherFlow:
    """A mother who agreed at the baseline: a questionnaire started there (none is kept before
    she agrees), or withdrawn with her answers deleted (she had taken part)."""

    pseudonym: str
    site: str  # code of the site where she was registered
    baseline_on: dt.date | None  # her complete baseline's date
    followups: Mapping[str, str]  # follow-up wave code -> her place (above); complete baseline only

    def seen_at(self, wave: str) -> bool:
        return self.followups.get(wave) in (DONE_IN, DONE_OUT)


@dataclass(frozen=True)
class Participation:
    baseline: str
    followups: tuple[str, ...]
    sites: tuple[str, ...]  # codes, the study's order: those with anyone in the flow
    declined: Mapping[str, int]  # site code -> declines at the baseline
    mothers: tuple[MotherFlow, ...]
    on: dt.date  # the day "due" was counted on

    def by_code(self) -> dict[str, MotherFlow]:
        return {m.pseudonym: m for m in self.mothers}


def _place(
    wave: Wave,
    baseline_on: dt.date,
    done_on: dt.date | None,
    *,
    withdrawn: bool,
    declined_recontact: bool,
    declined_here: bool,
    on: dt.date,
) -> str:
    if done_on is not None:  # her answers count whatever came after (a withdrawal keeping them)
        return DONE_IN if followup.in_window(wave, baseline_on, done_on) else DONE_OUT
    if withdrawn:
        return WITHDRAWN
    if declined_recontact:
        return DECLINED_RECONTACT
    if declined_here:
        return DECLINED
    opens = followup.add_months(baseline_on, followup.Window.of(wave).start_months)
    return NOT_YET_DUE if on < opens else NOT_SEEN


def load(session: DbSession, filters: ExportFilters, study: Study) -> Participation:
    waves = list(session.scalars(select(Wave).order_by(Wave.position)))
    baseline, later = waves[0], waves[1:]
    site_code = {s.id: s.code for s in session.scalars(select(Site))}
    wanted = {s.code for s in study.sites if filters.site in (None, s.code)}
    declines = session.execute(
        select(Decline.site_id, Decline.wave_id, Decline.participant_id).where(
            Decline.channel == Channel.KIOSK
        )
    ).all()
    declined_at_baseline = Counter(
        code
        for site_id, wave_id, _p in declines
        if wave_id == baseline.id and (code := site_code.get(site_id or 0)) in wanted
    )
    declined_later = {(p, wave_id) for _s, wave_id, p in declines if p is not None}
    rule = study.recontact
    # Her "no" to being asked again, read in the database: no answers are loaded.
    said_no = Response.answers[rule.variable].as_integer() == rule.declined if rule else false()
    responses: dict[int, dict[int, tuple[str, dt.date | None, bool]]] = {}
    for participant_id, wave_id, status, done_on, no in session.execute(
        select(
            Response.participant_id,
            Response.wave_id,
            Response.status,
            Response.completed_on,
            said_no,
        ).where(
            Response.channel == Channel.KIOSK,
            Response.voided_at.is_(None),
            Response.participant_id.is_not(None),
        )
    ):
        responses.setdefault(participant_id, {})[wave_id] = (status, done_on, bool(no))
    on = today()
    mothers = []
    people = select(
        Participant.id,
        Participant.pseudonym,
        Participant.site_id,
        Participant.withdrawn_at,
        Participant.recontact_restored_at,
    ).order_by(Participant.id)
    for person in session.execute(people):
        site = site_code[person.site_id]
        mine = responses.get(person.id, {})
        withdrawn = person.withdrawn_at is not None
        if site not in wanted or not (baseline.id in mine or (withdrawn and not mine)):
            continue
        status, done_on, no = mine.get(baseline.id, ("", None, False))
        baseline_on = done_on if status == ResponseStatus.COMPLETE else None
        places: dict[str, str] = {}
        if baseline_on is not None:
            for wave in later:
                later_status, later_on, _no = mine.get(wave.id, ("", None, False))
                places[wave.code] = _place(
                    wave,
                    baseline_on,
                    later_on if later_status == ResponseStatus.COMPLETE else None,
                    withdrawn=withdrawn,
                    declined_recontact=no and person.recontact_restored_at is None,
                    declined_here=(person.id, wave.id) in declined_later,
                    on=on,
                )
        mothers.append(MotherFlow(person.pseudonym, site, baseline_on, places))
    present = {m.site for m in mothers} | set(declined_at_baseline)
    return Participation(
        baseline=baseline.code,
        followups=tuple(w.code for w in later),
        sites=tuple(s.code for s in study.sites if s.code in present),
        declined=dict(declined_at_baseline),
        mothers=tuple(mothers),
        on=on,
    )
