"""SPSS .sav files (pyreadstat) for the mothers' linked and long sheets, staff,
practitioners and the case tracker's three sheets, in one zip: variable labels, value labels, and the missing-data codes declared
as user-missing so that SPSS leaves them out of statistics."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from typing import IO, Any

from .dataset import Sheet
from .workbook import Export

SAV_SHEETS = (
    "Mothers (linked)",
    "Mothers (long)",
    "Prison staff",
    "Community practitioners",
    "Cases",
    "Case forms (long)",
    "Children",
)
MAX_DISPLAY_WIDTH = 60


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date)


def _day(value: Any) -> Any:
    # A date, not a datetime: pyreadstat writes dates as SPSS DATE (no 00:00:00).
    return value.date() if isinstance(value, dt.datetime) else value


def _frame(sheet: Sheet) -> Any:
    import pandas as pd  # pyreadstat's own dependency; imported only when a .sav is asked for

    frame = pd.DataFrame(list(sheet.rows()), columns=sheet.header)
    for meta in sheet.columns:
        column = frame[meta.name]
        if meta.numeric:
            frame[meta.name] = pd.to_numeric(column, errors="coerce")
        elif column.map(_is_date).any():
            frame[meta.name] = column.map(_day).astype(object)
        else:
            frame[meta.name] = column.map(lambda v: "" if v is None else str(v))
    return frame


def _display(frame: Any, sheet: Sheet) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """SPSS formats, measure levels and display widths: whole-number codes as F8.0, scores
    with two decimals, dates as DATE, strings as wide as their longest value."""
    formats: dict[str, str] = {}
    measures: dict[str, str] = {}
    widths: dict[str, int] = {}
    for meta in sheet.columns:
        column = frame[meta.name]
        present = column.dropna()
        width = len(meta.name)
        if meta.numeric:
            whole = bool((present == present.round()).all())
            formats[meta.name] = "F8.0" if whole else "F8.2"
            measures[meta.name] = meta.measure
            width = max(width, 8)
        elif present.map(_is_date).any():
            formats[meta.name] = "DATE11"
            measures[meta.name] = "scale"
            width = max(width, 11)
        else:
            longest = int(present.map(len).max()) if len(present) else 1
            formats[meta.name] = f"A{max(1, longest)}"
            measures[meta.name] = "nominal"
            width = max(width, longest)
        widths[meta.name] = min(MAX_DISPLAY_WIDTH, width)
    return formats, measures, widths


def write_sav_zip(export: Export, out: IO[bytes]) -> None:
    import pyreadstat

    with (
        tempfile.TemporaryDirectory() as tmp,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name in SAV_SHEETS:
            sheet = export.data_sheet(name)
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
            filename = name.lower().replace(" (", "_").replace(")", "").replace(" ", "_") + ".sav"
            path = os.path.join(tmp, filename)
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
            archive.write(path, filename)
