"""A form's answers as label and value rows, for the review and read-only pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..instruments import missing
from ..instruments.model import Instrument, Item, pick


@dataclass(frozen=True)
class AnswerRow:
    section: str
    question: str
    value: str
    index: int = 0  # the section's place in the form: its page


def display(item: Item, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) and value in missing.LABELS:
        return missing.LABELS[value]["en"]
    if item.type == "multiple" and isinstance(value, list):
        labels = {o.code: pick(o.label, "en") for o in item.options}
        return "; ".join(labels.get(code, str(code)) for code in value) or "—"
    if item.options and isinstance(value, int):
        labels = {o.code: pick(o.label, "en") for o in item.options}
        return labels.get(value, str(value))
    return str(value)


def answer_rows(instrument: Instrument, answers: Mapping[str, Any]) -> list[AnswerRow]:
    rows: list[AnswerRow] = []
    for index, section in enumerate(instrument.sections):
        title = pick(section.title, "en")
        for item in section.items:
            if item.variable is None:
                continue
            value = answers.get(item.variable)
            if item.type != "group":
                rows.append(AnswerRow(title, pick(item.text, "en"), display(item, value), index))
                continue
            entries = value if isinstance(value, list) else []
            label = pick(item.entry_label, "en") if item.entry_label else "Entry"
            rows.append(AnswerRow(title, pick(item.text, "en"), str(len(entries)), index))
            for number, entry in enumerate(entries, start=1):
                for sub in item.items:
                    got = entry.get(sub.variable) if isinstance(entry, dict) else None
                    question = f"{label} {number}: {pick(sub.text, 'en')}"
                    rows.append(AnswerRow(title, question, display(sub, got), index))
    return rows


# The answers a form may leave for later: a choice, a date or a number not given, or "Not
# known" chosen. A list ticked or left empty, and free text, are answers in themselves.
_KNOWABLE = ("single", "yesno", "date", "integer")


def _unknown(item: Item, value: Any) -> bool:
    if item.type not in _KNOWABLE or value == missing.NOT_APPLICABLE:
        return False
    if value is None:
        return True
    labels = {o.code: pick(o.label, "en") for o in item.options}
    return isinstance(value, int) and labels.get(value) == "Not known"


def unknowns(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    """The questions of a form still unknown, in the form's order (a child's as "Child 2:
    Age")."""
    found: list[str] = []
    for item in instrument.questions():
        if item.variable is None or not item.shown(answers):
            continue
        value = answers.get(item.variable)
        if item.type != "group":
            if _unknown(item, value):
                found.append(pick(item.text, "en"))
            continue
        label = pick(item.entry_label, "en") if item.entry_label else "Entry"
        for number, entry in enumerate(value if isinstance(value, list) else [], start=1):
            for sub in item.items:
                got = entry.get(sub.variable) if isinstance(entry, dict) else None
                if _unknown(sub, got):
                    found.append(f"{label} {number}: {pick(sub.text, 'en')}")
    return found


@dataclass(frozen=True)
class Change:
    question: str
    old: str
    new: str


def changes(instrument: Instrument, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """What a revision changed from the one before, question by question, in form order (a
    child's answers as "Child 2: Age"; a removed child's last)."""
    before = {(r.section, r.question): r.value for r in answer_rows(instrument, old)}
    after = answer_rows(instrument, new)
    found = [
        Change(r.question, before.get((r.section, r.question), "—"), r.value)
        for r in after
        if before.get((r.section, r.question), "—") != r.value
    ]
    kept = {(r.section, r.question) for r in after}
    found += [Change(q, v, "—") for (s, q), v in before.items() if (s, q) not in kept and v != "—"]
    return found
