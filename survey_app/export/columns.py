"""Columns of the data sheets, built from instrument versions by variable name: the union of
the versions' variables, a variable absent from a version blank for its rows, never shifted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..instruments import missing
from ..instruments.model import Instrument, Item
from .column_types import RULES, ColumnKind, Noted, item_kind


@dataclass(frozen=True)
class VarColumn:
    name: str  # as in the long and staff sheets; the linked sheet prefixes t1_, t2_ ...
    variable: str
    option: int | None  # multiple choice: one 0/1 column per option (REDCap's var___code)
    type: str
    label: str
    value_labels: Mapping[int, str]
    instrument: str
    versions: tuple[int, ...]
    wave: str
    # <variable>_other: the "please specify" text of this option code, when it was chosen.
    other_code: int | None = None
    # A tick-all question's first option column notes the codes no option has (once an answer).
    unlisted_from: frozenset[int] | None = None

    def value(self, answers: Mapping[str, Any]) -> Any:
        raw = answers.get(self.variable)
        if self.other_code is not None:
            chosen = raw == self.other_code or (isinstance(raw, list) and self.other_code in raw)
            return answers.get(self.name) if chosen else None
        if self.option is None or raw is None:
            return raw
        if isinstance(raw, list):
            cell = 1 if self.option in raw else 0
            if self.unlisted_from is not None:
                unlisted = [c for c in raw if c not in self.unlisted_from]
                if unlisted:
                    return Noted(cell, "code off its options, not exported")
            return cell
        return raw  # a missing-data code given for the whole question

    @property
    def values_text(self) -> str:
        return "; ".join(f"{code}={label}" for code, label in self.value_labels.items())

    @property
    def kind(self) -> ColumnKind:
        return item_kind(self.type)

    @property
    def is_numeric(self) -> bool:
        return RULES[self.kind].numeric


def _labels(item: Item, skip_logic: bool) -> dict[int, str]:
    labels: dict[int, str] = {}
    if item.type == "rating":
        assert item.min is not None and item.max is not None  # noqa: S101 - loader sets them
        for code in range(item.min, item.max + 1):
            end = ""
            if code == item.min and item.low_label:
                end = item.low_label["en"]
            elif code == item.max and item.high_label:
                end = item.high_label["en"]
            labels[code] = end or str(code)
    elif item.type == "consent":
        labels[1] = "Agreed"
    elif item.type != "multiple":
        labels.update({o.code: o.label["en"] for o in item.options})
    for code in item.offer:
        labels[code] = missing.LABELS[code]["en"]
    if skip_logic:
        labels[missing.NOT_APPLICABLE] = missing.LABELS[missing.NOT_APPLICABLE]["en"]
    return labels


def variable_columns(instruments: Iterable[Instrument], wave: str) -> list[VarColumn]:
    """Columns for the variables of these versions (newest first decides the order)."""
    columns: list[VarColumn] = []
    for name, pairs in _by_variable(instruments).items():
        columns.extend(_question_columns(name, pairs, wave))
        columns.extend(_other_column(name, pairs, wave))
    return columns


def _by_variable(instruments: Iterable[Instrument]) -> dict[str, list[tuple[Instrument, Item]]]:
    """Each variable with its (version, question) pairs, newest version first; the variables
    in the newest version's order, then those only older versions ask."""
    ordered = sorted(instruments, key=lambda i: i.version, reverse=True)
    per_var: dict[str, list[tuple[Instrument, Item]]] = {}
    for instrument in ordered:
        for item in instrument.questions():
            assert item.variable is not None  # noqa: S101 - questions have variables
            per_var.setdefault(item.variable, []).append((instrument, item))
    return per_var


def _question_columns(
    name: str, pairs: list[tuple[Instrument, Item]], wave: str
) -> list[VarColumn]:
    """The question's column, or one 0/1 column per option of a tick-all question (the options
    of every version)."""
    newest_instrument, item = pairs[0]
    versions = tuple(sorted(i.version for i, _ in pairs))
    skip_logic = any(it.show_if is not None for _, it in pairs)
    common = {
        "variable": name,
        "type": item.type,
        "instrument": newest_instrument.key,
        "versions": versions,
        "wave": wave,
    }
    if item.type != "multiple":
        # Every version's codes, in the newest version's order and wording: a code only an
        # older version offered is still a code of this column.
        labels: dict[int, str] = {}
        for _, it in pairs:
            for code, text in _labels(it, skip_logic).items():
                labels.setdefault(code, text)
        return [
            VarColumn(
                name=name,
                option=None,
                label=item.text["en"],
                value_labels=labels,
                **common,  # type: ignore[arg-type]
            )
        ]
    options: dict[int, str] = {}
    for _, it in reversed(pairs):
        options.update({o.code: o.label["en"] for o in it.options})
    base = _labels(item, skip_logic)
    ordered = sorted(options.items())
    return [
        VarColumn(
            name=f"{name}___{code}",
            option=code,
            label=f"{item.text['en']} [{label}]",
            value_labels={1: "Checked", 0: "Unchecked", **base},
            unlisted_from=frozenset(options) if index == 0 else None,
            **common,  # type: ignore[arg-type]
        )
        for index, (code, label) in enumerate(ordered)
    ]


def _other_column(name: str, pairs: list[tuple[Instrument, Item]], wave: str) -> list[VarColumn]:
    """<variable>_other beside the question whose "Other" asks her to say what."""
    with_other = [(i, it) for i, it in pairs if it.other_option is not None]
    if not with_other:
        return []
    instrument, item = with_other[0]
    other = item.other_option
    assert other is not None  # noqa: S101 - chosen for it
    return [
        VarColumn(
            name=f"{name}_other",
            variable=name,
            option=None,
            type="short_text",
            label=f"{item.text['en']} [{other.label['en']}: please specify]",
            value_labels={},
            instrument=instrument.key,
            versions=tuple(sorted(i.version for i, _ in with_other)),
            wave=wave,
            other_code=other.code,
        )
    ]
