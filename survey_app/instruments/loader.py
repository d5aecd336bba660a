"""Load instrument files: parse YAML, validate with the schemas, expand blocks and scales,
and check what needs the whole file. Every problem becomes one line naming the file, the path
inside it and the problem, e.g. ``mothers_t1.yaml: sections[2].items[4].scale: unknown scale
'agree7'``; never a traceback."""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .schema import (
    CHOICE_TYPES,
    BlockSchema,
    InstrumentSchema,
    ListSchema,
    ScaleLibrarySchema,
)
from .yaml_files import InstrumentError as InstrumentError
from .yaml_files import read_yaml, validated

DATA_DIR = Path(__file__).parent
FILES_DIR = DATA_DIR / "files"
SHARED_DIR = DATA_DIR / "shared"
# The shared yes/no scale. Its Welsh labels are format 1's (kept so that published versions
# expand as they did); a format 2 question gives its own Welsh yes and no (yes_no_cy).
YESNO: dict[str, Any] = {
    "options": [
        {"code": 1, "label": {"en": "Yes", "cy": "Ydw / Do / Oes"}},
        {"code": 0, "label": {"en": "No", "cy": "Nac ydw / Naddo / Nac oes"}},
    ]
}


# Welsh has no one word for yes and no: the answer echoes the question's verb ("Ydych chi'n
# ...?" "Ydw." / "Nac ydw."). The yes and no pairs a yes/no question may carry (yes_no_cy);
# a yes of one verb with the no of another is refused. Add a pair here if a question needs it.
WELSH_YES_NO: Final = (
    ("Ydw", "Nac ydw"),
    ("Ydy", "Nac ydy"),
    ("Ydyn", "Nac ydyn"),
    ("Ydych", "Nac ydych"),
    ("Oes", "Nac oes"),
    ("Do", "Naddo"),
    ("Oedd", "Nac oedd"),
    ("Oeddwn", "Nac oeddwn"),
    ("Bydd", "Na fydd"),
    ("Byddaf", "Na fyddaf"),
    ("Byddwn", "Na fyddwn"),
    ("Gallaf", "Na allaf"),
    ("Galla", "Na alla"),
    ("Hoffwn", "Na hoffwn"),
    ("Dylwn", "Na ddylwn"),
    ("Ie", "Nage"),
)


@dataclass(frozen=True)
class Library:
    scales: Mapping[str, dict[str, Any]]
    blocks: Mapping[str, dict[str, Any]]
    # Bundled lists of choices by key (shared/lists/*.yaml), for ``choices_from``.
    lists: Mapping[str, dict[str, Any]] = field(default_factory=dict)


def load_library(shared_dir: Path = SHARED_DIR) -> Library:
    scales: dict[str, dict[str, Any]] = {"yesno": YESNO}
    problems: list[str] = []
    scales_file = shared_dir / "scales.yaml"
    if scales_file.exists():
        try:
            data = validated(ScaleLibrarySchema(), read_yaml(scales_file), scales_file.name)
            scales.update(data["scales"])
        except InstrumentError as exc:
            problems.extend(exc.problems)
    blocks = _load_keyed(shared_dir, "blocks", BlockSchema(), problems)
    lists = _load_keyed(shared_dir, "lists", ListSchema(), problems)
    if problems:
        raise InstrumentError(problems)
    return Library(scales=scales, blocks=blocks, lists=lists)


def _load_keyed(
    shared_dir: Path, folder: str, schema: Any, problems: list[str]
) -> dict[str, dict[str, Any]]:
    """Each file of ``folder`` by its key; a file's problems go to ``problems``."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((shared_dir / folder).glob("*.yaml")):
        try:
            data = validated(schema, read_yaml(path), f"{folder}/{path.name}")
        except InstrumentError as exc:
            problems.extend(exc.problems)
            continue
        found[data["key"]] = data
    return found


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(template: str, params: Mapping[str, str]) -> str:
    """Replace {target} with the parameter, {Target} with it capitalised (sentence start)."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        value = params[name.lower()]
        return value[:1].upper() + value[1:] if name[:1].isupper() else value

    return _PLACEHOLDER.sub(sub, template)


class _Expander:
    def __init__(self, name: str, source: dict[str, Any], library: Library) -> None:
        self.name = name
        self.source = source
        self.library = library
        self.problems: list[str] = []
        self.scales: dict[str, dict[str, Any]] = {}
        self.blocks: dict[str, dict[str, Any]] = {}
        self.variables: dict[str, dict[str, Any]] = {}
        self.variable_section: dict[str, int] = {}
        self.group_members: set[str] = set()
        self.section = 0
        self.languages: list[str] = source["languages"]

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.name}: {path}: {message}")

    def scale(self, name: str, path: str) -> dict[str, Any] | None:
        local = self.source.get("scales", {})
        found = local.get(name) or self.library.scales.get(name)
        if found is None:
            self.problem(path, f"unknown scale {name!r}")
            return None
        self.scales[name] = found
        return found

    def check_languages(self, value: Any, path: str) -> None:
        if (
            isinstance(value, dict)
            and "en" in value
            and all(isinstance(v, str) for v in value.values())
        ):
            for lang in self.languages:
                if lang not in value:
                    self.problem(path, f"missing {lang!r} text (the instrument lists {lang!r})")
        elif isinstance(value, dict):
            for key, child in value.items():
                self.check_languages(child, f"{path}.{key}")
        elif isinstance(value, list):
            for i, child in enumerate(value):
                self.check_languages(child, f"{path}[{i}]")

    def run(self) -> dict[str, Any]:
        sections = []
        for s_index, section in enumerate(self.source["sections"]):
            self.section = s_index
            items: list[dict[str, Any]] = []
            for i_index, item in enumerate(section["items"]):
                path = f"sections[{s_index}].items[{i_index}]"
                if "block" in item:
                    items.extend(self.expand_block(item, path))
                else:
                    expanded = self.item(dict(item), path)
                    if expanded is not None:
                        items.append(expanded)
            sections.append({**section, "items": items})
        definition = {
            key: value for key, value in self.source.items() if key not in ("scales", "sections")
        }
        definition["sections"] = sections
        definition["scales"] = dict(sorted(self.scales.items()))
        definition["blocks"] = self.blocks
        self.check_languages(
            {"title": definition["title"], "sections": sections, "scales": self.scales}, ""
        )
        # The check above prefixes paths with '.', tidy them.
        self.problems = [p.replace(": .", ": ", 1) for p in self.problems]
        return definition

    def item(self, item: dict[str, Any], path: str) -> dict[str, Any] | None:
        kind = item["type"]
        if kind == "consent":
            item["required"] = True
        item.setdefault("required", False)
        if kind == "yesno":
            item["scale"] = "yesno"
            self.yes_no(item, path)
        if kind == "rating":
            item.setdefault("min", 1)
            item.setdefault("max", 10)
        if kind == "short_text":
            item.setdefault("max_length", 200)
        if kind == "long_text":
            item.setdefault("max_length", 2000)
        if "choices_from" in item and not self.expand_list(item, path):
            return None
        if "scale" in item:
            scale = self.scale(item["scale"], f"{path}.scale")
            if scale is None:
                return None
        if "show_if" in item:
            self.check_show_if(item["show_if"], f"{path}.show_if")
        variable = item.get("variable")
        if variable is not None:
            if variable in self.variables:
                self.problem(f"{path}.variable", f"duplicate variable {variable!r}")
                return None
            self.variables[variable] = item
            self.variable_section[variable] = self.section
            if any(o.get("other_text") for o in item.get("options", [])):
                # The text is kept (and exported) as <variable>_other: a name of its own.
                other = f"{variable}_other"
                if other in self.variables:
                    self.problem(f"{path}.options", f"{other!r} is already a variable")
                    return None
                self.variables[other] = {"type": "short_text", "variable": other}
        if kind == "group":
            entries = [
                self.item(dict(sub), f"{path}.items[{j}]") for j, sub in enumerate(item["items"])
            ]
            item["items"] = [entry for entry in entries if entry is not None]
            self.group_members.update(entry["variable"] for entry in item["items"])
        return item

    def expand_list(self, item: dict[str, Any], path: str) -> bool:
        """Options from a bundled list: the list's codes and names, fixed in this version."""
        bundled = self.library.lists.get(item["choices_from"])
        if bundled is None:
            known = ", ".join(sorted(self.library.lists)) or "none"
            self.problem(
                f"{path}.choices_from", f"unknown list {item['choices_from']!r} (lists: {known})"
            )
            return False
        item["options"] = [
            {"code": entry["code"], "label": {"en": entry["name"]}} for entry in bundled["entries"]
        ]
        return True

    def yes_no(self, item: dict[str, Any], path: str) -> None:
        """A yes/no question's own answers: the shared Yes and No, in Welsh its own verb's."""
        pair = item.pop("yes_no_cy", None)
        if self.source["format"] < 2:
            if pair is not None:
                self.problem(f"{path}.yes_no_cy", "a Welsh yes and no need format: 2")
            return  # format 1: the shared labels, as published
        if "cy" not in self.languages:
            if pair is not None:
                self.problem(f"{path}.yes_no_cy", "this instrument is not in Welsh (languages)")
            return
        if pair is None:
            self.problem(
                f"{path}.yes_no_cy",
                "missing: a yes/no question in Welsh gives its own Welsh yes and no, with the "
                "question's verb, e.g. [Ydw, Nac ydw] or [Oes, Nac oes]",
            )
            return
        if tuple(pair) not in WELSH_YES_NO:
            known = ", ".join(f"{yes}/{no}" for yes, no in WELSH_YES_NO)
            self.problem(
                f"{path}.yes_no_cy",
                f"{pair[0]}/{pair[1]} is not a Welsh yes and no of one verb (known: {known})",
            )
            return
        yes, no = (o["label"] for o in YESNO["options"])
        item["options"] = [
            {"code": 1, "label": {"en": yes["en"], "cy": pair[0]}},
            {"code": 0, "label": {"en": no["en"], "cy": pair[1]}},
        ]

    def codes_of(self, item: dict[str, Any]) -> set[int] | None:
        if item["type"] not in CHOICE_TYPES:
            return None
        options = item.get("options") or self.scales[item["scale"]]["options"]
        return {o["code"] for o in options}

    def check_show_if(self, rule: dict[str, Any], path: str) -> None:
        target = self.variables.get(rule["variable"])
        if "count_at_least" in rule:
            self.check_count_rule(rule, target, path)
            return
        if rule["variable"] in self.group_members:
            self.problem(
                f"{path}.variable",
                f"{rule['variable']!r} is inside a repeated group: use count_at_least on the group",
            )
            return
        if target is not None and self.variable_section.get(rule["variable"]) == self.section:
            # A page is built from the answers saved before it: a rule on the same page
            # could never show its question there.
            self.problem(
                f"{path}.variable",
                f"refers to {rule['variable']!r} on the same page: put the question it "
                "controls in a later section",
            )
            return
        if target is None:
            self.problem(
                f"{path}.variable",
                f"refers to {rule['variable']!r}, which is not an earlier variable",
            )
            return
        codes = self.codes_of(target)
        if codes is None or target["type"] == "multiple":
            self.problem(
                f"{path}.variable", f"{rule['variable']!r} is not a single-answer choice item"
            )
            return
        for code in rule.get("in_", []) + rule.get("not_in", []):
            if code not in codes:
                self.problem(path, f"code {code} is not an option of {rule['variable']!r}")

    def check_count_rule(self, rule: dict[str, Any], target: Any, path: str) -> None:
        if target is None or target["type"] != "group":
            self.problem(
                f"{path}.variable", f"{rule['variable']!r} is not an earlier repeated group"
            )
        elif self.variable_section.get(rule["variable"]) == self.section:
            self.problem(
                f"{path}.variable",
                f"refers to {rule['variable']!r} on the same page: put the question it "
                "controls in a later section",
            )

    def expand_block(self, use: dict[str, Any], path: str) -> list[dict[str, Any]]:
        block = self.library.blocks.get(use["block"])
        if block is None:
            self.problem(f"{path}.block", f"unknown block {use['block']!r}")
            return []
        params: dict[str, dict[str, str]] = use.get("params", {})
        if not self._block_params_ok(block, params, path):
            return []
        if "show_if" in use:
            self.check_show_if(use["show_if"], f"{path}.show_if")
        items = self._block_items(block, use, params, path)
        self.blocks[use["prefix"]] = _block_metadata(block, use["prefix"], params)
        return items

    def _block_params_ok(
        self, block: dict[str, Any], params: dict[str, dict[str, str]], path: str
    ) -> bool:
        """Every param given, in every language, and every placeholder a param."""
        missing = [p for p in block["params"] if p not in params]
        if missing:
            self.problem(f"{path}.params", f"block {block['key']!r} needs {', '.join(missing)}")
            return False
        for name, text in params.items():
            for lang in self.languages:
                if lang not in text:
                    self.problem(
                        f"{path}.params.{name}",
                        f"missing {lang!r} text (the instrument lists {lang!r})",
                    )
        for block_item in block["items"]:
            for template in block_item["text"].values():
                for placeholder in _PLACEHOLDER.findall(template):
                    if placeholder.lower() not in block["params"]:
                        self.problem(
                            f"{path}.block",
                            f"item {block_item['number']} of block {block['key']!r} uses "
                            f"{{{placeholder}}}, which is not one of its params",
                        )
                        return False
        return True

    def _block_items(
        self,
        block: dict[str, Any],
        use: dict[str, Any],
        params: dict[str, dict[str, str]],
        path: str,
    ) -> list[dict[str, Any]]:
        prefix = use["prefix"]
        items = []
        for block_item in block["items"]:
            variable = f"{prefix}_{block_item['number']:02d}"
            text = {
                lang: _fill(template, {k: v.get(lang, v["en"]) for k, v in params.items()})
                for lang, template in block_item["text"].items()
            }
            item = {
                "type": "likert",
                "variable": variable,
                "text": text,
                "scale": block["scale"],
                "required": False,
                "block": {"prefix": prefix, "key": block["key"], "number": block_item["number"]},
            }
            if "show_if" in use:
                item["show_if"] = use["show_if"]
            if "offer" in use:
                item["offer"] = list(use["offer"])
            expanded = self.item(item, f"{path} ({variable})")
            if expanded is not None:
                items.append(expanded)
        return items


def _block_metadata(
    block: dict[str, Any], prefix: str, params: dict[str, dict[str, str]]
) -> dict[str, Any]:
    return {
        "key": block["key"],
        "title": block["title"],
        "citation": block["citation"],
        "licence": block["licence"],
        "adaptation": block.get("adaptation"),
        "params": params,
        "subscales": {
            name: [f"{prefix}_{n:02d}" for n in numbers]
            for name, numbers in block.get("subscales", {}).items()
        },
        "original": {
            f"{prefix}_{b['number']:02d}": b["original"] for b in block["items"] if "original" in b
        },
    }


def _jsonable(value: Any) -> Any:
    """Rename the schema's in_ back to the file's 'in' and drop Python-only shapes (an enum
    member becomes the plain string the file gave)."""
    if isinstance(value, dict):
        return {("in" if k == "in_" else k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def content_hash(definition: Mapping[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_instrument_file(path: Path, library: Library) -> dict[str, Any]:
    """Return the expanded, JSON-ready definition of one instrument file."""
    source = validated(InstrumentSchema(), read_yaml(path), path.name)
    expander = _Expander(path.name, copy.deepcopy(source), library)
    definition = expander.run()
    if expander.problems:
        raise InstrumentError(expander.problems)
    return _jsonable(definition)  # type: ignore[no-any-return]


def load_all(files_dir: Path = FILES_DIR, shared_dir: Path = SHARED_DIR) -> list[dict[str, Any]]:
    """Every instrument file, checked together; all problems are reported at once."""
    library = load_library(shared_dir)
    problems: list[str] = []
    definitions: list[dict[str, Any]] = []
    seen: dict[tuple[str, int], str] = {}
    for path in sorted(files_dir.glob("*.yaml")):
        try:
            definition = load_instrument_file(path, library)
        except InstrumentError as exc:
            problems.extend(exc.problems)
            continue
        ident = (definition["key"], definition["version"])
        if ident in seen:
            problems.append(
                f"{path.name}: key/version {ident[0]} v{ident[1]} is also in {seen[ident]}"
            )
            continue
        seen[ident] = path.name
        definitions.append(definition)
    problems += _file_name_problems(seen)
    if problems:
        raise InstrumentError(problems)
    return definitions


def _file_name_problems(files: Mapping[tuple[str, int], str]) -> list[str]:
    """The newest version of an instrument is ``<key>.yaml``; earlier ones, kept because
    responses point at them, are ``<key>.v<version>.yaml``. A reader of the folder then knows
    which file to copy for the next version."""
    problems: list[str] = []
    newest: dict[str, int] = {}
    for key, version in files:
        newest[key] = max(version, newest.get(key, 0))
    for (key, version), name in sorted(files.items()):
        wanted = f"{key}.yaml" if version == newest[key] else f"{key}.v{version}.yaml"
        if name != wanted:
            problems.append(
                f"{name}: (top): {key} v{version} belongs in {wanted} (the newest version of "
                f"an instrument is <key>.yaml, earlier ones <key>.v<version>.yaml)"
            )
    return problems


def variables_of(definitions: Iterable[Mapping[str, Any]]) -> list[str]:
    return [
        item["variable"]
        for d in definitions
        for s in d["sections"]
        for item in s["items"]
        if "variable" in item
    ]
