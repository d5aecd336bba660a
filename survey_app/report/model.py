"""What a report is made of: tables of rows and cells, each with an optional chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..disclosure.release import Release

from ..disclosure.marks import MARK

Cell = int | float | str | None
SECONDARY = MARK  # the one mark of every hidden count (kept under its old name for builders)


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...] = ()
    kind: str = "data"  # "data", "heading" (a label spanning the row) or "total"


@dataclass(frozen=True)
class Series:
    """One colour of a chart: a value per category; None is not drawn (hidden or not asked)."""

    name: str
    values: tuple[float | None, ...]
    hidden: tuple[bool, ...]  # hidden by publication mode: not drawn, labelled [c]
    secondary: tuple[bool, ...] = ()  # unused: one mark for every hidden value

    def mark(self, i: int, threshold: int = 0) -> str:
        """The label of hidden value ``i``: the one mark, whatever its count."""
        return MARK


@dataclass(frozen=True)
class Chart:
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    # "stacked": horizontal bars of percentages adding up to 100; "grouped": bars side by side;
    # "bars": horizontal bars side by side, one per series in each category.
    kind: str
    axis_title: str
    axis_max: float
    threshold: int = 0

    @property
    def has_secondary(self) -> bool:
        return any(h for s in self.series for h in s.hidden)

    @property
    def drawable(self) -> bool:
        """Something to draw or to label: else the chart is left out."""
        return any(v is not None for s in self.series for v in s.values) or any(
            h for s in self.series for h in s.hidden
        )


@dataclass(frozen=True)
class ReportTable:
    key: str  # "8", "14a", "wai-1": unique in a report, used in anchors and file names
    title: str
    columns: tuple[str, ...]  # the first heads the row labels
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    chart: Chart | None = None


@dataclass(frozen=True)
class Report:
    tables: tuple[ReportTable, ...]
    filters: dict[str, str]
    messages: tuple[str, ...] = field(default_factory=tuple)
    # Publication mode: the release as protected (its audit), else None.
    release: Release | None = field(default=None, compare=False)

    @property
    def empty(self) -> bool:
        return not self.tables
