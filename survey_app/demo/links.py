"""The demo's anonymous links: one prison-staff link per prison, one for community
practitioners, answered now and then over the study periods (a few declines among them)."""

from __future__ import annotations

import datetime as dt
import random

from ..models import Link, Site
from ..models.types import DbSession
from ..services import declines
from ..services import links as link_ops
from ..services import responses as response_ops
from ..study import Study
from .answers import answers, pages
from .clock import on_day

STAFF_PER_PRISON = (5, 9)  # at the smaller prison, and at each larger one
PRACTITIONERS = 10
LINK_DECLINES = 2


def link_answer(session: DbSession, link: Link, day: dt.date, rng: random.Random) -> None:
    """One respondent's questionnaire on ``link``, page by page, sent on ``day``."""
    with on_day(day):
        response = response_ops.start_link(session, link)
        instrument = response_ops.instrument_of(response)
        filled = answers(instrument, rng, rng.uniform(0.4, 0.85))
        for index, values in pages(instrument, filled):
            response_ops.save_page(session, response, instrument.sections[index], values, "en")
        response_ops.complete(session, response)


def _day(study: Study, rng: random.Random) -> dt.date:
    first, last = study.periods[0].start, study.periods[-1].end
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def staff_and_practitioners(
    session: DbSession,
    study: Study,
    prisons: list[Site],
    community: Site | None,
    rng: random.Random,
) -> dict[str, int]:
    """The links and their answers; the count of answers per instrument."""
    made: dict[str, int] = {}
    links: list[Link] = []
    start = study.periods[0].start
    plan: list[tuple[str, Site | None, int]] = [
        ("prison_staff", site, STAFF_PER_PRISON[min(i, 1)]) for i, site in enumerate(prisons)
    ]
    plan.append(("practitioners", community, PRACTITIONERS))
    for key, site, count in plan:
        with on_day(start):
            link = link_ops.create(session, key, site)
        links.append(link)
        for _ in range(count):
            link_answer(session, link, _day(study, rng), rng)
        made[key] = made.get(key, 0) + count
    for i in range(LINK_DECLINES):
        with on_day(_day(study, rng)):
            declines.on_link(session, link=links[i % len(links)], draft=None)
    return made
