"""The report's table builders, in the report's order, and the report they make.

A builder takes the report's data and returns its tables; the case tracker's Tables 1 to 7
and Figures 1 to 14 (with the slides' percentages) are added as two more builders in
``TABLE_BUILDERS``, before the questionnaires'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..export.filters import ExportFilters
from ..models.types import DbSession
from ..study import Study
from . import data as report_data
from .case_figures import case_figures
from .case_tables import case_tables
from .data import ReportData
from .grid import secondary_note
from .link_tables import link_tables
from .model import SECONDARY, Report, ReportTable
from .mother_tables import mother_tables
from .paired import paired_tables
from .practitioner_tables import practitioner_tables

Builder = Callable[[ReportData], list[ReportTable]]

TABLE_BUILDERS: list[Builder] = [
    case_tables,
    case_figures,
    link_tables,
    practitioner_tables,
    mother_tables,
    paired_tables,
]

EMPTY = "No questionnaires or cases match these filters: there is nothing to report."


def tables_of(data: ReportData, builders: list[Builder] | None = None) -> list[ReportTable]:
    tables = [table for build in builders or TABLE_BUILDERS for table in build(data)]
    # A chart with nothing to draw (no answers at any wave) is left out; its table says n = 0.
    tables = [t if not t.chart or t.chart.drawable else replace(t, chart=None) for t in tables]
    return [_marked(t, data.threshold) for t in tables]


def _marked(table: ReportTable, threshold: int) -> ReportTable:
    """A table showing "[c]" (in a cell or on its chart) says what it means, in one place
    for every builder."""
    in_cells = any(cell == SECONDARY for row in table.rows for cell in row.cells)
    if not (in_cells or (table.chart and table.chart.has_secondary)):
        return table
    return replace(table, notes=(*table.notes, secondary_note(threshold)))


def build_report(
    session: DbSession,
    filters: ExportFilters,
    *,
    by_period: bool = False,
    study: Study | None = None,
) -> Report:
    data = report_data.load(session, filters, study)
    described = filters.describe()
    if data.empty:
        return Report((), described, (EMPTY,))
    tables = tables_of(data)
    if by_period:
        described["split"] = "by study period"
        for period in data.study.periods:
            part = data.within(period)
            if part.empty:
                continue
            for table in tables_of(part):
                tables.append(_in_period(table, period.label))
    return Report(tuple(tables), described)


def _in_period(table: ReportTable, label: str) -> ReportTable:
    slug = label.lower().replace(" ", "-")
    chart = replace(table.chart, title=f"{table.chart.title} ({label})") if table.chart else None
    return replace(table, key=f"{table.key}-{slug}", title=f"{table.title} ({label})", chart=chart)
