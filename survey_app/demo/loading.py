"""Loading the demo study into an empty database, in one transaction (the command commits)."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from ..auth.operations import create_user
from ..instruments.publish import latest_version
from ..kinds import CaseFormKind, SiteKind
from ..models import DemoStudy, Role, Site
from ..models.field import FieldInstance
from ..models.types import DbSession
from ..services import cases as case_ops
from ..services import participants as participant_ops
from ..study import Study
from ..user_errors import UserError
from .cases import Span, case_history, referral_day
from .links import staff_and_practitioners
from .marker import data_held, is_demo
from .mothers import Tally, mother

DEFAULT_SEED = 2027
CASES = 80
# The case tracker's forms are sent by a caseworker account of the demo's own, deactivated
# once the demo is loaded: nobody logs in as it.
CASEWORKER = "demo-caseworker@example.org"


class DemoRefused(UserError):
    """The demo cannot go into this database; the message says why."""

    status = 409


@dataclass(frozen=True)
class Loaded:
    cases: int
    mothers: Tally
    links: dict[str, int]

    def lines(self) -> list[str]:
        sent = ", ".join(f"{wave} {n}" for wave, n in self.mothers.sent.items())
        return [
            f"{self.cases} cases with their forms",
            f"mothers approached at the kiosk: {self.mothers.approached} "
            f"(declined {self.mothers.declined}; sent: {sent}; unfinished "
            f"{self.mothers.unfinished}; declined recontact {self.mothers.no_recontact}; "
            f"withdrawn {self.mothers.withdrawn})",
            "link answers: " + ", ".join(f"{k} {n}" for k, n in self.links.items()),
        ]


def check_empty(session: DbSession, study: Study) -> None:
    """Refuse a database that holds the demo or any entered data, or lacks the instruments."""
    if is_demo(session):
        raise DemoRefused("This database holds the demo study already: nothing was added.")
    if session.get(FieldInstance, 1) is not None:
        # Its answers would be sealed and carried back to the study's server as real ones.
        raise DemoRefused(
            "This database is a field laptop's: its answers go back to the study's server, so "
            "the demo study never goes into it. Nothing was added."
        )
    held = data_held(session)
    if held:
        listed = ", ".join(f"{name}: {n}" for name, n in held.items())
        raise DemoRefused(
            f"This database holds data ({listed}): the demo study goes only into an empty "
            "database, so that made-up answers never mix with real ones. Nothing was added."
        )
    keys = [entry.instrument for entry in study.schedule] + [
        kind.instrument_key for kind in CaseFormKind
    ]
    unpublished = [k for k in dict.fromkeys(keys) if latest_version(session, k) is None]
    if unpublished or not study.periods:
        raise DemoRefused(
            "The study's instruments are not published ("
            + ", ".join(unpublished or ["no study periods"])
            + "): run `flask --app survey_app instruments sync` first (make run does)."
        )


def load_demo(
    session: DbSession, study: Study, *, seed: int = DEFAULT_SEED, cases: int = CASES
) -> Loaded:
    """The demo study, drawn from ``seed`` (the same seed gives the same study, IDs aside:
    those are made as the register page makes them)."""
    check_empty(session, study)
    session.add(DemoStudy(seed=seed))
    rng = random.Random(seed)  # noqa: S311 - made-up data, repeatable by its seed
    sites = {s.code: s for s in session.scalars(select(Site))}
    prisons = [sites[s.code] for s in study.sites if s.kind == SiteKind.PRISON and s.code in sites]
    community = next((sites[s.code] for s in study.sites if s.kind == SiteKind.COMMUNITY), None)
    worker = create_user(session, CASEWORKER, secrets.token_urlsafe(24), Role.CASEWORKER)
    case_ops.grant_sites(session, worker, prisons)
    service = Span(study.service_start, study.study_start)
    within = Span(study.study_start, study.periods[-1].end - dt.timedelta(days=30))
    tally = Tally()
    for i in range(cases):
        # The second prison is the larger, as in the pilot (about 60% of the cases).
        site = prisons[0] if len(prisons) < 2 or i % 5 < 2 else prisons[1]
        [participant] = participant_ops.register(session, site)
        start = referral_day(rng, service, within)
        case_history(session, worker, participant, start, study.periods[-1].end, rng)
        mother(session, study, participant, start, rng, tally)
    links = staff_and_practitioners(session, study, prisons, community, rng)
    worker.active = False
    session.flush()
    return Loaded(cases, tally, links)
