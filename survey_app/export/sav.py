"""SPSS .sav files (pyreadstat) for the mothers' linked and long sheets, staff, practitioners
and the case tracker's sheets, in one zip with the About sheet as about.txt: variable labels,
value labels, and the missing-data codes declared as user-missing so that SPSS leaves them out
of statistics. Each variable's SPSS format and measure level come from its column type
(column_types.RULES), never from the values present."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from typing import IO, Any

from .column_types import ColumnKind, ColumnMeta
from .dataset import Sheet
from .sheet_names import (
    ABOUT,
    CASE_AUTHORITIES,
    CASE_FORMS,
    CASES,
    CHILDREN,
    MOTHERS_LINKED,
    MOTHERS_LONG,
    PRACTITIONERS,
    PRISON_STAFF,
)
from .workbook import Export

SAV_SHEETS = (
    MOTHERS_LINKED,
    MOTHERS_LONG,
    PRISON_STAFF,
    PRACTITIONERS,
    CASES,
    CASE_FORMS,
    CHILDREN,
    CASE_AUTHORITIES,
)
MAX_DISPLAY_WIDTH = 60
ABOUT_FILE = "about.txt"
NUMBER_WIDTHS = {ColumnKind.DATE: 11, ColumnKind.DATETIME: 20}  # 31-JAN-2026 and a time


def sav_name(sheet_name: str) -> str:
    return sheet_name.lower().replace(" (", "_").replace(")", "").replace(" ", "_") + ".sav"


def _series(column: ColumnMeta, values: Sequence[Any]) -> Any:
    """One variable's values as pyreadstat writes them for its type: numbers as float64
    (None: system-missing), dates and time stamps as objects (pyreadstat's DATE and DATETIME;
    a column with none at all as numbers, its format still a date), text as str with "" for
    empty (never the string "nan")."""
    import pandas as pd  # pyreadstat's own dependency; imported only when a .sav is asked for

    if column.kind in (ColumnKind.DATE, ColumnKind.DATETIME) and any(v is not None for v in values):
        return pd.Series(list(values), dtype=object)
    if column.numeric:
        return pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
    return pd.Series(["" if v is None else str(v) for v in values], dtype=object)


def _frame(sheet: Sheet) -> Any:
    import pandas as pd

    rows = list(sheet.rows())
    return pd.DataFrame(
        {
            column.name: _series(column, [row[index] for row in rows])
            for index, column in enumerate(sheet.columns)
        }
    )


def _text_width(frame: Any, name: str) -> int:
    """Bytes of the longest value (SPSS string widths are bytes of UTF-8)."""
    return max([1, *(len(v.encode("utf-8")) for v in frame[name])])


def _display(frame: Any, sheet: Sheet) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """SPSS formats, measure levels and display widths, from each column's type."""
    formats: dict[str, str] = {}
    measures: dict[str, str] = {}
    widths: dict[str, int] = {}
    for meta in sheet.columns:
        rule = meta.rule
        if meta.numeric:
            formats[meta.name] = rule.spss
            width = max(len(meta.name), NUMBER_WIDTHS.get(meta.kind, 8))
        else:
            longest = _text_width(frame, meta.name)
            formats[meta.name] = rule.spss.format(width=longest)
            width = max(len(meta.name), longest)
        measures[meta.name] = rule.measure
        widths[meta.name] = min(MAX_DISPLAY_WIDTH, width)
    return formats, measures, widths


def _write_one(sheet: Sheet, path: str) -> None:
    import pyreadstat

    frame = _frame(sheet)
    labels: dict[str, str | None] = {m.name: m.label[:255] for m in sheet.columns}
    value_labels = {
        m.name: {float(k): v for k, v in m.value_labels.items()}
        for m in sheet.columns
        if m.numeric and m.value_labels
    }
    missing_ranges: dict[str, list[Any]] = {
        m.name: [float(code) for code in m.missing_codes][:3]
        for m in sheet.columns
        if m.numeric and m.missing_codes
    }
    formats, measures, widths = _display(frame, sheet)
    pyreadstat.write_sav(
        frame,
        path,
        column_labels=labels,
        variable_value_labels=value_labels,
        missing_ranges=missing_ranges,
        variable_format=formats,
        variable_measure=measures,
        variable_display_width=widths,
    )


def write_sav_zip(export: Export, out: IO[bytes]) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name in SAV_SHEETS:
            filename = sav_name(name)
            path = os.path.join(tmp, filename)
            _write_one(export.data_sheet(name), path)
            archive.write(path, filename)
        # The filters, versions, column types and any values not exported, as in the workbook.
        about = "".join(f"{item}: {value}\n" for item, value in export.data_sheet(ABOUT).rows())
        archive.writestr(ABOUT_FILE, about.encode("utf-8"))
