"""The report's table builders, in the report's order, and the report they make.

A builder takes the report's data and returns its tables: Table 1 (the data collected), the
case tracker's Tables 2 to 7 and Figures 1 to 14 (with the slides' percentages), then the
questionnaires'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..disclosure import kept
from ..disclosure.release import Release, active, current
from ..export.filters import ExportFilters
from ..models.types import DbSession
from ..study import Study
from . import data as report_data
from .attrition import attrition_tables
from .cases.figures import case_figures, pooled_titles
from .cases.quoted import quoted_tables
from .cases.tables import case_form_tables, case_tables
from .collected import collected_tables
from .data import ReportData
from .flow import flow_table
from .grid import secondary_note
from .model import SECONDARY, Report, ReportTable
from .publication import check_filters
from .questionnaires.link_tables import link_tables
from .questionnaires.mother_tables import mother_tables
from .questionnaires.paired import paired_tables
from .questionnaires.practitioner_tables import practitioner_tables

Builder = Callable[[ReportData], list[ReportTable]]

TABLE_BUILDERS: list[Builder] = [
    collected_tables,
    case_tables,
    case_figures,
    quoted_tables,
    link_tables,
    practitioner_tables,
    flow_table,
    mother_tables,
    paired_tables,
    attrition_tables,
    case_form_tables,
]

EMPTY = "No questionnaires or cases match these filters: there is nothing to report."


def tables_of(data: ReportData, builders: list[Builder] | None = None) -> list[ReportTable]:
    release = current()
    tables = []
    for build in builders or TABLE_BUILDERS:
        if release is not None:
            release.builder = build.__name__
        tables += build(data)
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


UNFILTERED = "as published unfiltered"


def build_report(
    session: DbSession,
    filters: ExportFilters,
    *,
    by_period: bool = False,
    study: Study | None = None,
) -> Report:
    """The report's tables; in publication mode protected as one release (every period of
    the split, and the unfiltered report taken as already published, together)."""
    data = report_data.load(session, filters, study)
    check_filters(filters, data.study, pooled_titles() if data.cases else [])
    described = filters.describe()
    if data.empty:
        return Report((), described, (EMPTY,))
    if by_period:
        described["split"] = "by study period"
    if not data.threshold:
        return Report(tuple(_release_tables(data, by_period)), described)
    unfiltered = replace(filters, site=None, date_from=None, date_to=None, versions=frozenset())
    whole = None if unfiltered == filters else report_data.load(session, unfiltered, study)
    key = kept.fingerprint(filters, by_period, data, whole)
    release = kept.recall(key)
    if release is None:
        release = Release(data.threshold)
        with active(release):
            if whole is not None:
                release.parents[""] = UNFILTERED
                release.frozen_scopes.add(UNFILTERED)
                with release.in_scope(UNFILTERED):
                    tables_of(whole)
            _release_tables(data, by_period)
        release.solve()
        kept.keep(key, release)
    with active(release):  # the second pass: each grid hides what the release decided
        tables = _release_tables(data, by_period)
    return Report(tuple(tables), described, release=release)


def _release_tables(data: ReportData, by_period: bool) -> list[ReportTable]:
    tables = tables_of(data)
    if by_period:
        release = current()
        for period in data.study.periods:
            part = data.within(period)
            if part.empty:
                continue
            if release is not None:
                release.parents[period.label] = ""
                with release.in_scope(period.label):
                    period_tables = tables_of(part)
            else:
                period_tables = tables_of(part)
            tables += [_in_period(table, period.label) for table in period_tables]
    return tables


def _in_period(table: ReportTable, label: str) -> ReportTable:
    slug = label.lower().replace(" ", "-")
    chart = replace(table.chart, title=f"{table.chart.title} ({label})") if table.chart else None
    return replace(table, key=f"{table.key}-{slug}", title=f"{table.title} ({label})", chart=chart)
