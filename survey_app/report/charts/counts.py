"""Percentage charts read from a count table's own cells, as the table shows them, made by
the one ``percent_chart``.

A chart drawn from the shown cells cannot show what the table hides: a hidden count is a
hidden bar, labelled "[c]" as its cell is, and a percentage whose denominator is hidden is not
drawn, since it and the counts beside it would give the hidden total back. A shown 0 is a 0."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import SECONDARY, Cell, Chart, ReportTable, Row
from .percent import Point, percent_chart

ALL = "All"


def hidden_cell(cell: Cell) -> bool:
    return cell == SECONDARY


def count_of(cell: Cell) -> int | None:
    """A shown count; None when hidden, blank or not a count ("not asked")."""
    return cell if isinstance(cell, int) and not isinstance(cell, bool) else None


def percent_point(cell: Cell, total: Cell) -> Point:
    if hidden_cell(cell):
        return None, True
    n, whole = count_of(cell), count_of(total)
    if n == 0 and hidden_cell(total):
        return 0.0, False  # a shown 0 is 0% of a hidden base too
    if n is None or not whole:
        return None, False
    return n * 100 / whole, False


def cell_points(pairs: Sequence[Sequence[tuple[Cell, Cell]]]) -> list[list[Point]]:
    """``pairs[category][series]`` of (count cell, denominator cell) as the chart's points."""
    return [[percent_point(cell, total) for cell, total in row] for row in pairs]


def _labelled_rows(rows: Sequence[Row]) -> list[tuple[str, Row]]:
    """Data and total rows, each named with the heading it sits under ("HMP Send: OMU
    staff"); the total row is "All"."""
    out: list[tuple[str, Row]] = []
    heading = ""
    for row in rows:
        if row.kind == "heading":
            heading = row.label
        elif row.kind == "total":
            out.append((ALL, row))
        else:
            out.append((f"{heading} {row.label}".strip(), row))
    return out


def rows_chart(table: ReportTable, threshold: int, axis_title: str, n_columns: int) -> Chart:
    """Each row a bar: its first ``n_columns`` counts as % of its total (the next cell).
    Rows with no one in them are left out."""
    categories, pairs = [], []
    for label, row in _labelled_rows(table.rows):
        total = row.cells[n_columns]
        if count_of(total) == 0:
            continue
        categories.append(label)
        pairs.append([(row.cells[c], total) for c in range(n_columns)])
    names = table.columns[1 : 1 + n_columns]
    points = cell_points(pairs)
    return percent_chart(table.title, "stacked", categories, names, points, threshold, axis_title)


def columns_chart(table: ReportTable, threshold: int, axis_title: str, n_columns: int) -> Chart:
    """Each of the first ``n_columns`` columns (then the Total column, as "All") a bar: its
    data rows as % of the total row."""
    data = [r for r in table.rows if r.kind == "data"]
    total = next(r for r in table.rows if r.kind == "total")
    categories, pairs = [], []
    for c in range(n_columns + 1):
        if count_of(total.cells[c]) == 0:
            continue
        categories.append(ALL if c == n_columns else table.columns[1 + c])
        pairs.append([(row.cells[c], total.cells[c]) for row in data])
    names = [row.label for row in data]
    points = cell_points(pairs)
    return percent_chart(table.title, "stacked", categories, names, points, threshold, axis_title)
