"""The parsed, immutable form of a published instrument version, built from the expanded
definition stored in the database. Views, forms and exports read instruments through this."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..kinds import Audience
from . import missing


def pick(text: Mapping[str, str], lang: str) -> str:
    return text.get(lang) or text["en"]


@dataclass(frozen=True)
class Option:
    code: int
    label: Mapping[str, str]
    other_text: bool = False  # "Other": with a text box, kept as <variable>_other


@dataclass(frozen=True)
class Scale:
    name: str
    options: tuple[Option, ...]
    collapsed: tuple[tuple[Mapping[str, str], tuple[int, ...]], ...]

    def label(self, code: int, lang: str = "en") -> str:
        for option in self.options:
            if option.code == code:
                return pick(option.label, lang)
        return str(code)


@dataclass(frozen=True)
class ShowIf:
    variable: str
    codes: frozenset[int]
    negate: bool
    # On a repeated group: shown when it has at least this many entries.
    min_count: int | None = None

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.variable)
        if self.min_count is not None:
            return isinstance(value, list) and len(value) >= self.min_count
        if value is None or missing.is_missing(value):
            # Unanswered: show the follow-up for 'not_in' rules, hide it for 'in' rules.
            return self.negate
        matched = value in self.codes
        return not matched if self.negate else matched


@dataclass(frozen=True)
class Item:
    type: str
    variable: str | None
    text: Mapping[str, str]
    required: bool
    options: tuple[Option, ...] = ()
    scale: str | None = None
    min: int | None = None
    max: int | None = None
    low_label: Mapping[str, str] | None = None
    high_label: Mapping[str, str] | None = None
    max_length: int | None = None
    offer: tuple[int, ...] = ()
    show_if: ShowIf | None = None
    help: Mapping[str, str] | None = None
    block_prefix: str | None = None
    # A repeated group: the items of each entry and how many entries it takes.
    items: tuple[Item, ...] = ()
    min_entries: int = 0
    max_entries: int = 0
    entry_label: Mapping[str, str] | None = None

    @property
    def is_question(self) -> bool:
        return self.type != "info"

    @property
    def is_choice(self) -> bool:
        return self.type in ("likert", "single", "multiple", "yesno", "consent")

    def valid_codes(self) -> frozenset[int]:
        if self.type == "rating":
            assert self.min is not None and self.max is not None  # noqa: S101 - set by loader
            codes = set(range(self.min, self.max + 1))
        elif self.type == "consent":
            codes = {1}
        else:
            codes = {o.code for o in self.options}
        return frozenset(codes | set(self.offer))

    def shown(self, answers: Mapping[str, Any]) -> bool:
        return self.show_if is None or self.show_if.holds(answers)

    @property
    def other_option(self) -> Option | None:
        """The option whose "please specify" text is kept as ``other_variable``."""
        return next((o for o in self.options if o.other_text), None)

    @property
    def other_variable(self) -> str | None:
        return f"{self.variable}_other" if self.other_option is not None else None

    def other_chosen(self, answer: Any) -> bool:
        other = self.other_option
        if other is None:
            return False
        return answer == other.code or (isinstance(answer, list) and other.code in answer)


@dataclass(frozen=True)
class Section:
    id: str
    title: Mapping[str, str]
    intro: Mapping[str, str] | None
    items: tuple[Item, ...]

    @property
    def is_consent(self) -> bool:
        return any(item.type == "consent" for item in self.items)


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    audience: Audience
    title: Mapping[str, str]
    waves: tuple[str, ...]
    languages: tuple[str, ...]
    sections: tuple[Section, ...]
    scales: Mapping[str, Scale]
    blocks: Mapping[str, Mapping[str, Any]]
    citation: str | None = None
    licence: str | None = None
    description: Mapping[str, str] | None = None
    _by_variable: Mapping[str, Item] = field(default_factory=dict, repr=False)

    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

    def questions(self) -> Iterator[Item]:
        return (item for item in self.items() if item.variable is not None)

    def item(self, variable: str) -> Item | None:
        return self._by_variable.get(variable)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self._by_variable)


def _option(raw: Mapping[str, Any]) -> Option:
    return Option(code=raw["code"], label=raw["label"], other_text=bool(raw.get("other_text")))


def _item(raw: Mapping[str, Any], scales: Mapping[str, Scale]) -> Item:
    options: tuple[Option, ...] = ()
    if "options" in raw:
        options = tuple(_option(o) for o in raw["options"])
    elif raw.get("scale"):
        options = scales[raw["scale"]].options
    show_if = None
    if "show_if" in raw:
        rule = raw["show_if"]
        if "count_at_least" in rule:
            show_if = ShowIf(rule["variable"], frozenset(), False, rule["count_at_least"])
        else:
            negate = "not_in" in rule
            codes = frozenset(rule["not_in" if negate else "in"])
            show_if = ShowIf(rule["variable"], codes, negate)
    return Item(
        type=raw["type"],
        variable=raw.get("variable"),
        text=raw["text"],
        required=bool(raw.get("required", False)),
        options=options,
        scale=raw.get("scale"),
        min=raw.get("min"),
        max=raw.get("max"),
        low_label=raw.get("low_label"),
        high_label=raw.get("high_label"),
        max_length=raw.get("max_length"),
        offer=tuple(missing.OFFERABLE[name] for name in raw.get("offer", [])),
        show_if=show_if,
        help=raw.get("help"),
        block_prefix=(raw.get("block") or {}).get("prefix"),
        items=tuple(_item(sub, scales) for sub in raw.get("items", [])),
        min_entries=raw.get("min_entries", 0),
        max_entries=raw.get("max_entries", 0),
        entry_label=raw.get("entry_label"),
    )


def build(definition: Mapping[str, Any]) -> Instrument:
    scales = {
        name: Scale(
            name=name,
            options=tuple(_option(o) for o in raw["options"]),
            collapsed=tuple(
                (group["label"], tuple(group["codes"])) for group in raw.get("collapsed", [])
            ),
        )
        for name, raw in definition.get("scales", {}).items()
    }
    sections = tuple(
        Section(
            id=s["id"],
            title=s["title"],
            intro=s.get("intro"),
            items=tuple(_item(i, scales) for i in s["items"]),
        )
        for s in definition["sections"]
    )
    by_variable = {
        item.variable: item for s in sections for item in s.items if item.variable is not None
    }
    return Instrument(
        key=definition["key"],
        version=definition["version"],
        audience=Audience(definition["audience"]),
        title=definition["title"],
        waves=tuple(definition.get("waves", ())),
        languages=tuple(definition.get("languages", ["en"])),
        sections=sections,
        scales=scales,
        blocks=definition.get("blocks", {}),
        citation=definition.get("citation"),
        licence=definition.get("licence"),
        description=definition.get("description"),
        _by_variable=by_variable,
    )


def from_version(version: Any) -> Instrument:
    """The parsed instrument of an ``InstrumentVersion`` row. A published version is immutable
    (its hash fixes its content), so the parse is cached in-process by hash."""
    cached = _BY_HASH.get(version.content_hash)
    if cached is None:
        cached = build(version.definition)
        _BY_HASH[version.content_hash] = cached
    return cached


_BY_HASH: dict[str, Instrument] = {}
