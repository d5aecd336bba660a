"""An export as every format writes it: its sheets, in the order their rows are made, with a
progress count; and the audit of a download. The workbook of every sheet is assembled above
this package, in ``downloads/``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..models import record_audit
from ..models.types import DbSession
from .dataset import Dataset, Sheet
from .filters import ExportFilters


@dataclass(frozen=True)
class Export:
    dataset: Dataset
    sheets: list[Sheet]
    made_at: dt.datetime

    def data_sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)


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
