"""The export's workbook: the About and Codebook sheets, the data sheets, then the report's
Summary and Report sheets, in their fixed order whatever the format. It joins the two packages
here so that ``export/`` never imports ``report/``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..export.codebook import CODEBOOK_HEADER, codebook_rows
from ..export.column_types import column_type_rows
from ..export.dataset import ColumnMeta, Dataset, Sheet
from ..export.filters import ExportFilters
from ..export.sheet_names import ABOUT, CODEBOOK, SHEET_ORDER
from ..export.workbook import Export
from ..models.types import DbSession, utcnow
from ..report.model import Report
from ..report.sheet import report_sheet, summary_sheet
from ..report.tables import build_report
from ..services import declines


def _plain(names: list[str], keys: int = 0) -> list[ColumnMeta]:
    return [ColumnMeta(n, n, key=i < keys) for i, n in enumerate(names)]


def build_export(session: DbSession, filters: ExportFilters, made_by: str) -> Export:
    data = Dataset(session, filters)
    made_at = utcnow()
    data_sheets = data.data_sheets()

    def about() -> Iterator[list[Any]]:
        yield from data.about_rows(made_by, data_sheets, made_at)
        yield from column_type_rows()
        yield from data.bad_values.about_rows()  # filled as the data sheets were written
        yield from declines.about_rows(session)

    built: list[Report] = []

    def report() -> Report:
        # Built once, when the first of the Summary and Report sheets is written: both show
        # the same release.
        if not built:
            built.append(build_report(session, filters))
        return built[0]

    sheets = [
        Sheet(ABOUT, _plain(["item", "value"]), about, -1, after_data=True),
        Sheet(CODEBOOK, _plain(CODEBOOK_HEADER, keys=1), lambda: codebook_rows(data), -1),
        *data_sheets,
        summary_sheet(report),
        report_sheet(report),
    ]
    assert tuple(s.name for s in sheets) == SHEET_ORDER  # noqa: S101 - researchers' scripts rely on it
    return Export(dataset=data, sheets=sheets, made_at=made_at)
