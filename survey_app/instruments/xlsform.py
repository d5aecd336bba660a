"""XLSForm (ODK, KoboToolbox) out of and into an instrument.

Out: a published version's definition becomes a workbook with the survey, choices and settings
sheets (https://xlsform.org): a section is a group, the WAI-SR (any block) a group inside it, a
repeated group a ``begin repeat``; show-if is ``relevant``; each language a ``label::English
(en)`` / ``label::Welsh (cy)`` column. What XLSForm has no column for (a rating's end labels and
missing codes, a repeat's bounds, the block a group is, the instrument's audience and waves)
rides in a ``survey_app`` column of JSON, which XLSForm tools ignore. Written with openpyxl:
pyxform, the reference converter, is needed only by the tests that check the workbook converts.

In: a workbook (ours, or one written by hand as in ODK) becomes an instrument source file. A
construct this app cannot carry is refused with one line naming sheet and row."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .interchange import (
    LANG_NAMES,
    ImportRefused,
    block_params,
    offer_options,
    parse_condition,
    split_offer,
    xpath_relevant,
)
from .loader import YESNO, Library

EXTRA = "survey_app"
_LANG_BY_NAME = {name: lang for lang, name in LANG_NAMES.items()}
_SETTINGS_KEYS = (
    "format",
    "audience",
    "waves",
    "languages",
    "title",
    "description",
    "citation",
    "licence",
    "translation_note",
    "notes",
)


# --- out ---------------------------------------------------------------------------------


class _Writer:
    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.d = definition
        self.languages: list[str] = list(definition.get("languages", ["en"]))
        self.rows: list[dict[str, Any]] = []
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self.info = 0
        self.variables = {
            item["variable"]
            for section in definition["sections"]
            for top in section["items"]
            for item in [top, *top.get("items", [])]
            if "variable" in item
        }

    def text_columns(self, column: str, text: Mapping[str, str] | None) -> dict[str, str]:
        if not text:
            return {}
        return {
            f"{column}::{LANG_NAMES[lang]}": text[lang] for lang in self.languages if lang in text
        }

    def row(self, kind: str, name: str = "", label: Any = None, **extra: Any) -> dict[str, Any]:
        row: dict[str, Any] = {"type": kind, "name": name, **self.text_columns("label", label)}
        for key, value in extra.items():
            if value in (None, "", {}):
                continue
            row[key] = json.dumps(value, ensure_ascii=False) if key == EXTRA else value
        self.rows.append(row)
        return row

    def choice_list(self, item: Mapping[str, Any]) -> str:
        """The choices' list name: the scale's, the bundled list's, yesno, or the variable's;
        with __dk / __pnts / __dk_pnts when missing codes are offered with them."""
        if item["type"] == "yesno":
            options = item.get("options") or YESNO["options"]
            base = "yesno"
            if item.get("options") and "cy" in self.languages:
                base = "yesno_" + re.sub(r"\W+", "_", options[0]["label"]["cy"].lower())
        elif item.get("choices_from"):
            base, options = item["choices_from"], item["options"]
        elif item.get("options"):
            base, options = item["variable"], item["options"]
        else:
            base, options = item["scale"], self.d["scales"][item["scale"]]["options"]
        offer = item.get("offer", [])
        name = base + ("__" + "_".join(_SHORT[o] for o in offer) if offer else "")
        if name not in self.lists:
            labelled = [{"code": o["code"], "label": o["label"]} for o in options]
            self.lists[name] = labelled + offer_options(item, self.languages)
        return name

    def item(self, item: Mapping[str, Any], relevant: bool = True) -> None:
        kind = item["type"]
        common: dict[str, Any] = {
            "required": "yes" if item.get("required") else "",
            "relevant": xpath_relevant(item["show_if"]) if relevant and "show_if" in item else "",
            **self.text_columns("hint", item.get("help")),
        }
        name, text = item.get("variable", ""), item["text"]
        if kind in ("likert", "single", "yesno"):
            appearance = "likert" if kind == "likert" else ""
            self.row(
                f"select_one {self.choice_list(item)}", name, text, appearance=appearance, **common
            )
        elif kind == "multiple":
            self.row(f"select_multiple {self.choice_list(item)}", name, text, **common)
        elif kind == "consent":
            self.row("acknowledge", name, text, **common)
        elif kind == "rating":
            extra = {key: item[key] for key in ("low_label", "high_label", "offer") if key in item}
            params = f"start={item['min']} end={item['max']} step=1"
            self.row("range", name, text, parameters=params, survey_app=extra, **common)
        elif kind in ("short_text", "long_text"):
            appearance = "multiline" if kind == "long_text" else ""
            constraint = f"string-length(.) <= {item['max_length']}"
            self.row("text", name, text, appearance=appearance, constraint=constraint, **common)
        elif kind == "date":
            self.row("date", name, text, **common)
        elif kind == "integer":
            constraint = f". >= {item['min']} and . <= {item['max']}"
            self.row("integer", name, text, constraint=constraint, **common)
        elif kind == "info":
            self.info += 1
            self.row("note", f"info_{self.info}", text, **common)
        elif kind == "group":
            extra = {
                key: item[key]
                for key in ("min_entries", "max_entries", "entry_label")
                if key in item
            }
            self.row("begin repeat", name, text, survey_app=extra, **common)
            for sub in item["items"]:
                self.item(sub)
            self.row("end repeat")
        other = next((o for o in item.get("options", []) if o.get("other_text")), None)
        if other is not None:
            # ODK's way: a text question shown when "Other" is chosen.
            self.row(
                "text",
                f"{name}_other",
                other["label"],
                relevant=f"selected(${{{name}}}, '{other['code']}')",
            )

    def section(self, section: Mapping[str, Any]) -> None:
        # XLSForm names are unique across the form: a page named like a question is renamed,
        # its own id kept in the survey_app column.
        name, extra = section["id"], {}
        if name in self.variables:
            name, extra = f"{name}_page", {"section": section["id"]}
        self.row("begin group", name, section["title"], appearance="field-list", survey_app=extra)
        if section.get("intro"):
            self.row("note", f"{section['id']}_intro", section["intro"], survey_app={"intro": True})
        items = list(section["items"])
        i = 0
        while i < len(items):
            block = items[i].get("block")
            if block is None:
                self.item(items[i])
                i += 1
                continue
            members = [
                it for it in items[i:] if (it.get("block") or {}).get("prefix") == block["prefix"]
            ]
            first = members[0]
            title = self.d["blocks"][block["prefix"]]["title"]
            self.row(
                "begin group",
                block["prefix"],
                {lang: title for lang in self.languages},
                relevant=xpath_relevant(first["show_if"]) if "show_if" in first else "",
                survey_app={"block": block["key"]},
            )
            for member in members:
                self.item(member, relevant=False)
            self.row("end group")
            i += len(members)
        self.row("end group")

    def settings(self) -> dict[str, Any]:
        extra = {key: self.d[key] for key in _SETTINGS_KEYS if key in self.d}
        return {
            "form_title": self.d["title"]["en"],
            "form_id": self.d["key"],
            "version": str(self.d["version"]),
            "default_language": LANG_NAMES["en"],
            EXTRA: json.dumps(extra, ensure_ascii=False),
        }


_SHORT = {"dont_know": "dk", "prefer_not_to_say": "pnts"}


def export_xlsform(definition: Mapping[str, Any]) -> bytes:
    """The XLSForm workbook of an expanded instrument definition."""
    writer = _Writer(definition)
    for section in definition["sections"]:
        writer.section(section)
    book = Workbook()
    survey = book.active
    assert survey is not None  # noqa: S101 - a new workbook has its sheet
    survey.title = "survey"
    columns: list[str] = []
    for row in writer.rows:
        columns += [key for key in row if key not in columns]
    survey.append(columns)
    for row in writer.rows:
        survey.append([row.get(column, "") for column in columns])
    choices = book.create_sheet("choices")
    label_columns = [f"label::{LANG_NAMES[lang]}" for lang in writer.languages]
    choices.append(["list_name", "name", *label_columns])
    for list_name, options in writer.lists.items():
        for option in options:
            labels = [option["label"].get(lang, "") for lang in writer.languages]
            choices.append([list_name, str(option["code"]), *labels])
    settings = book.create_sheet("settings")
    values = writer.settings()
    settings.append(list(values))
    settings.append(list(values.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- in ----------------------------------------------------------------------------------


_REFUSED_TYPES = {
    "calculate": "a calculation",
    "rank": "a ranking question",
    "geopoint": "a location",
    "geotrace": "a location",
    "geoshape": "a location",
    "image": "a photo",
    "audio": "a recording",
    "video": "a video",
    "file": "a file upload",
    "barcode": "a barcode",
    "decimal": "a decimal number",
    "time": "a time",
    "dateTime": "a date and time",
    "hidden": "a hidden value",
}
# Columns whose meaning this app has no place for: refused rather than silently dropped.
_UNCARRIED_COLUMNS = {
    "calculation",
    "choice_filter",
    "repeat_count",
    "default",
    "read_only",
    "trigger",
    "media",
    "image",
    "audio",
    "video",
    "body",
    "bind",
    "instance",
}
_YES = {"yes", "true", "true()", "1"}
_NO = {"", "no", "false", "false()", "0"}
_CONSTRAINED = ("short_text", "long_text", "integer")
_METADATA = {"start", "end", "today", "deviceid", "username", "phonenumber", "audit", "simserial"}


def _sheet_rows(book: Any, name: str, filename: str) -> list[tuple[int, dict[str, str]]]:
    if name not in book.sheetnames:
        raise ImportRefused(
            [f"{filename}: sheet {name}: missing (an XLSForm has survey and choices)"]
        )
    rows = list(book[name].iter_rows(values_only=True))
    if not rows:
        raise ImportRefused([f"{filename}: sheet {name}, row 1: no header row"])
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        row = {
            header[i]: str(v).strip()
            for i, v in enumerate(values)
            if i < len(header) and header[i] and v is not None and str(v).strip() != ""
        }
        if row:
            out.append((number, row))
    return out


def _texts(row: Mapping[str, str], column: str) -> dict[str, str]:
    """{lang: text} from label::English (en) / label::Welsh (cy), or a plain ``label``."""
    found: dict[str, str] = {}
    for key, value in row.items():
        if key == column or key == f"{column}::English":
            found["en"] = value
        elif key.startswith(f"{column}::"):
            lang = _LANG_BY_NAME.get(key.split("::", 1)[1])
            found[lang or "?"] = value
    found.pop("?", None)
    return found


class _Reader:
    def __init__(self, path: Path, library: Library) -> None:
        self.name = path.name
        self.library = library
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
            raise ImportRefused([f"{self.name}: not an Excel workbook (.xlsx): {exc}"]) from None
        self.survey = _sheet_rows(book, "survey", self.name)
        self.choice_rows = _sheet_rows(book, "choices", self.name)
        self.settings_rows = (
            _sheet_rows(book, "settings", self.name) if "settings" in book.sheetnames else []
        )
        self.problems: list[str] = []
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self.scales: dict[str, dict[str, Any]] = {}
        self.languages: set[str] = {"en"}

    def problem(self, sheet: str, row: int, message: str) -> None:
        self.problems.append(f"{self.name}: sheet {sheet}, row {row}: {message}")

    def extras(self, sheet: str, number: int, row: Mapping[str, str]) -> dict[str, Any]:
        raw = row.get(EXTRA)
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            self.problem(sheet, number, f"the {EXTRA} column is not JSON")
            return {}
        if not isinstance(value, dict):
            self.problem(sheet, number, f"the {EXTRA} column is not a JSON object")
            return {}
        return value

    def read_choices(self) -> None:
        self.uses: dict[str, int] = {}
        for _number, row in self.survey:
            words = row.get("type", "").split()
            if len(words) == 2 and words[0] in ("select_one", "select_multiple"):
                self.uses[words[1]] = self.uses.get(words[1], 0) + 1
        for number, row in self.choice_rows:
            list_name, code = row.get("list_name"), row.get("name")
            label = _texts(row, "label")
            if not list_name or code is None:
                self.problem("choices", number, "needs a list_name and a name")
                continue
            if not re.fullmatch(r"-?\d+", code):
                self.problem("choices", number, f"name {code!r} is not a whole-number code")
                continue
            if "en" not in label:
                self.problem("choices", number, "no English label (label::English (en))")
                continue
            self.languages.update(label)
            self.lists.setdefault(list_name, []).append({"code": int(code), "label": label})

    def choice_item(
        self, kind: str, list_name: str, row: Mapping[str, str], number: int
    ) -> dict[str, Any] | None:
        options = self.lists.get(list_name)
        if options is None:
            self.problem("survey", number, f"no choices with list_name {list_name!r}")
            return None
        own, offer = split_offer(options)
        base = list_name.split("__", 1)[0]
        item: dict[str, Any] = {"type": kind}
        if offer:
            item["offer"] = offer
        if kind == "multiple" and base in self.library.lists:
            entries = self.library.lists[base]["entries"]
            if [(o["code"], o["label"]["en"]) for o in own] == [
                (e["code"], e["name"]) for e in entries
            ]:
                item["choices_from"] = base
                return item
        if base.startswith("yesno") and kind == "single" and {o["code"] for o in own} == {0, 1}:
            item["type"] = "yesno"
            cy = {o["code"]: o["label"].get("cy") for o in own}
            if base != "yesno" and cy[1] and cy[0]:
                item["yes_no_cy"] = [cy[1], cy[0]]
            return item
        likert = row.get("appearance") == "likert"
        shared = self.uses.get(list_name, 0) > 1 or (
            base in self.library.scales and _same_options(self.library.scales[base]["options"], own)
        )
        # A list named for its question is that question's own; a shared one is a scale.
        if likert or (base != row.get("name") and shared):
            scale = self.scale(base, own)
            item["scale"] = scale
            if likert:
                item["type"] = "likert"
            return item
        item["options"] = own
        return item

    def scale(self, base: str, options: list[dict[str, Any]]) -> str:
        """The library's scale when the choices are its own; otherwise one of the file's."""
        known = self.library.scales.get(base)
        if known is not None and _same_options(known["options"], options):
            return base
        self.scales[base] = {"options": options}
        return base

    def question(self, number: int, row: dict[str, str]) -> dict[str, Any] | None:
        kind = row.get("type", "")
        words = kind.split()
        name, text = row.get("name", ""), _texts(row, "label")
        extra = self.extras("survey", number, row)
        if words and words[0] in _REFUSED_TYPES:
            self.problem(
                "survey", number, f"{name}: {_REFUSED_TYPES[words[0]]} ({kind}) cannot be carried"
            )
            return None
        uncarried = [column for column in row if column.split("::", 1)[0] in _UNCARRIED_COLUMNS]
        if uncarried:
            self.problem(
                "survey", number, f"{name}: the {uncarried[0]} column is not carried (clear it)"
            )
            return None
        if "or_other" in words:
            self.problem(
                "survey",
                number,
                f"{name}: or_other is not carried: add an Other choice and a text question {name}_other",
            )
            return None
        item: dict[str, Any] | None
        if words and words[0] in ("select_one", "select_multiple") and len(words) == 2:
            single = words[0] == "select_one"
            item = self.choice_item("single" if single else "multiple", words[1], row, number)
        elif kind == "acknowledge":
            item = {"type": "consent"}
        elif kind == "range":
            params = dict(p.split("=", 1) for p in row.get("parameters", "").split() if "=" in p)
            try:
                item = {
                    "type": "rating",
                    "min": int(params.get("start", 1)),
                    "max": int(params.get("end", 10)),
                }
            except ValueError:
                self.problem("survey", number, f"{name}: range start and end must be whole numbers")
                return None
            if params.get("step", "1") != "1":
                self.problem(
                    "survey", number, f"{name}: a range with a step other than 1 cannot be carried"
                )
                return None
            item.update({k: extra[k] for k in ("low_label", "high_label", "offer") if k in extra})
        elif kind in ("text", "string"):
            long = "multiline" in row.get("appearance", "")
            item = {"type": "long_text" if long else "short_text"}
            found = re.fullmatch(r"string-length\(\.\)\s*<=\s*(\d+)", row.get("constraint", ""))
            if found:
                item["max_length"] = int(found.group(1))
            elif row.get("constraint"):
                self.problem(
                    "survey",
                    number,
                    f"{name}: constraint {row['constraint']!r} is not carried (only "
                    "string-length(.) <= N)",
                )
                return None
        elif kind == "date":
            item = {"type": "date"}
        elif kind in ("integer", "int"):
            found = re.fullmatch(
                r"\.\s*>=\s*(-?\d+)\s+and\s+\.\s*<=\s*(-?\d+)", row.get("constraint", "")
            )
            if found is None:
                self.problem(
                    "survey",
                    number,
                    f"{name}: a whole number needs a constraint '. >= MIN and . <= MAX'",
                )
                return None
            item = {"type": "integer", "min": int(found.group(1)), "max": int(found.group(2))}
        elif kind == "note":
            item = {"type": "info"}
        else:
            self.problem("survey", number, f"{name}: unknown or uncarried type {kind!r}")
            return None
        if row.get("constraint") and item is not None and item["type"] not in _CONSTRAINED:
            self.problem("survey", number, f"{name}: a constraint on a {kind} is not carried")
            return None
        if item is None:
            return None
        if item["type"] != "info":
            item = {"type": item.pop("type"), "variable": name, **item}
        if "en" not in text:
            self.problem("survey", number, f"{name}: no English label (label::English (en))")
            return None
        self.languages.update(text)
        item["text"] = text
        hint = _texts(row, "hint")
        if hint:
            item["help"] = hint
        required = row.get("required", "").lower()
        if required not in _YES | _NO:
            self.problem(
                "survey", number, f"{name}: required {required!r} is not carried (yes or no)"
            )
            return None
        if required in _YES and item["type"] != "consent":
            item["required"] = True
        if row.get("relevant"):
            rule = parse_condition(row["relevant"], redcap=False)
            if rule is None:
                self.problem(
                    "survey",
                    number,
                    f"{name}: relevant {row['relevant']!r} is not carried (use ${{var}} = 'code' joined by or, or != joined by and)",
                )
                return None
            item["show_if"] = rule
        item["_row"] = f"sheet survey, row {number}"
        return item

    def run(self) -> dict[str, Any]:
        self.read_choices()
        sections: list[dict[str, Any]] = []
        rows: Iterator[tuple[int, dict[str, str]]] = iter(self.survey)
        loose: dict[str, Any] | None = None
        for number, row in rows:
            kind = row.get("type", "")
            if kind in _METADATA:
                continue
            if kind == "begin group":
                sections.append(self.section(number, row, rows))
                loose = None
            elif kind in ("end group", "end repeat"):
                self.problem("survey", number, f"{kind} without a begin")
            else:
                entries = self.entries(number, row, rows, loose or {"items": []})
                rule = entries[0].get("show_if", {}) if entries else {}
                if loose is None or rule.get("variable") in _variables(loose):
                    # Questions outside any group: ODK shows them one a screen, so a question
                    # that depends on one before it may start a new page (a page is built from
                    # the answers saved before it).
                    n = len(sections) + 1
                    loose = {"id": f"part_{n}", "title": {"en": f"Part {n}"}, "items": []}
                    sections.append(loose)
                loose["items"].extend(entries)
        self.check_languages()
        if self.problems:
            raise ImportRefused(self.problems)
        for section in sections:
            if section["title"] == {"en": section["title"]["en"]} and "cy" in self.languages:
                section["title"]["cy"] = section["title"]["en"].replace("Part", "Rhan")
        return self.source(sections)

    def check_languages(self) -> None:
        """A label or hint in a language this app has not is refused, not dropped."""
        for sheet, rows in (("survey", self.survey), ("choices", self.choice_rows)):
            columns = {column for _n, row in rows for column in row}
            for column in sorted(columns):
                head, _, lang = column.partition("::")
                if head in ("label", "hint") and lang not in ("", "English", *_LANG_BY_NAME):
                    self.problem(
                        sheet,
                        1,
                        f"column {column!r}: the languages carried are English (en) and Welsh (cy)",
                    )

    def entries(
        self,
        number: int,
        row: dict[str, str],
        rows: Iterator[tuple[int, dict[str, str]]],
        section: dict[str, Any],
    ) -> list[dict[str, Any]]:
        kind = row.get("type", "")
        if kind == "begin repeat":
            return [self.repeat(number, row, rows)]
        if kind == "begin group":
            return [self.block(number, row, rows)]
        name = row.get("name", "")
        previous = section["items"][-1] if section["items"] else None
        if (
            kind == "text"
            and previous is not None
            and name == f"{previous.get('variable')}_other"
            and previous.get("options")
        ):
            found = re.fullmatch(r"selected\(\$\{\w+\},\s*'(-?\d+)'\)", row.get("relevant", ""))
            option = next(
                (o for o in previous["options"] if found and o["code"] == int(found.group(1))), None
            )
            if option is not None:
                option["other_text"] = True
                return []
        if (
            kind == "note"
            and self.extras("survey", number, row).get("intro")
            and not section["items"]
            and "intro" not in section
        ):
            section["intro"] = _texts(row, "label")
            return []
        item = self.question(number, row)
        return [item] if item is not None else []

    def section(
        self, number: int, row: dict[str, str], rows: Iterator[tuple[int, dict[str, str]]]
    ) -> dict[str, Any]:
        title = _texts(row, "label") or {"en": row.get("name", f"Part {number}")}
        ident = self.extras("survey", number, row).get("section") or row.get(
            "name", f"part_{number}"
        )
        section: dict[str, Any] = {"id": ident, "title": title, "items": []}
        if row.get("relevant"):
            self.problem(
                "survey",
                number,
                "relevant on a page (group) is not carried: put it on its questions",
            )
        for sub_number, sub in rows:
            if sub.get("type") == "end group":
                return section
            if sub.get("type", "") in _METADATA:
                continue
            section["items"].extend(self.entries(sub_number, sub, rows, section))
        self.problem("survey", number, "begin group without end group")
        return section

    def repeat(
        self, number: int, row: dict[str, str], rows: Iterator[tuple[int, dict[str, str]]]
    ) -> dict[str, Any]:
        extra = self.extras("survey", number, row)
        group: dict[str, Any] = {
            "type": "group",
            "variable": row.get("name", ""),
            "text": _texts(row, "label"),
            "items": [],
            "_row": f"sheet survey, row {number}",
        }
        for key in ("entry_label", "min_entries", "max_entries"):
            if key in extra:
                group[key] = extra[key]
        group.setdefault("min_entries", 0)
        group.setdefault("max_entries", 20)
        if row.get("relevant"):
            group["show_if"] = parse_condition(row["relevant"], redcap=False)
        holder: dict[str, Any] = {"items": []}
        for sub_number, sub in rows:
            if sub.get("type") == "end repeat":
                group["items"] = holder["items"]
                return group
            if sub.get("type") in ("begin repeat", "begin group"):
                self.problem("survey", sub_number, "a group inside a repeat is not carried")
                continue
            holder["items"].extend(self.entries(sub_number, sub, rows, holder))
        self.problem("survey", number, "begin repeat without end repeat")
        return group

    def block(
        self, number: int, row: dict[str, str], rows: Iterator[tuple[int, dict[str, str]]]
    ) -> dict[str, Any]:
        """A group inside a page: a block use when it says which block, else refused."""
        key = self.extras("survey", number, row).get("block")
        members: list[dict[str, Any]] = []
        for sub_number, sub in rows:
            if sub.get("type") == "end group":
                break
            item = self.question(sub_number, sub)
            if item is not None:
                members.append(item)
        languages = sorted(self.languages)
        if key is None and members:
            # A tool that dropped the survey_app column: the block whose items these are.
            key = next(
                (
                    k
                    for k, b in self.library.blocks.items()
                    if len(b["items"]) == len(members)
                    and block_params(b, members, languages) is not None
                ),
                None,
            )
        block = self.library.blocks.get(key or "")
        params = block_params(block, members, languages) if block and members else None
        if block is None or params is None:
            self.problem(
                "survey",
                number,
                f'{row.get("name")}: a group inside a page is carried only as a known block (survey_app column {{"block": ...}})',
            )
            return {}
        use: dict[str, Any] = {"block": key, "prefix": row.get("name", "")}
        use["_row"] = f"sheet survey, row {number}"
        if params:
            use["params"] = params
        if row.get("relevant"):
            use["show_if"] = parse_condition(row["relevant"], redcap=False)
        if members[0].get("offer"):
            use["offer"] = members[0]["offer"]
        return use

    def source(self, sections: list[dict[str, Any]]) -> dict[str, Any]:
        settings = self.settings_rows[0][1] if self.settings_rows else {}
        extra = self.extras("settings", 2, settings) if settings else {}
        source: dict[str, Any] = {"format": extra.get("format", 2), "key": "", "version": 1}
        # form_title, and in a form in Welsh the Welsh title in title_cy (our column: pyxform
        # reads form_title::... as no title at all).
        title = {"en": settings.get("form_title", "Imported")}
        if settings.get("title_cy"):
            title["cy"] = settings["title_cy"]
        source["title"] = extra.get("title") or title
        for key in (
            "description",
            "audience",
            "waves",
            "languages",
            "citation",
            "licence",
            "translation_note",
            "notes",
        ):
            if key in extra:
                source[key] = extra[key]
        # A form written by hand in Excel may say who answers it in plain settings columns.
        if "audience" in settings:
            source.setdefault("audience", settings["audience"])
        if "waves" in settings:
            source.setdefault(
                "waves", [w.strip() for w in settings["waves"].split(",") if w.strip()]
            )
        source.setdefault("languages", sorted(self.languages, key=lambda lang: lang != "en"))
        if self.scales:
            source["scales"] = self.scales
        source["sections"] = sections
        return source


def _variables(section: Mapping[str, Any]) -> set[str]:
    return {item["variable"] for item in section["items"] if "variable" in item}


def _same_options(known: list[dict[str, Any]], read: list[dict[str, Any]]) -> bool:
    """The same codes with the same labels in every language the file gives."""
    return [o["code"] for o in known] == [o["code"] for o in read] and all(
        k["label"].get(lang) == text
        for k, r in zip(known, read, strict=True)
        for lang, text in r["label"].items()
    )


def read_xlsform(path: Path, library: Library) -> dict[str, Any]:
    """An instrument source (before key, audience and waves are settled) from an XLSForm."""
    return _Reader(path, library).run()
