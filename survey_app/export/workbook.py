"""The sheets of an export in their fixed order, whatever the format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..coding.sheets import coding_sheets
from ..models import record_audit
from ..models.types import DbSession, utcnow
from ..report.model import Report
from ..report.sheet import report_sheet, summary_sheet
from ..report.tables import build_report
from ..services import declines
from .codebook import CODEBOOK_HEADER, codebook_rows
from .column_types import column_type_rows
from .dataset import ColumnMeta, Dataset, Sheet
from .filters import ExportFilters

SHEET_ORDER = (
    "About",
    "Codebook",
    "Mothers (linked)",
    "Mothers (long)",
    "Prison staff",
    "Community practitioners",
    "WAI scores",
    "Cases",
    "Case forms (long)",
    "Children",
    "Case local authorities",
    "Themes",
    "Codings",
    "Summary",
    "Report",
)


@dataclass(frozen=True)
class Export:
    dataset: Dataset
    sheets: list[Sheet]
    made_at: dt.datetime

    def data_sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)


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
        Sheet("About", _plain(["item", "value"]), about, -1, after_data=True),
        Sheet("Codebook", _plain(CODEBOOK_HEADER, keys=1), lambda: codebook_rows(data), -1),
        *data_sheets,
        *coding_sheets(session, filters),
        summary_sheet(report),
        report_sheet(report),
    ]
    assert tuple(s.name for s in sheets) == SHEET_ORDER  # noqa: S101 - researchers' scripts rely on it
    return Export(dataset=data, sheets=sheets, made_at=made_at)


def writing_order(sheets: Sequence[Sheet]) -> list[Sheet]:
    """The sheets in the order their rows are made: those that report on the data last."""
    return [s for s in sheets if not s.after_data] + [s for s in sheets if s.after_data]


def with_progress(export: Export, step: Callable[[int], None]) -> Export:
    """The same export, calling ``step(1)`` for every data row written (a progress bar)."""

    def counting(rows: Callable[[], Iterator[list[Any]]]) -> Callable[[], Iterator[list[Any]]]:
        def run() -> Iterator[list[Any]]:
            for row in rows():
                step(1)
                yield row

        return run

    return replace(export, sheets=[replace(s, rows=counting(s.rows)) for s in export.sheets])


def progress_total(export: Export) -> int:
    return sum(s.count for s in export.sheets if s.count > 0)


def record_export(
    session: DbSession,
    actor_id: int | None,
    fmt: str,
    filters: ExportFilters,
    extra: Mapping[str, str] | None = None,
) -> None:
    """``extra``: what else shaped the download (the report's split by study period)."""
    record_audit(
        session,
        kind="export",
        actor_id=actor_id,
        target=fmt,
        detail={"format": fmt, **filters.describe(), **(extra or {})},
    )
    session.flush()
