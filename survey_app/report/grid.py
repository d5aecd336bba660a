"""Counts laid out as rows by columns, with totals, column percentages and publication
suppression that holds across both directions of a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..export.summary import percent
from .model import SECONDARY, Cell

Line = list[tuple[int, int]]


def hide(grid: Sequence[Sequence[int]], lines: Sequence[Line], threshold: int) -> list[list[bool]]:
    """Which cells to hide. Primary: 0 < n < threshold. Secondary: every line (a row or
    column together with its total) that hides exactly one cell hides one more, its smallest
    non-zero count, so that no hidden count can be worked out by subtraction; repeated until
    every line hides none or at least two. On one column and its total this is the Summary
    sheet's ``suppress`` (tests check that)."""
    hidden = [[bool(threshold) and 0 < n < threshold for n in row] for row in grid]
    if not threshold:
        return hidden
    changed = True
    while changed:
        changed = False
        for line in lines:
            shown = [hidden[r][c] for r, c in line]
            if sum(shown) != 1:
                continue
            candidates = [(grid[r][c], r, c) for r, c in line if not hidden[r][c] and grid[r][c]]
            if candidates:
                _n, r, c = min(candidates)
                hidden[r][c] = True
                changed = True
    return hidden


# Marks as the ONS and GSS guidance has them: "<5" says the count is under 5; "[c]"
# (confidential, model.SECONDARY) a count of any size hidden only so that one under 5 cannot
# be worked out by subtraction. Marking both "<5" said that a hidden 50 was under 5.


def secondary_note(threshold: int) -> str:
    return f"{SECONDARY}: hidden so that a count under {threshold} cannot be worked out from the totals"


def primary(n: int, threshold: int) -> bool:
    """Under the threshold: hidden for itself."""
    return bool(threshold) and 0 < n < threshold


def mark(n: int, threshold: int) -> str:
    """What a hidden count shows: "<5" when it is under the threshold, else "[c]"."""
    return f"<{threshold}" if primary(n, threshold) else SECONDARY


def shown(n: int, hidden: bool, threshold: int) -> Cell:
    return mark(n, threshold) if hidden else n


def n_shown(n: int, threshold: int) -> Cell:
    """A count stated in words (a note's "n = 3", a title's "3 answered both"): hidden
    under the threshold as its cell is, or the words would give it back."""
    return shown(n, primary(n, threshold), threshold)


@dataclass
class CrossTab:
    """Body counts ``cells[row][col]``, with a total column and a total row added."""

    cells: list[list[int]]
    threshold: int
    total_row: bool = True
    total_col: bool = True
    n_cols: int = 0  # the body's width, needed when it has no rows

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
        return lines

    def rendered(self) -> tuple[list[list[Cell]], list[list[int]], list[list[bool]]]:
        """The cells as shown, the full counts and what is hidden (for percentages)."""
        grid = self.full()
        hidden = hide(grid, self.lines(grid), self.threshold)
        shown_cells = [
            [shown(n, h, self.threshold) for n, h in zip(row, hid, strict=True)]
            for row, hid in zip(grid, hidden, strict=True)
        ]
        return shown_cells, grid, hidden


def pct(n: int, total: int, hidden: bool) -> int | None:
    return None if hidden else percent(n, total)


RowKey = tuple[str | None, str]  # (heading it sits under, or None; label)


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
) -> list[tuple[str, list[Cell], str]]:
    """(label, cells, kind) for each row of a count table: one row per row key (under its
    heading), a Total column, a Total row and, if asked, the % of all in each row."""
    index = {key: i for i, key in enumerate(rows)}
    col_index = {c: i for i, c in enumerate(columns)}
    cells = [[0] * len(columns) for _ in rows]
    for row, col in pairs:
        cells[index[row]][col_index[col]] += 1
    table = CrossTab(cells, threshold, n_cols=len(columns))
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
