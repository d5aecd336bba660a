"""A realistic study for attacking publication releases: about 80 cases and 60 questionnaires
across the two prisons (40 mothers at T1, 20 of them again at T2, 11 prison staff and 9
community practitioners), with answers drawn at random (seeded) from each instrument's own
options, so that many cells are small."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from flask import Flask

from survey_app.instruments.loader import load_all
from survey_app.instruments.model import Instrument, Item, build
from tests import factories
from tests.case_data import add_case

SITES = ("send", "eastwood_park")
YEAR_1 = (dt.date(2021, 4, 1), dt.date(2022, 6, 30))
YEAR_2 = (dt.date(2022, 7, 1), dt.date(2023, 5, 31))


def instrument(key: str) -> Instrument:
    found = [d for d in load_all() if d["key"] == key]
    return build(max(found, key=lambda d: d["version"]))


def _answer(item: Item, rng: random.Random) -> Any:
    options = [o.code for o in item.options]
    if item.type == "consent":
        return 1
    if item.type in ("single", "likert", "yesno") and options:
        return rng.choice(options)
    if item.type == "multiple" and options:
        return sorted(rng.sample(options, rng.randint(1, min(3, len(options)))))
    if item.type == "rating" and item.min is not None and item.max is not None:
        return rng.randint(item.min, item.max)
    return None


def answers(instrument: Instrument, rng: random.Random, **fixed: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in instrument.questions():
        if item.variable in fixed:
            out[item.variable] = fixed[item.variable]
            continue
        if not item.shown(out) or item.items:
            continue
        value = _answer(item, rng)
        if value is not None and item.variable:
            out[item.variable] = value
    return out


def _day(rng: random.Random, span: tuple[dt.date, dt.date]) -> dt.date:
    return span[0] + dt.timedelta(days=rng.randint(0, (span[1] - span[0]).days))


def realistic(app: Flask, seed: int = 23, cases: int = 80) -> None:
    rng = random.Random(seed)
    referral, closure = instrument("case_referral"), instrument("case_closure")
    for i in range(cases):
        site = SITES[0] if i % 5 < 2 else SITES[1]  # Send smaller than Eastwood Park
        start = _day(rng, (YEAR_1[0], YEAR_2[1]))
        forms: list[tuple[str, str, dict[str, Any]]] = [
            ("referral", start.isoformat(), answers(referral, rng))
        ]
        if rng.random() < 0.5:
            end = min(start + dt.timedelta(days=rng.randint(30, 300)), dt.date(2023, 6, 20))
            forms.append(("closure", end.isoformat(), answers(closure, rng)))
        add_case(app, site, forms)
    t1, t2 = instrument("mothers_t1"), instrument("mothers_t2")
    for i in range(40):
        site = SITES[0] if i % 5 < 2 else SITES[1]
        [pseudonym] = factories.participants(app, 1, site)
        first = _day(rng, YEAR_1 if i % 2 else YEAR_2)
        factories.complete_response(app, pseudonym, "T1", answers(t1, rng), first, site=site)
        if i % 2 == 0 or i < 6:
            later = first + dt.timedelta(days=rng.randint(150, 240))
            factories.complete_response(app, pseudonym, "T2", answers(t2, rng), later, site=site)
    staff, practitioners = instrument("prison_staff"), instrument("practitioners")
    for i in range(11):
        site = SITES[i % 2]
        factories.link_response(
            app,
            "prison_staff",
            answers(staff, rng),
            site=site,
            completed_on=_day(rng, YEAR_1 if i % 3 else YEAR_2),
        )
    for i in range(9):
        factories.link_response(
            app,
            "practitioners",
            answers(practitioners, rng),
            site="community",
            completed_on=_day(rng, YEAR_1 if i % 3 else YEAR_2),
        )
