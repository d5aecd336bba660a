"""Counts by prison with an all-sites Total column, each count beside its percentage of a
base row (the column's n), as the case tracker's figures and the slides' percentages show
them; and their charts: side-by-side bars of those percentages, one colour per prison."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..charts.percent import Point, percent_chart
from ..grid import CrossTab, Line, hide, pct, shown
from ..model import Cell, Chart, Row

ALL_SITES = "All sites"


def heads(names: Sequence[str]) -> tuple[str, ...]:
    """The columns of such a table: an n and a % for each prison, then for the total."""
    return tuple(h for name in [*names, "Total"] for h in (f"{name} n", f"{name} %"))


@dataclass(frozen=True)
class Counts:
    """Counts ``grid[row][prison]``, the all-sites total last in each row; what publication
    mode hides, and each row's base row for its percentages (None: no percentage)."""

    grid: list[list[int]]
    hidden: list[list[bool]]
    bases: list[int | None]
    threshold: int

    @classmethod
    def of(
        cls,
        body: list[list[int]],
        lines: Sequence[Line],
        bases: list[int | None],
        threshold: int,
        name: str = "",
    ) -> Counts:
        """``body`` already holds its total column; ``lines`` are the sums publication mode
        must not let anyone undo (each with its total last)."""
        return cls(body, hide(body, lines, threshold, name=name), bases, threshold)

    @classmethod
    def crosstab(
        cls,
        body: list[list[int]],
        n_cols: int,
        threshold: int,
        name: str = "",
        labels: tuple[list[str], list[str]] | None = None,
    ) -> Counts:
        """Rows of exclusive answers: a Total column and a Total row (the base) are added.
        ``name`` and ``labels`` (totals included) tie the grid to the same table of the
        unfiltered release and of the periods."""
        table = CrossTab(body, threshold, n_cols=n_cols, name=name, labels=labels)
        _cells, grid, hidden = table.rendered()
        last = len(grid) - 1
        return cls(grid, hidden, [last] * len(grid), threshold)

    def percent(self, i: int, j: int) -> int | None:
        base = self.bases[i]
        if base is None:
            return None
        return pct(self.grid[i][j], self.grid[base][j], self.hidden[i][j] or self.hidden[base][j])

    def cells(self, i: int) -> tuple[Cell, ...]:
        out: list[Cell] = []
        for j, n in enumerate(self.grid[i]):
            out += [shown(n, self.hidden[i][j], self.threshold), self.percent(i, j)]
        return tuple(out)

    def rows(self, labels: Sequence[str], kinds: Sequence[str]) -> tuple[Row, ...]:
        return tuple(
            Row(label, self.cells(i), kind)
            for i, (label, kind) in enumerate(zip(labels, kinds, strict=True))
        )

    def value(self, i: int, j: int) -> float | None:
        """The exact percentage a chart draws; None when hidden or of no base."""
        base = self.bases[i]
        if (
            base is not None
            and not self.hidden[i][j]
            and self.grid[i][j] == 0
            and self.grid[base][j]
        ):
            return 0.0  # a shown 0 is 0% of its base, hidden or not
        if base is None or self.hidden[i][j] or self.hidden[base][j] or not self.grid[base][j]:
            return None
        return self.grid[i][j] * 100 / self.grid[base][j]

    def point(self, i: int, j: int) -> Point:
        """A percentage as its chart shows it: one hidden in the table (the count's or its
        base's) is labelled with the mark, not drawn; a shown 0 is drawn as 0 whatever its
        base."""
        hidden = self.hidden[i][j] or (self._base_hidden(i, j) and self.grid[i][j] != 0)
        return self.value(i, j), hidden

    def _base_hidden(self, i: int, j: int) -> bool:
        base = self.bases[i]
        return base is not None and self.hidden[base][j]


def prison_chart(
    title: str,
    counts: Counts,
    names: Sequence[str],
    rows: Sequence[int],
    labels: Sequence[str],
    *,
    axis_title: str = "%",
    all_sites_only: bool = False,
) -> Chart:
    """Bars of the rows' percentages: one series per prison with something to show, then
    all sites together (when more than one prison has)."""
    total = len(names)  # the all-sites column
    kept = [
        j
        for j in range(total)
        if any(v is not None or h for v, h in (counts.point(i, j) for i in rows))
    ]
    if all_sites_only or not kept:
        columns = [total]
    elif len(kept) > 1:
        columns = [*kept, total]
    else:
        columns = kept
    series = [ALL_SITES if j == total else names[j] for j in columns]
    points = [[counts.point(i, j) for j in columns] for i in rows]
    return percent_chart(title, "bars", labels, series, points, counts.threshold, axis_title)
