"""Counts laid out as rows by columns, with totals, column percentages and publication
suppression that holds across both directions of a table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..disclosure import marks
from ..disclosure.marks import percent
from ..disclosure.release import Line, hide
from .model import Cell

__all__ = ["Line", "hide", "percent"]


def secondary_note(threshold: int) -> str:
    return marks.note(threshold)


def primary(n: int, threshold: int) -> bool:
    """Under the threshold: hidden for itself."""
    return marks.primary(n, threshold)


def shown(n: int, hidden: bool, threshold: int = 0) -> Cell:
    """A count as a release shows it: the one mark when hidden, whatever its size."""
    return marks.shown(n, hidden)


def n_shown(n: int, threshold: int) -> Cell:
    """A count stated in words (a note's "n = 3", a title's "3 answered both"): hidden
    under the threshold as its cell is, or the words would give it back."""
    return marks.n_shown(n, threshold)


def counts_with_total(
    ns: Sequence[int], threshold: int, *, name: str, links: Mapping[int, str] | None = None
) -> list[Cell]:
    """Counts stated with their total last (a table's n per column, in its heads): hidden as
    one line of the release, so that the total and the other counts do not give one back.
    ``links`` ties a count to the same count in other tables (see disclosure.release)."""
    line = [[(0, j) for j in range(len(ns))]]
    tied = {(0, j): link for j, link in (links or {}).items()}
    [hidden] = hide([list(ns)], line, threshold, name=name, links=tied)
    return [shown(n, h) for n, h in zip(ns, hidden, strict=True)]


@dataclass
class CrossTab:
    """Body counts ``cells[row][col]``, with a total column and a total row added."""

    cells: list[list[int]]
    threshold: int
    total_row: bool = True
    total_col: bool = True
    n_cols: int = 0  # the body's width, needed when it has no rows
    # For the release: the table's name and the rows' and columns' labels (totals included),
    # which tie its cells to the same table in a period or the unfiltered release.
    name: str = ""
    labels: tuple[list[str], list[str]] | None = None
    links: dict[tuple[int, int], str] | None = None
    # More sums a reader knows from the table's meaning (cells of the full grid, total last).
    extra_lines: Sequence[Line] = ()

    def full(self) -> list[list[int]]:
        rows = [list(r) + ([sum(r)] if self.total_col else []) for r in self.cells]
        if self.total_row:
            width = len(rows[0]) if rows else self.n_cols + self.total_col
            rows.append([sum(r[c] for r in rows) for c in range(width)])
        return rows

    def lines(self, grid: Sequence[Sequence[int]]) -> list[Line]:
        n_rows, n_cols = len(grid), len(grid[0]) if grid else 0
        lines: list[Line] = []
        if self.total_col:
            lines += [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
        if self.total_row:
            lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
        return [*lines, *self.extra_lines]

    def rendered(self) -> tuple[list[list[Cell]], list[list[int]], list[list[bool]]]:
        """The cells as shown, the full counts and what is hidden (for percentages)."""
        grid = self.full()
        hidden = hide(
            grid,
            self.lines(grid),
            self.threshold,
            name=self.name,
            links=self.links,
            labels=self.labels,
        )
        shown_cells = [
            [shown(n, h, self.threshold) for n, h in zip(row, hid, strict=True)]
            for row, hid in zip(grid, hidden, strict=True)
        ]
        return shown_cells, grid, hidden


def pct(n: int, total: int, hidden: bool) -> int | None:
    return None if hidden else percent(n, total)


RowKey = tuple[str | None, str]  # (heading it sits under, or None; label)
# The link of a cell by its row key and column (None: the total), or None.
Link = Callable[[RowKey | None, str | None], str | None]


def ordered(wanted: Sequence[str], seen: Sequence[str], *, keep_all: bool) -> list[str]:
    """``wanted`` in its order (all of it, or only what was seen), then anything else seen."""
    found = set(seen)
    head = [w for w in dict.fromkeys(wanted) if keep_all or w in found]
    return head + [s for s in dict.fromkeys(seen) if s not in head]


def crosstab_rows(
    rows: Sequence[RowKey],
    columns: Sequence[str],
    pairs: Sequence[tuple[RowKey, str]],
    threshold: int,
    *,
    total_label: str = "Total",
    percent_column: bool = False,
    name: str = "",
    link: Link | None = None,
) -> list[tuple[str, list[Cell], str]]:
    """(label, cells, kind) for each row of a count table: one row per row key (under its
    heading), a Total column, a Total row and, if asked, the % of all in each row. ``name``
    and ``link`` tie its cells to other tables of the release (see disclosure.release)."""
    index = {key: i for i, key in enumerate(rows)}
    col_index = {c: i for i, c in enumerate(columns)}
    cells = [[0] * len(columns) for _ in rows]
    for row, col in pairs:
        cells[index[row]][col_index[col]] += 1
    row_keys: list[RowKey | None] = [*rows, None]
    col_keys: list[str | None] = [*columns, None]
    links = {
        (r, c): found
        for r, rk in enumerate(row_keys)
        for c, ck in enumerate(col_keys)
        if link and (found := link(rk, ck))
    }
    labels = (
        [f"{h or ''}{label}" for h, label in rows] + [total_label],
        [*columns, "Total"],
    )
    table = CrossTab(cells, threshold, n_cols=len(columns), name=name, labels=labels, links=links)
    shown_cells, grid, hidden = table.rendered()
    grand = grid[-1][-1]
    out: list[tuple[str, list[Cell], str]] = []
    heading: str | None = None
    for i, (head, label) in enumerate(rows):
        if head != heading and head is not None:
            out.append((head, [], "heading"))
        heading = head
        extra: list[Cell] = [pct(grid[i][-1], grand, hidden[i][-1])] if percent_column else []
        out.append((label, shown_cells[i] + extra, "data"))
    extra = [pct(grand, grand, hidden[-1][-1])] if percent_column else []
    out.append((total_label, shown_cells[-1] + extra, "total"))
    return out
