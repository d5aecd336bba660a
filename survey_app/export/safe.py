"""Cell values that cannot turn into formulas or break a file."""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Remove the control characters that Excel and XML refuse; one kind of line end (XML
    would turn a lone carriage return into a line feed on reading anyway)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return str(ILLEGAL_CHARACTERS_RE.sub("", _CONTROL.sub("", value)))


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """CSV has no 'text' type: a leading apostrophe keeps a spreadsheet from evaluating it."""
    if isinstance(value, str):
        value = clean_text(value)
        if looks_like_formula(value):
            return "'" + value
    return value
