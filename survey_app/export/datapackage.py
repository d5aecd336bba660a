"""A Frictionless Data Package: one UTF-8 CSV per sheet and ``datapackage.json`` describing each
with a Table Schema (https://specs.frictionlessdata.io/): each column's type from its column
type, the codes a coded column may hold as an ``enum`` constraint, the missing-data codes as
``missingValues``, and each column's description from the codebook (its label, and what its
codes mean). Tools that read packages (frictionless, R's frictionless, the Open Data Editor)
then read every column as its type, with no guessing.

The Summary and Report sheets are tables laid out for reading, not data: they stay in the
workbook. Text cells are formula-safe as in the CSV zip, except a text that is exactly a
missing-data code (a skipped text question holds -3), which the package reads as missing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Mapping
from typing import IO, Any

from ..instruments import missing
from .column_types import ColumnKind, ColumnMeta
from .csvzip import csv_name
from .dataset import Sheet
from .safe import csv_cell
from .sheet_names import CASES, MOTHERS_LINKED
from .workbook import Export, writing_order

DESCRIPTOR = "datapackage.json"
LEFT_OUT = ("Summary", "Report")
# A blank cell and the missing-data codes (-1 don't know, -2 prefer not to say, -3 not
# applicable) are missing values: a package reader gives None for them.
MISSING_VALUES = ["", *(str(code) for code in sorted(missing.ALL_CODES, reverse=True))]
TYPES: Mapping[ColumnKind, str] = {
    ColumnKind.CODE: "integer",
    ColumnKind.ORDERED_CODE: "integer",
    ColumnKind.SCORE: "number",
    ColumnKind.COUNT: "integer",
    ColumnKind.DATE: "date",
    ColumnKind.DATETIME: "datetime",
    ColumnKind.TEXT: "string",
}


def resource_name(sheet_name: str) -> str:
    return csv_name(sheet_name).removesuffix(".csv")


def field(column: ColumnMeta) -> dict[str, Any]:
    """A column's Table Schema field."""
    described = column.label
    labels = [f"{code} = {text}" for code, text in column.value_labels.items()]
    if labels:
        described += " (" + "; ".join(labels) + ")"
    out: dict[str, Any] = {
        "name": column.name,
        "type": TYPES[column.kind],
        "description": described,
    }
    if column.kind is ColumnKind.DATETIME:
        out["description"] += " (UTC)"
    if column.codes is not None:
        codes = sorted(c for c in column.codes if c not in missing.ALL_CODES)
        if codes:
            out["constraints"] = {"enum": codes}
    return out


def schema(sheet: Sheet) -> dict[str, Any]:
    out: dict[str, Any] = {
        "fields": [field(c) for c in sheet.columns],
        "missingValues": MISSING_VALUES,
    }
    keys = [c.name for c in sheet.columns if c.key]
    if keys and sheet.name in (MOTHERS_LINKED, CASES):
        out["primaryKey"] = keys[:1]  # one row per participant, per case
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") + "Z"  # stored in UTC
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value in MISSING_VALUES:
        return value  # a code, read as missing; no spreadsheet takes "-3" for a formula
    return csv_cell(value)


def _write_sheet(archive: zipfile.ZipFile, sheet: Sheet) -> None:
    width = len(sheet.columns)
    with archive.open(csv_name(sheet.name), "w") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(sheet.header)
        for row in sheet.rows():
            writer.writerow([_cell(v) for v in row[:width]])
        text.flush()
        text.detach()


def descriptor(export: Export, sheets: list[Sheet]) -> dict[str, Any]:
    study = export.dataset.study.name if export.dataset is not None else "survey_app"
    return {
        "profile": "tabular-data-package",
        "name": f"survey-export-{export.made_at:%Y%m%d-%H%M}",
        "title": f"{study}: data export",
        "description": (
            "The collected data, one file per sheet of the workbook export: about.csv holds "
            "the filters, the instrument versions and any values not exported; codebook.csv "
            "what each variable means. Missing data: blank = skipped; -1 = don't know; "
            "-2 = prefer not to say; -3 = not applicable (skipped by a show-if); all read as "
            "missing values. Multiple choice: one 0/1 column per option, <variable>___<code>."
        ),
        "created": export.made_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [
            {
                "name": resource_name(sheet.name),
                "title": sheet.name,
                "path": csv_name(sheet.name),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema(sheet),
            }
            for sheet in sheets
        ],
    }


def write_datapackage_zip(export: Export, out: IO[bytes]) -> None:
    sheets = [s for s in export.sheets if s.name not in LEFT_OUT]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in writing_order(sheets):
            _write_sheet(archive, sheet)
        text = json.dumps(descriptor(export, sheets), indent=2, ensure_ascii=False)
        archive.writestr(DESCRIPTOR, text.encode("utf-8"))
