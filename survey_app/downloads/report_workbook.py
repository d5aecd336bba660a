"""The report on its own, as a workbook of two sheets: About (the filters) and Report."""

from __future__ import annotations

from typing import IO

from ..disclosure.release import refuse_if_failing
from ..export.dataset import ColumnMeta, Dataset, Sheet
from ..export.filters import ExportFilters
from ..export.sheet_names import ABOUT
from ..export.workbook import Export
from ..export.xlsx import write_xlsx
from ..models.types import DbSession, utcnow
from ..report.sheet import report_sheet
from ..report.tables import build_report

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_report_xlsx(
    session: DbSession, filters: ExportFilters, made_by: str, out: IO[bytes], *, by_period: bool
) -> str:
    """The report on its own: a workbook of About and Report; returns its file name. In
    publication mode the release's audit runs first and a failing release is refused
    (ReleaseRefused, naming the table)."""
    data = Dataset(session, filters)
    made_at = utcnow()
    report = build_report(session, filters, by_period=by_period)
    refuse_if_failing(report.release)
    sheet = report_sheet(lambda: report)
    about = data.about_rows(made_by, [], made_at)
    if by_period:
        about.append(["Split", "also by study period"])
    about_sheet = Sheet(
        ABOUT,
        [ColumnMeta("item", "item"), ColumnMeta("value", "value")],
        lambda: iter(about),
        len(about),
    )
    write_xlsx(Export(dataset=data, sheets=[about_sheet, sheet], made_at=made_at), out)
    return f"survey-report-{made_at:%Y%m%d-%H%M}.xlsx"
