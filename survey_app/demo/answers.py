"""Answers drawn at random (from a seeded generator) from each instrument's own options, as
the pages would store them. A respondent leans one way (``mood``, 0 to 1: how positive), so
that her answers hang together and a T2 can differ from her T1."""

from __future__ import annotations

import random
from typing import Any

from ..instruments.model import Instrument, Item

MISSING_RATE = 0.04  # how often an offered "Don't know" or "Prefer not to say" is chosen


SKEW = 0.75  # each option a quarter less likely than the one before: a few common answers


def _skewed(codes: list[int], rng: random.Random, k: int = 1) -> list[int]:
    """``k`` distinct codes, the earlier options the likelier (as real answers bunch: most
    mothers come from a few local authorities, not evenly from all of them)."""
    left, picked = list(codes), []
    for _ in range(min(k, len(left))):
        [code] = rng.choices(left, weights=[SKEW**i for i in range(len(left))])
        picked.append(code)
        left.remove(code)
    return picked


def _leaning(codes: list[int], mood: float, rng: random.Random) -> int:
    """A code from an ordered list, drawn around ``mood``'s place in it."""
    place = min(max(rng.gauss(mood, 0.22), 0.0), 0.999)
    return codes[int(place * len(codes))]


def item_answer(item: Item, rng: random.Random, mood: float) -> Any:
    """One answer to ``item``, or None (left unanswered)."""
    codes = [o.code for o in item.options]
    if item.offer and rng.random() < MISSING_RATE:
        return rng.choice(item.offer)
    if item.type == "consent":
        return 1
    if item.type in ("likert", "rating"):
        ordered = codes or list(range(item.min or 0, (item.max or 0) + 1))
        return _leaning(ordered, mood, rng) if ordered else None
    if item.type in ("single", "yesno") and codes:
        return _skewed(codes, rng)[0]
    if item.type == "multiple" and codes:
        return sorted(_skewed(codes, rng, rng.randint(1, min(3, len(codes)))))
    if item.type == "integer":
        return rng.randint(item.min or 0, min(item.max or 3, 3))
    if item.type == "group" and item.items:
        entries = rng.randint(max(item.min_entries, 1), max(item.min_entries, 4))
        return [
            {sub.variable: item_answer(sub, rng, mood) for sub in item.items if sub.variable}
            for _ in range(entries)
        ]
    return None  # free text and dates: left out, or set by the caller


def answers(
    instrument: Instrument, rng: random.Random, mood: float, **fixed: Any
) -> dict[str, Any]:
    """A whole questionnaire's answers, skip logic followed; ``fixed`` answers kept as given."""
    out: dict[str, Any] = {}
    for item in instrument.questions():
        variable = item.variable
        assert variable is not None  # noqa: S101 - questions have variables
        if variable in fixed:
            out[variable] = fixed[variable]
        elif item.shown(out) and (value := item_answer(item, rng, mood)) is not None:
            out[variable] = value
    return out


def pages(instrument: Instrument, answered: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The answers page by page, as the pages post them: (section index, its values)."""
    return [
        (index, {i.variable: answered[i.variable] for i in section.items if i.variable in answered})
        for index, section in enumerate(instrument.sections)
    ]
