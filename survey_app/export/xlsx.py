"""The Excel workbook, written with openpyxl in write-only mode, row by row."""

from __future__ import annotations

from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .safe import clean_text, looks_like_formula
from .workbook import Export

_BOLD = Font(bold=True)


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> Any:
    value = clean_text(value)
    if not looks_like_formula(value):
        return value
    # Stored as text, shown as typed: one odd answer can never run as a formula.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write_xlsx(export: Export, out: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    for spec in export.sheets:
        sheet = workbook.create_sheet(spec.name)
        header = []
        for name in spec.header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = _BOLD
            header.append(cell)
        sheet.append(header)
        for row in spec.rows():
            sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in row])
        if spec.finish:
            spec.finish(sheet)
    workbook.save(out)
