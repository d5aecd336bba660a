"""Scoring of the Working Alliance Inventory, short revised form (WAI-SR).

Twelve items on a 1-5 scale (1 Seldom ... 5 Always), none reverse-scored, stored
in the answers mapping as ``<prefix>_01`` .. ``<prefix>_12``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

# Read-only so no caller can change the scoring key for everyone else.
WAI_SR_SUBSCALES: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {"task": (1, 2, 10, 12), "goal": (4, 6, 8, 11), "bond": (3, 5, 7, 9)}
)
_VALID_VALUES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class WaiScores:
    task: float | None
    goal: float | None
    bond: float | None
    total: float | None
    items_answered: int


def _item_value(raw: object) -> int | None:
    """The 1..5 answer, or None for absent, missing-data codes (-1, -2, -3) and junk."""
    if isinstance(raw, bool):  # bool is an int subclass; True must not score as 1
        return None
    if isinstance(raw, str):
        try:
            raw = float(raw)  # form posts arrive as strings, e.g. "4" or " 4 "
        except ValueError:
            return None
    if isinstance(raw, int | float) and raw in _VALID_VALUES:  # 3.5 and NaN fall out here
        return int(raw)
    return None


def _mean(values: Sequence[int | None]) -> float | None:
    # Prorating would bias scores when items are skipped, so any gap means no score.
    if not values or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None) / len(values)


def score_wai(
    answers: Mapping[str, object],
    prefix: str,
    subscales: Mapping[str, Sequence[int]] = WAI_SR_SUBSCALES,
    n_items: int = 12,
) -> WaiScores:
    """Score one WAI-SR administration; missing or invalid answers give None, never an error."""
    if set(subscales) != {"task", "goal", "bond"}:
        raise ValueError(f"subscales must be task, goal and bond, got {sorted(subscales)}")
    if any(not 1 <= item <= n_items for items in subscales.values() for item in items):
        raise ValueError(f"subscale items must be between 1 and {n_items}")

    values = {
        item: _item_value(answers.get(f"{prefix}_{item:02d}")) for item in range(1, n_items + 1)
    }
    means = {name: _mean([values[item] for item in items]) for name, items in subscales.items()}
    return WaiScores(
        task=means["task"],
        goal=means["goal"],
        bond=means["bond"],
        total=_mean(list(values.values())),
        items_answered=sum(v is not None for v in values.values()),
    )
