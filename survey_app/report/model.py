"""What a report is made of: tables of rows and cells, each with an optional chart."""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = int | float | str | None
SECONDARY = "[c]"  # a count hidden only so that one under the threshold cannot be worked out


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
    hidden: tuple[bool, ...]  # hidden by publication mode: not drawn, labelled
    # Which hidden values are hidden only to protect another (labelled "[c]", not "<5");
    # empty: none.
    secondary: tuple[bool, ...] = ()

    def mark(self, i: int, threshold: int) -> str:
        """The label of hidden value ``i``."""
        return SECONDARY if self.secondary and self.secondary[i] else f"<{threshold}"


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
        return any(
            h and c for s in self.series for h, c in zip(s.hidden, s.secondary, strict=False)
        )

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

    @property
    def empty(self) -> bool:
        return not self.tables
