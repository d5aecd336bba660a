"""The Excel workbook, written with openpyxl in write-only mode, row by row."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .dataset import Sheet
from .safe import clean_text, looks_like_formula
from .sheet_names import ABOUT, REPORT
from .workbook import Export, writing_order

_BOLD = Font(bold=True)
# Widths are measured on the first rows: a write-only sheet needs them before any row is written.
WIDTH_SAMPLE = 500
MIN_WIDTH, MAX_WIDTH = 6, 60
DATE_WIDTH = 11  # 2026-01-31, with room for the filter button
DATETIME_WIDTH = 20  # 2026-01-31 14:05:09
# Not one table: the About list and the Report's tables and charts get widths only.
NOT_TABLES = (ABOUT, REPORT)


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> Any:
    value = clean_text(value)
    if not looks_like_formula(value):
        return value
    # Stored as text, shown as typed: one odd answer can never run as a formula.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _shown_length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return DATETIME_WIDTH
    if isinstance(value, dt.date):
        return DATE_WIDTH
    if isinstance(value, float):
        return len(f"{value:.6g}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(header: Sequence[str], sample: Sequence[Sequence[Any]]) -> list[float]:
    """A width per column that fits its header (plus the filter button) and its sampled values."""
    # Rows may be ragged (the Report's tables are wider than its one-word header).
    count = max([len(header), *(len(row) for row in sample)])
    longest = [len(header[i]) + 3 if i < len(header) else 0 for i in range(count)]
    for row in sample:
        for index, value in enumerate(row):
            longest[index] = max(longest[index], _shown_length(value) + 1)
    return [float(min(MAX_WIDTH, max(MIN_WIDTH, n))) for n in longest]


def _cells(sheet: WriteOnlyWorksheet, row: list[Any], formats: dict[int, str]) -> list[Any]:
    """The row's cells: text never a formula; a score, date or time stamp in its column
    type's number format."""
    cells = [_text_cell(sheet, v) if isinstance(v, str) else v for v in row]
    for index, number_format in formats.items():
        value = row[index] if index < len(row) else None
        if value is not None and not isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            cells[index] = cell
    return cells


def _write_sheet(sheet: WriteOnlyWorksheet, spec: Sheet) -> None:
    rows: Iterator[list[Any]] = iter(spec.rows())
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    table = spec.name not in NOT_TABLES
    if table:  # header and ID columns frozen, filters on: ready to sort and read when opened
        sheet.freeze_panes = f"{get_column_letter(spec.frozen_columns + 1)}2"
    for index, width in enumerate(column_widths(spec.header, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for name in spec.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = _BOLD
        header.append(cell)
    sheet.append(header)
    formats = {i: f for i, c in enumerate(spec.columns) if (f := c.rule.excel) is not None}
    written = 0
    for row in itertools.chain(sample, rows):
        sheet.append(_cells(sheet, row, formats))
        written += 1
    if table and spec.header:
        # The filter sits in the sheet's tail, so the row count is known by then.
        last = get_column_letter(len(spec.header))
        sheet.auto_filter.ref = f"A1:{last}{written + 1}"
    if spec.finish:
        spec.finish(sheet)


def write_xlsx(export: Export, out: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    made = {spec.name: workbook.create_sheet(spec.name) for spec in export.sheets}
    for spec in writing_order(export.sheets):
        _write_sheet(made[spec.name], spec)
    workbook.save(out)
