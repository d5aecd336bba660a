"""Realistic answers for every variable of an instrument: codes from each item's scale, now
and then a missing-data code where the item offers one, a skipped optional question, a
multiple choice with a few options, free text of varying length, and the skip logic's Not
applicable codes applied as the app applies them."""

from __future__ import annotations

import random
from typing import Any

from survey_app.instruments.model import Instrument, Item
from survey_app.services.responses import code_skips

WORDS = [
    "support",
    "visits",
    "children",
    "contact",
    "social",
    "worker",
    "prison",
    "mother",
    "family",
    "court",
    "letters",
    "meetings",
    "helpful",
    "listened",
    "explained",
    "plans",
    "release",
    "housing",
    "solicitor",
    "carer",
    "school",
    "phone",
    "calls",
    "video",
    "progress",
    "trust",
    "understood",
    "weekly",
    "advice",
    "referral",
    "safeguarding",
]


def _codes(item: Item) -> list[int]:
    codes = sorted(item.valid_codes() - set(item.offer)) if item.is_choice else []
    return codes or [1]


def _text(rng: random.Random, long: bool) -> str:
    count = rng.randint(8, 60) if long else rng.randint(1, 6)
    words = [rng.choice(WORDS) for _ in range(count)]
    text = " ".join(words).capitalize() + "."
    if rng.random() < 0.01:
        text = "=" + text  # the odd answer that looks like a formula
    return text


def answer(item: Item, rng: random.Random) -> Any:
    """One answer for ``item``, or None for a skipped question."""
    if item.type == "consent":
        return 1
    if item.offer and rng.random() < 0.04:
        return rng.choice(item.offer)
    if item.type in ("short_text", "long_text"):
        return _text(rng, item.type == "long_text") if rng.random() < 0.6 else None
    if not item.required and rng.random() < 0.03:
        return None
    if item.type == "rating":
        assert item.min is not None and item.max is not None
        return rng.randint(item.min, item.max)
    if item.type == "multiple":
        codes = [o.code for o in item.options]
        return sorted(rng.sample(codes, rng.randint(1, min(3, len(codes)))))
    return rng.choice(_codes(item))


def answers_for(instrument: Instrument, rng: random.Random) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for item in instrument.questions():
        assert item.variable is not None
        value = answer(item, rng)
        if value is not None:
            given[item.variable] = value
    return code_skips(instrument, given)
