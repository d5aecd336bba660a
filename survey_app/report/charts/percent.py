"""The one percentage chart: a bar for each category and series on an axis of 0 to 100. The
builders work out each point from their counts; a hidden point is not drawn and is labelled
with the mark, as its cell is."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Chart, Series

# The percentage (None: not drawn), and whether publication mode hides it (labelled, not drawn).
Point = tuple[float | None, bool]


def percent_chart(
    title: str,
    kind: str,
    categories: Sequence[str],
    names: Sequence[str],
    points: Sequence[Sequence[Point]],
    threshold: int,
    axis_title: str,
) -> Chart:
    """``points[category][series]``; ``kind`` is one of Chart's ("stacked", "grouped", "bars")."""
    series = tuple(
        Series(
            name,
            tuple(points[c][s][0] for c in range(len(categories))),
            tuple(points[c][s][1] for c in range(len(categories))),
        )
        for s, name in enumerate(names)
    )
    return Chart(title, tuple(categories), series, kind, axis_title, 100, threshold)
