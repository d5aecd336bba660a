"""REDCap data dictionary out of and into an instrument.

Out: REDCap's 18-column CSV. The instrument is one REDCap form (named for its key) whose first
field is ``record_id``, as REDCap wants; a section's title is the Section Header of its first
field; choices read ``1, Label | 2, Label`` with the missing-data codes offered as ``-1, Don't
know``; show-if becomes branching logic (``[csw_contact] <> '1'``). A repeated group is a form of
its own (to be made a repeating instrument in REDCap), its place in the main form kept by a
descriptive field. A dictionary has one language: the English text goes out. What REDCap has no
column for rides in the Field Annotation as ``survey_app={...}`` next to any action tag
(``@CHARLIMIT`` for a text's length), which REDCap keeps as it is.

In: a dictionary (ours, or a REDCap project's) becomes an instrument source. A construct this app
cannot carry (a calculation, a slider, a file, matrix ranking, an unknown type or validation) is
refused with one line naming the row."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .interchange import (
    ImportRefused,
    block_params,
    parse_condition,
    redcap_branching,
    split_offer,
)
from .loader import YESNO, Library
from .missing import LABELS, OFFERABLE

COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
NAME, FORM, HEADER, TYPE, LABEL, CHOICES, NOTE, VALIDATION, VMIN, VMAX = COLUMNS[:10]
IDENTIFIER, BRANCHING, REQUIRED, MATRIX, RANKING, ANNOTATION = (
    COLUMNS[10],
    COLUMNS[11],
    COLUMNS[12],
    COLUMNS[15],
    COLUMNS[16],
    COLUMNS[17],
)
RECORD_ID = "record_id"
_TOP_KEYS = ("format", "audience", "waves", "title", "description", "citation", "licence", "notes")
# "Other, please say" after a checkbox field: [contact_purpose(6)] = '1' (taken by attach_other).
_OTHER_OF_CHECKBOX = re.compile(r"\[\w+\(-?\d+\)\]\s*=\s*'1'")
_ANNOTATION = re.compile(r"survey_app=(\{.*\})\s*$", re.S)


def _choices(options: Sequence[Mapping[str, Any]]) -> str:
    return " | ".join(f"{o['code']}, {o['label']['en']}" for o in options)


def _annotation(extra: Mapping[str, Any], tags: str = "") -> str:
    parts = [tags] if tags else []
    if extra:
        parts.append("survey_app=" + json.dumps(extra, ensure_ascii=False, sort_keys=True))
    return " ".join(parts)


class _Writer:
    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.d = definition
        self.form = definition["key"]
        self.rows: list[dict[str, str]] = []
        self.repeats: list[dict[str, str]] = []
        self.info = 0

    def options(self, item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        if item["type"] == "yesno":
            own = item.get("options") or YESNO["options"]
        elif item.get("options"):
            own = item["options"]
        else:
            own = self.d["scales"][item["scale"]]["options"]
        offered = [
            {"code": OFFERABLE[name], "label": LABELS[OFFERABLE[name]]}
            for name in item.get("offer", [])
        ]
        return [*own, *offered]

    def field(self, item: Mapping[str, Any], form: str, extra: dict[str, Any]) -> None:
        kind = item["type"]
        row = {NAME: item.get("variable", ""), FORM: form, LABEL: item["text"]["en"]}
        if item.get("help"):
            row[NOTE] = item["help"]["en"]
        if item.get("required") and kind != "consent":
            row[REQUIRED] = "y"
        rule = item.get("show_if")
        if rule is not None and "count_at_least" not in rule:
            row[BRANCHING] = redcap_branching(rule)
        elif rule is not None:
            extra["show_if"] = rule  # REDCap's branching cannot count a repeating form
        tags = ""
        if kind in ("likert", "single", "multiple", "yesno"):
            plain_yesno = kind == "yesno" and not item.get("offer")
            row[TYPE] = "checkbox" if kind == "multiple" else "yesno" if plain_yesno else "radio"
            if not plain_yesno:
                row[CHOICES] = _choices(self.options(item))
            if kind in ("likert", "yesno") and not plain_yesno:
                extra["type"] = kind
            if item.get("scale") and kind != "yesno":
                extra["scale"] = item["scale"]
            if item.get("choices_from"):
                extra["choices_from"] = item["choices_from"]
        elif kind == "consent":
            row.update({TYPE: "checkbox", CHOICES: "1, I agree", REQUIRED: "y"})
            extra["type"] = "consent"
        elif kind == "rating":
            codes = range(item["min"], item["max"] + 1)
            options = [{"code": c, "label": {"en": str(c)}} for c in codes]
            offered = [
                {"code": OFFERABLE[name], "label": LABELS[OFFERABLE[name]]}
                for name in item.get("offer", [])
            ]
            row.update({TYPE: "radio", CHOICES: _choices(options + offered)})
            ends = f"{item['min']} = {item['low_label']['en']}" if item.get("low_label") else ""
            if item.get("high_label"):
                ends += f", {item['max']} = {item['high_label']['en']}"
            if ends and NOTE not in row:
                row[NOTE] = ends.lstrip(", ")
            extra["type"] = "rating"
            for key in ("low_label", "high_label"):
                if key in item:
                    extra[key] = {"en": item[key]["en"]}
        elif kind in ("short_text", "long_text"):
            row[TYPE] = "text" if kind == "short_text" else "notes"
            tags = f"@CHARLIMIT={item['max_length']}"
        elif kind == "date":
            row.update({TYPE: "text", VALIDATION: "date_ymd"})
        elif kind == "integer":
            row.update(
                {
                    TYPE: "text",
                    VALIDATION: "integer",
                    VMIN: str(item["min"]),
                    VMAX: str(item["max"]),
                }
            )
        elif kind == "info":
            self.info += 1
            row.update({NAME: f"info_{self.info}", TYPE: "descriptive"})
        if item.get("block"):
            extra["block"] = {"key": item["block"]["key"], "prefix": item["block"]["prefix"]}
        row[ANNOTATION] = _annotation(extra, tags)
        target = self.repeats if form != self.form else self.rows
        target.append(row)
        other = next((o for o in item.get("options", []) if o.get("other_text")), None)
        if other is not None:
            ref = (
                f"[{row[NAME]}({other['code']})] = '1'"
                if kind == "multiple"
                else (f"[{row[NAME]}] = '{other['code']}'")
            )
            target.append(
                {
                    NAME: f"{row[NAME]}_other",
                    FORM: form,
                    TYPE: "text",
                    LABEL: other["label"]["en"],
                    BRANCHING: ref,
                    ANNOTATION: _annotation({"other_of": row[NAME]}),
                }
            )

    def group(self, item: Mapping[str, Any], extra: dict[str, Any]) -> None:
        """A descriptive field in its place; its items a form of their own (repeating)."""
        keep = {k: item[k] for k in ("min_entries", "max_entries") if k in item}
        if item.get("entry_label"):
            keep["entry_label"] = {"en": item["entry_label"]["en"]}
        extra["repeat"] = keep
        self.field({**item, "type": "info", "variable": item["variable"]}, self.form, extra)
        self.rows[-1][NAME] = item["variable"]
        self.info -= 1
        for sub in item["items"]:
            self.field(sub, item["variable"], {})

    def section(self, section: Mapping[str, Any]) -> None:
        first = len(self.rows)
        head: dict[str, Any] = {"section": section["id"]}
        items = list(section["items"])
        if section.get("intro") or items[0]["type"] == "group":
            intro = section.get("intro") or section["title"]
            head["intro"] = bool(section.get("intro"))
            self.field({"type": "info", "text": intro}, self.form, head)
            self.rows[-1][NAME] = f"{section['id']}_intro"
            self.info -= 1
            head = {}
        for index, item in enumerate(items):
            extra = head if index == 0 else {}
            if item["type"] == "group":
                self.group(item, extra)
            else:
                self.field(item, self.form, extra)
        self.rows[first][HEADER] = section["title"]["en"]

    def record_id(self) -> dict[str, str]:
        top = {key: self.d[key] for key in _TOP_KEYS if key in self.d}
        top["title"] = {"en": self.d["title"]["en"]}
        if "description" in top:
            top["description"] = {"en": top["description"]["en"]}
        return {
            NAME: RECORD_ID,
            FORM: self.form,
            TYPE: "text",
            LABEL: "Record ID",
            ANNOTATION: _annotation({"instrument": top}),
        }


def export_redcap(definition: Mapping[str, Any]) -> str:
    """The REDCap data dictionary (CSV text) of an expanded instrument definition."""
    writer = _Writer(definition)
    for section in definition["sections"]:
        writer.section(section)
    out = io.StringIO()
    table = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    table.writeheader()
    for row in [writer.record_id(), *writer.rows, *writer.repeats]:
        table.writerow(row)
    return out.getvalue()


# --- in ----------------------------------------------------------------------------------

_REFUSED = {
    "calc": "a calculation",
    "slider": "a slider",
    "file": "a file upload",
    "sql": "an SQL field",
    "truefalse": "a true/false field",
}
_TEXT_VALIDATION = {"": None, "integer": "integer", "date_ymd": "date", "date_dmy": "date"}


class _Reader:
    def __init__(self, path: Path, library: Library, form: str | None) -> None:
        self.name = path.name
        self.library = library
        self.form = form
        self.problems: list[str] = []
        self.scales: dict[str, dict[str, Any]] = {}
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportRefused(
                [f"{self.name}: cannot read the file as UTF-8 text: {exc}"]
            ) from None
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise ImportRefused([f"{self.name}: row 1: not a CSV file: {exc}"]) from None
        if not rows or [h.strip() for h in rows[0][:4]] != list(COLUMNS[:4]):
            raise ImportRefused(
                [
                    f"{self.name}: row 1: not a REDCap data dictionary (its header starts "
                    f"{', '.join(COLUMNS[:4])})"
                ]
            )
        header = [h.strip() for h in rows[0]]
        self.rows = [
            (n, {header[i]: v.strip() for i, v in enumerate(r) if i < len(header)})
            for n, r in enumerate(rows[1:], start=2)
            if any(v.strip() for v in r)
        ]

    def problem(self, number: int, message: str) -> None:
        self.problems.append(f"{self.name}: row {number}: {message}")

    def extras(self, number: int, row: Mapping[str, str]) -> dict[str, Any]:
        found = _ANNOTATION.search(row.get(ANNOTATION, ""))
        if found is None:
            return {}
        try:
            value = json.loads(found.group(1))
        except ValueError:
            self.problem(number, "the survey_app= annotation is not JSON")
            return {}
        return value if isinstance(value, dict) else {}

    def choices(self, number: int, row: Mapping[str, str]) -> list[dict[str, Any]] | None:
        options = []
        for part in row.get(CHOICES, "").split("|"):
            if not part.strip():
                continue
            code, _, label = part.partition(",")
            if not re.fullmatch(r"\s*-?\d+\s*", code) or not label.strip():
                self.problem(
                    number, f"choice {part.strip()!r} is not 'code, label' with a whole-number code"
                )
                return None
            options.append({"code": int(code), "label": {"en": label.strip()}})
        if not options:
            self.problem(number, "a choice field with no choices")
            return None
        return options

    def item(
        self, number: int, row: Mapping[str, str], extra: dict[str, Any]
    ) -> dict[str, Any] | None:
        kind, name = row.get(TYPE, ""), row.get(NAME, "")
        if kind in _REFUSED:
            self.problem(number, f"{name}: {_REFUSED[kind]} ({kind}) cannot be carried")
            return None
        if row.get(IDENTIFIER, "").lower() in ("y", "yes"):
            # This app keeps no names, addresses or dates of birth (participants are pseudonyms).
            self.problem(number, f"{name}: an identifier (Identifier? y) is not carried")
            return None
        if row.get(RANKING, "").lower() == "y":
            self.problem(number, f"{name}: matrix ranking cannot be carried")
            return None
        item: dict[str, Any]
        marked = extra.get("type")
        if kind in ("radio", "dropdown", "checkbox"):
            options = self.choices(number, row)
            if options is None:
                return None
            own, offer = split_offer(options)
            if marked == "consent":
                item = {"type": "consent"}
            elif marked == "rating":
                codes = [o["code"] for o in own]
                item = {"type": "rating", "min": min(codes), "max": max(codes)}
                item.update({k: extra[k] for k in ("low_label", "high_label") if k in extra})
            elif marked == "yesno":
                item = {"type": "yesno"}
            else:
                item = {"type": marked or ("multiple" if kind == "checkbox" else "single")}
                if extra.get("choices_from") in self.library.lists:
                    item["choices_from"] = extra["choices_from"]
                elif extra.get("scale"):
                    item["scale"] = self.scale(extra["scale"], own)
                else:
                    item["options"] = own
            if offer:
                item["offer"] = offer
        elif kind == "yesno":
            item = {"type": "yesno"}
        elif kind in ("text", "notes"):
            validation = row.get(VALIDATION, "")
            if validation not in _TEXT_VALIDATION:
                self.problem(number, f"{name}: text validation {validation!r} cannot be carried")
                return None
            wanted = _TEXT_VALIDATION[validation]
            if wanted == "integer":
                try:
                    item = {"type": "integer", "min": int(row[VMIN]), "max": int(row[VMAX])}
                except (KeyError, ValueError):
                    self.problem(number, f"{name}: a whole number needs a minimum and a maximum")
                    return None
            elif wanted == "date":
                item = {"type": "date"}
            else:
                item = {"type": "short_text" if kind == "text" else "long_text"}
                limit = re.search(r"@CHARLIMIT\s*=\s*['\"]?(\d+)", row.get(ANNOTATION, ""))
                if limit:
                    item["max_length"] = int(limit.group(1))
        elif kind == "descriptive":
            item = {"type": "info"}
        else:
            self.problem(number, f"{name}: unknown field type {kind!r}")
            return None
        if item["type"] != "info":
            item = {"type": item.pop("type"), "variable": name, **item}
        item["text"] = {"en": row.get(LABEL) or name}
        if row.get(NOTE) and marked != "rating":
            item["help"] = {"en": row[NOTE]}
        if row.get(REQUIRED, "").lower() in ("y", "yes", "1") and item["type"] != "consent":
            item["required"] = True
        if row.get(BRANCHING) and not _OTHER_OF_CHECKBOX.fullmatch(row[BRANCHING]):
            rule = parse_condition(row[BRANCHING], redcap=True)
            if rule is None:
                self.problem(
                    number,
                    f"{name}: branching logic {row[BRANCHING]!r} is not carried (use [var] = 'code' joined by or, or <> joined by and)",
                )
                return None
            item["show_if"] = rule
        elif "show_if" in extra:
            item["show_if"] = extra["show_if"]
        item["_row"] = f"row {number}"
        return item

    def scale(self, base: str, options: list[dict[str, Any]]) -> str:
        known = self.library.scales.get(base)
        if known is not None and [(o["code"], o["label"]["en"]) for o in known["options"]] == [
            (o["code"], o["label"]["en"]) for o in options
        ]:
            return base
        self.scales[base] = {"options": options}
        return base

    def run(self) -> dict[str, Any]:
        if not self.rows:
            raise ImportRefused([f"{self.name}: row 2: the dictionary has no fields"])
        # REDCap's first field is always the record ID: not a question.
        first_number, first = self.rows[0]
        top: dict[str, Any] = self.extras(first_number, first).get("instrument", {})
        rows = self.rows[1:]
        forms = list(dict.fromkeys(row.get(FORM, "") for _n, row in self.rows))
        main = self.form or forms[0]
        if main not in forms:
            raise ImportRefused([f"{self.name}: no form {main!r} (its forms: {', '.join(forms)})"])
        groups = {
            row.get(NAME, "")
            for _n, row in rows
            if row.get(FORM) == main and "repeat" in self.extras(0, row)
        }
        others = [f for f in forms if f != main and f not in groups]
        if others and self.form is None:
            raise ImportRefused(
                [
                    f"{self.name}: the dictionary holds {len(forms)} forms ({', '.join(forms)}): "
                    "choose one with --form"
                ]
            )
        repeats: dict[str, list[dict[str, Any]]] = {}
        for number, row in rows:
            form = row.get(FORM, "")
            if form in groups:
                item = self.item(number, row, self.extras(number, row))
                if item is not None:
                    self.attach_other(repeats.setdefault(form, []), item, number, row)
        sections: list[dict[str, Any]] = []
        for number, row in rows:
            if row.get(FORM, "") != main:
                continue
            extra = self.extras(number, row)
            if row.get(HEADER) or not sections:
                ident = (
                    extra.get("section")
                    or re.sub(r"\W+", "_", (row.get(HEADER) or "part").lower()).strip("_")
                    or "part"
                )
                sections.append(
                    {"id": ident, "title": {"en": row.get(HEADER) or "Part 1"}, "items": []}
                )
                if extra.get("intro") is not None:
                    if extra["intro"]:
                        sections[-1]["intro"] = {"en": row.get(LABEL, "")}
                    continue
            section = sections[-1]
            if "repeat" in extra:
                group: dict[str, Any] = {
                    "type": "group",
                    "variable": row.get(NAME, ""),
                    "text": {"en": row.get(LABEL, "")},
                }
                group.update(extra["repeat"])
                group["_row"] = f"row {number}"
                group.setdefault("min_entries", 0)
                group.setdefault("max_entries", 20)
                group["items"] = repeats.pop(row.get(NAME, ""), [])
                if row.get(BRANCHING):
                    group["show_if"] = parse_condition(row[BRANCHING], redcap=True)
                elif "show_if" in extra:
                    group["show_if"] = extra["show_if"]
                section["items"].append(group)
                continue
            item = self.item(number, row, extra)
            if item is None:
                continue
            block = extra.get("block")
            if block:
                self.add_to_block(section, item, block)
                continue
            self.attach_other(section["items"], item, number, row)
        if self.problems:
            raise ImportRefused(self.problems)
        for section in sections:
            section["items"] = [
                self.finish_block(i) if "members" in i else i for i in section["items"]
            ]
        if self.problems:
            raise ImportRefused(self.problems)
        source: dict[str, Any] = {"format": 2, "key": "", "version": 1}
        source.update(top)
        source.setdefault("title", {"en": main or "Imported"})
        source["languages"] = ["en"]
        if self.scales:
            source["scales"] = self.scales
        source["sections"] = sections
        return source

    def attach_other(
        self, items: list[dict[str, Any]], item: dict[str, Any], number: int, row: Mapping[str, str]
    ) -> None:
        previous = items[-1] if items else None
        if (
            previous is not None
            and item.get("variable") == f"{previous.get('variable')}_other"
            and previous.get("options")
            and item["type"] == "short_text"
        ):
            found = re.search(r"\((-?\d+)\)\]\s*=\s*'1'|\]\s*=\s*'(-?\d+)'", row.get(BRANCHING, ""))
            code = int(found.group(1) or found.group(2)) if found else None
            option = next((o for o in previous["options"] if o["code"] == code), None)
            if option is not None:
                option["other_text"] = True
                return
        items.append(item)

    def add_to_block(
        self, section: dict[str, Any], item: dict[str, Any], block: Mapping[str, Any]
    ) -> None:
        last = section["items"][-1] if section["items"] else None
        if last is None or last.get("prefix") != block.get("prefix") or "members" not in last:
            last = {
                "block": block.get("key"),
                "prefix": block.get("prefix"),
                "members": [],
                "_row": item.get("_row"),
            }
            section["items"].append(last)
        last["members"].append(item)

    def finish_block(self, use: dict[str, Any]) -> dict[str, Any]:
        members = use.pop("members")
        block = self.library.blocks.get(use["block"])
        params = block_params(block, members, ["en"]) if block else None
        if block is None or params is None:
            self.problems.append(
                f"{self.name}: {use['prefix']}: the block {use['block']!r} is not known here or its texts differ"
            )
            return use
        if params:
            use["params"] = params
        if "show_if" in members[0]:
            use["show_if"] = members[0]["show_if"]
        if members[0].get("offer"):
            use["offer"] = members[0]["offer"]
        return use


def read_redcap(path: Path, library: Library, form: str | None = None) -> dict[str, Any]:
    """An instrument source (before key, audience and waves are settled) from a dictionary:
    its one form, or ``form`` of several (a REDCap project's dictionary holds them all)."""
    return _Reader(path, library, form).run()
