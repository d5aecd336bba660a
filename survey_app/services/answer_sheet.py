"""One response read back for the research team: each question as worded in the version she
answered, beside her answer's label (missing-data codes spelled out), and the audit record of
each reading. Built from the stored version, never from today's file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..instruments import missing
from ..instruments.model import Instrument, Item, pick
from ..models import Response, record_audit
from ..models.types import DbSession

ANSWERED = "answered"
MISSING = "missing"  # a missing-data code: don't know, prefer not to say, not applicable
BLANK = "blank"  # nothing stored: skipped, or not reached yet in a draft
TEXT = "text"


@dataclass(frozen=True)
class Answer:
    variable: str
    question: str
    label: str
    codes: str  # the stored value(s) as the export holds them; empty for a blank or a text
    kind: str


@dataclass(frozen=True)
class SheetSection:
    title: str
    answers: tuple[Answer, ...]


def _option_label(item: Item, code: int, lang: str) -> str:
    for option in item.options:
        if option.code == code:
            return pick(option.label, lang)
    return f"code {code}, not an answer of this version"


def _rating_label(item: Item, value: int, lang: str) -> str:
    end = None
    if value == item.min and item.low_label:
        end = pick(item.low_label, lang)
    elif value == item.max and item.high_label:
        end = pick(item.high_label, lang)
    scale = f"{value} on a scale of {item.min} to {item.max}"
    return f"{scale} ({end})" if end else scale


def read_answer(item: Item, value: Any, lang: str = "en") -> tuple[str, str, str]:
    """(label, codes, kind) of one stored answer to ``item``."""
    if value is None or value == "" or value == []:
        return "Not answered", "", BLANK
    if isinstance(value, int) and not isinstance(value, bool) and value in missing.LABELS:
        return pick(missing.LABELS[value], lang), str(value), MISSING
    if item.type in ("short_text", "long_text"):
        return str(value), "", TEXT
    if item.type == "consent":
        return ("Agreed" if value == 1 else f"code {value}"), str(value), ANSWERED
    if item.type == "rating" and isinstance(value, int):
        return _rating_label(item, value, lang), str(value), ANSWERED
    if item.type == "multiple" and isinstance(value, list):
        labels = [_option_label(item, code, lang) for code in value]
        return "; ".join(labels), ", ".join(str(code) for code in value), ANSWERED
    if isinstance(value, int):
        return _option_label(item, value, lang), str(value), ANSWERED
    return str(value), "", ANSWERED


def build(
    instrument: Instrument, answers: Mapping[str, Any], lang: str = "en"
) -> list[SheetSection]:
    """Every question of the version, section by section, with her answer to it."""
    sections = []
    for section in instrument.sections:
        read = []
        for item in section.items:
            if item.variable is None:
                continue  # information text, no question
            label, codes, kind = read_answer(item, answers.get(item.variable), lang)
            read.append(Answer(item.variable, pick(item.text, lang), label, codes, kind))
        if read:
            sections.append(SheetSection(pick(section.title, lang), tuple(read)))
    return sections


def record_view(session: DbSession, response: Response, actor_id: int | None) -> None:
    """Who read which response and when; never what it says."""
    record_audit(
        session, kind="response.viewed", actor_id=actor_id, target=f"response:{response.id}"
    )
    session.flush()
