"""Cell values that cannot turn into formulas or break a file."""

from __future__ import annotations

from typing import Any

from ..characters import strip_forbidden

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """Remove every character XML 1.0 forbids (stored before the input filter, or written by
    other means); one kind of line end (XML would turn a lone carriage return into a line
    feed on reading anyway)."""
    return strip_forbidden(value.replace("\r\n", "\n").replace("\r", "\n"))


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """CSV has no 'text' type: a leading apostrophe keeps a spreadsheet from evaluating it."""
    if isinstance(value, str):
        value = clean_text(value)
        if looks_like_formula(value):
            return "'" + value
    return value
