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


def _frame(sheet: Sheet) -> Any:
    import pandas as pd  # pyreadstat's own dependency; imported only when a .sav is asked for

    frame = pd.DataFrame(list(sheet.rows()), columns=sheet.header)
    for meta in sheet.columns:
        column = frame[meta.name]
        if meta.numeric:
            frame[meta.name] = pd.to_numeric(column, errors="coerce")
        elif column.map(lambda v: isinstance(v, dt.date)).any():
            frame[meta.name] = pd.to_datetime(column)
        else:
            frame[meta.name] = column.map(lambda v: "" if v is None else str(v))
    return frame


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
            pyreadstat.write_sav(
                frame,
                path,
                column_labels=labels,
                variable_value_labels=value_labels,
                missing_ranges=missing_ranges,
            )
            archive.write(path, filename)
