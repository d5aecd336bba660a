"""Each column's type, and everything it decides, in one place: the value a cell may hold,
its Excel number format, its CSV text, its SPSS format and measure level, and its missing
value. Nothing is guessed from the values a column happens to hold: a score is F8.2 even when
every score is whole, a date is a date even when the answers stored it as text.

A stored value that cannot take its column's type (an old response's non-date, a code off the
scale after an instrument change) is exported as missing and counted (``BadValues``): the About
sheet names the column and how many, and the export never fails on it."""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .safe import clean_text


class ColumnKind(enum.StrEnum):
    CODE = "code"  # one code of a list (single choice, yes/no, a 0/1 option): nominal
    ORDERED_CODE = "ordered code"  # a point on a scale (Likert, 1-10 rating): ordinal
    SCORE = "score"  # a measurement with decimals (WAI means, months between waves)
    COUNT = "count"  # a whole number that counts or measures
    DATE = "date"
    DATETIME = "date-time"  # a time stamp, UTC
    TEXT = "text"


@dataclass(frozen=True)
class Noted:
    """A cell's value, with what of the stored answer it could not hold (a tick-all answer's
    code that none of the options has): counted for the About sheet, the value kept."""

    value: Any
    reason: str


class BadValue(ValueError):
    """A stored value that cannot take its column's type; ``reason`` says what it is not."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Reader = Callable[[Any], Any]


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _whole(value: Any) -> int:
    if isinstance(value, bool):  # JSON true/false: a yes/no stored by other means
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise BadValue("not a whole number")


def _number(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise BadValue("not a number")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadValue("not a date")


def _datetime(value: Any) -> dt.datetime:
    stamp: dt.datetime
    if isinstance(value, str):
        try:
            stamp = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise BadValue("not a date and time") from None
    elif isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    else:
        raise BadValue("not a date and time")
    # Stored in UTC; the files have no time zones (SPSS, Excel): naive UTC, to the second.
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


def _text(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return clean_text(str(value)) or None
    raise BadValue("not text")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _iso_seconds(value: Any) -> Any:
    return value.isoformat(sep=" ", timespec="seconds") if isinstance(value, dt.datetime) else value


def _as_is(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Rule:
    """What a column type decides in each file."""

    read: Callable[[Any], Any]  # stored value -> cell value; raises BadValue
    excel: str | None  # number format of a filled cell; None: Excel's General
    csv: Callable[[Any], Any]  # cell value -> what the CSV writer writes
    spss: str  # SPSS format; A{width} for strings, as wide as the longest value
    measure: str  # SPSS measure level
    numeric: bool  # SPSS numeric (dates are numbers in SPSS); else a string
    missing: str  # what an empty cell is, for the About sheet


_NUMBER_MISSING = "blank (SPSS: system-missing)"
RULES: Mapping[ColumnKind, Rule] = {
    ColumnKind.CODE: Rule(_whole, None, _as_is, "F8.0", "nominal", True, _NUMBER_MISSING),
    ColumnKind.ORDERED_CODE: Rule(_whole, None, _as_is, "F8.0", "ordinal", True, _NUMBER_MISSING),
    ColumnKind.SCORE: Rule(_number, "0.00", _as_is, "F8.2", "scale", True, _NUMBER_MISSING),
    ColumnKind.COUNT: Rule(_whole, None, _as_is, "F8.0", "scale", True, _NUMBER_MISSING),
    ColumnKind.DATE: Rule(_date, "yyyy-mm-dd", _iso, "DATE11", "scale", True, _NUMBER_MISSING),
    ColumnKind.DATETIME: Rule(
        _datetime, "yyyy-mm-dd hh:mm:ss", _iso_seconds, "DATETIME20", "scale", True, _NUMBER_MISSING
    ),
    ColumnKind.TEXT: Rule(_text, None, _as_is, "A{width}", "nominal", False, "blank (SPSS: empty)"),
}

# Each question type's column type; "info" and "group" have no column of their own (a group's
# items are columns of its own sheet).
ITEM_KINDS: Mapping[str, ColumnKind] = {
    "likert": ColumnKind.ORDERED_CODE,
    "rating": ColumnKind.ORDERED_CODE,
    "single": ColumnKind.CODE,
    "multiple": ColumnKind.CODE,  # one 0/1 column per option
    "yesno": ColumnKind.CODE,
    "consent": ColumnKind.CODE,
    "short_text": ColumnKind.TEXT,
    "long_text": ColumnKind.TEXT,
    "date": ColumnKind.DATE,
    "integer": ColumnKind.COUNT,
}
NO_COLUMN_TYPES = ("info", "group")


def item_kind(item_type: str) -> ColumnKind:
    try:
        return ITEM_KINDS[item_type]
    except KeyError:
        raise LookupError(f"no column rule for the item type {item_type!r}") from None


@dataclass(frozen=True)
class ColumnMeta:
    """One column of a sheet: its name, what it means, and its type."""

    name: str
    label: str
    kind: ColumnKind = ColumnKind.TEXT
    value_labels: Mapping[int, str] = field(default_factory=dict)
    missing_codes: tuple[int, ...] = ()  # SPSS user-missing
    key: bool = False  # an ID or site column, frozen with the header
    codes: frozenset[int] | None = None  # the codes a code column may hold (None: any)

    @property
    def rule(self) -> Rule:
        return RULES[self.kind]

    @property
    def numeric(self) -> bool:
        return self.rule.numeric

    @property
    def measure(self) -> str:
        return self.rule.measure

    def reader(self) -> Reader:
        """Stored value -> cell value (None when empty); raises BadValue."""
        read, codes = self.rule.read, self.codes

        def cell(value: Any) -> Any:
            if _empty(value):
                return None
            got = read(value)
            if codes is not None and got not in codes:
                raise BadValue("off its list of codes")
            return got

        return cell


NOTED = "noted: "  # a tally reason for a kept value (Noted), not a blanked one


def _counted(n: int, reason: str) -> str:
    if reason.startswith(NOTED):
        return f"{n} {'answer' if n == 1 else 'answers'} with a {reason[len(NOTED) :]}"
    return f"{n} {'value' if n == 1 else 'values'} {reason}, exported as blank"


class BadValues:
    """The values that could not take their column's type, per sheet and column, counted as
    each sheet's rows are written (a sheet written again is counted afresh)."""

    def __init__(self) -> None:
        self._found: dict[str, Counter[tuple[str, str]]] = {}

    def typed(
        self, sheet: str, columns: Sequence[ColumnMeta], rows: Iterable[Sequence[Any]]
    ) -> Iterator[list[Any]]:
        found: Counter[tuple[str, str]] = Counter()
        self._found[sheet] = found
        readers = [c.reader() for c in columns]
        names = [c.name for c in columns]
        for row in rows:
            out = []
            for index, value in enumerate(row):
                if isinstance(value, Noted):
                    # Named as the sheet spells the question: t1_needs for t1_needs___1.
                    question = names[index].rsplit("___", 1)[0]
                    found[(question, f"{NOTED}{value.reason}")] += 1
                    value = value.value
                try:
                    out.append(readers[index](value))
                except BadValue as bad:
                    found[(names[index], bad.reason)] += 1
                    out.append(None)
            yield out

    def about_rows(self) -> list[list[Any]]:
        lines = [
            ["Values not exported", f"{sheet}: {column}: {_counted(n, reason)}"]
            for sheet, found in self._found.items()
            for (column, reason), n in sorted(found.items())
        ]
        return lines or [["Values not exported", "none: every stored value took its type"]]


def column_type_rows() -> list[list[Any]]:
    """The About sheet's key to the column types (the codebook's ``type`` column)."""
    return [
        [
            "Column type",
            f"{kind}: Excel {rule.excel or 'General'}; CSV {_CSV_SHOWN[kind]}; "
            f"SPSS {rule.spss.replace('{width}', 'w')} {rule.measure}; empty: {rule.missing}",
        ]
        for kind, rule in RULES.items()
    ]


_CSV_SHOWN: Mapping[ColumnKind, str] = {
    ColumnKind.CODE: "the code (missing-data codes as they are: -1, -2, -3)",
    ColumnKind.ORDERED_CODE: "the code (missing-data codes as they are: -1, -2, -3)",
    ColumnKind.SCORE: "the number, every decimal",
    ColumnKind.COUNT: "the whole number",
    ColumnKind.DATE: "YYYY-MM-DD",
    ColumnKind.DATETIME: "YYYY-MM-DD hh:mm:ss (UTC)",
    ColumnKind.TEXT: "the text",
}
