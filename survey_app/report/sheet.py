"""The workbook's Report sheet: each table as a block (title, header, rows, notes), and each
chart as a native Excel chart (openpyxl.chart) over a small block of its data written
beneath the table, so that researchers can restyle it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.chart import BarChart, Reference

from ..export.dataset import ColumnMeta, Sheet
from ..export.sheet_names import REPORT, SUMMARY
from .model import Chart, Report

CHART_COLUMN = "L"  # charts sit to the right of the widest table


@dataclass(frozen=True)
class _Placed:
    chart: Chart
    anchor_row: int
    header_row: int  # the chart data block's header row (series names)


@dataclass
class ReportSheet:
    """Rows for the sheet; ``add_charts`` then places the charts over the rows written."""

    make: Callable[[], Report]  # built when the sheet is written, not before
    placed: list[_Placed] = field(default_factory=list)

    def rows(self) -> Iterator[list[Any]]:
        self.placed.clear()
        report = self.make()
        row = 1  # the writer's header row
        for message in report.messages:
            row += 1
            yield [message]
        for table in report.tables:
            start = row + 1
            block: list[list[Any]] = [[table.title], list(table.columns)]
            for r in table.rows:
                block.append([r.label, *r.cells] if r.kind != "heading" else [r.label])
            block += [[f"Note: {note}"] for note in table.notes]
            if table.chart:
                header_row = start + len(block) + 1
                block += [[], *_chart_block(table.chart)]
                self.placed.append(_Placed(table.chart, start, header_row))
            block.append([])
            for line in block:
                row += 1
                yield line

    def add_charts(self, worksheet: Any) -> None:
        for placed in self.placed:
            worksheet.add_chart(
                _excel_chart(placed, worksheet), f"{CHART_COLUMN}{placed.anchor_row}"
            )


def _chart_block(chart: Chart) -> list[list[Any]]:
    """Categories down, one column per series; a hidden value is the mark (not drawn)."""
    rows: list[list[Any]] = [[f"Chart data: {chart.axis_title}", *(s.name for s in chart.series)]]
    for i, category in enumerate(chart.categories):
        cells: list[Any] = [category]
        for series in chart.series:
            if series.hidden[i]:
                cells.append(series.mark(i, chart.threshold))
            else:
                value = series.values[i]
                cells.append(None if value is None else round(value, 2))
        rows.append(cells)
    return rows


def _excel_chart(placed: _Placed, worksheet: Any) -> BarChart:
    chart = placed.chart
    bar = BarChart()
    bar.title = chart.title
    if chart.kind == "stacked":
        bar.type, bar.grouping, bar.overlap = "bar", "stacked", 100
        bar.y_axis.scaling.orientation = "minMax"
        bar.x_axis.scaling.orientation = "maxMin"  # first category on top, as in the table
    elif chart.kind == "bars":
        bar.type, bar.grouping = "bar", "clustered"
        bar.x_axis.scaling.orientation = "maxMin"
    else:
        bar.type, bar.grouping = "col", "clustered"
    bar.y_axis.title = chart.axis_title
    bar.y_axis.scaling.min = 0
    bar.y_axis.scaling.max = chart.axis_max
    first, last = placed.header_row, placed.header_row + len(chart.categories)
    data = Reference(
        worksheet, min_col=2, max_col=1 + len(chart.series), min_row=first, max_row=last
    )
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(Reference(worksheet, min_col=1, min_row=first + 1, max_row=last))
    per_category = 0.3 * len(chart.series) if chart.kind == "bars" else 0.8
    bar.width, bar.height = 18, 4 + per_category * len(chart.categories)
    return bar


SUMMARY_HEADER = ["table", "title", "row", "column", "value"]


def summary_rows(report: Report) -> Iterator[list[Any]]:
    """The Summary sheet: a view of the report's tables, one row per shown cell (long, for
    filtering), as the Report sheet and the page show them: hidden cells are "[c]" there too,
    so the workbook is one release audited once."""
    for message in report.messages:
        yield ["", message, "", "", None]
    for table in report.tables:
        heading = ""
        for row in table.rows:
            if row.kind == "heading":
                heading = row.label
                continue
            label = f"{heading} {row.label}".strip() if heading else row.label
            for column, cell in zip(table.columns[1:], row.cells, strict=False):
                yield [table.key, table.title, label, column, cell]


def summary_sheet(make: Callable[[], Report]) -> Sheet:
    return Sheet(
        SUMMARY,
        [ColumnMeta(n, n) for n in SUMMARY_HEADER],
        lambda: summary_rows(make()),
        -1,
    )


def report_sheet(make: Callable[[], Report]) -> Sheet:
    built = ReportSheet(make)
    return Sheet(
        REPORT,
        [ColumnMeta(REPORT, "The report's tables, rebuilt from the data")],
        built.rows,
        -1,
        finish=built.add_charts,
    )
