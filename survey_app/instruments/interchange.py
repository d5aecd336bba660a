"""What the XLSForm and REDCap readers and writers share: the error a file gets refused with,
the show-if rule in both syntaxes, missing-data codes among a list's choices, and the last step
of an import, which checks the new instrument with the project's own loader before writing it.

An import writes a new instrument file for review; it never publishes (``instruments sync``
does, once the file is in the files folder)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..user_errors import UserError
from . import missing
from .loader import InstrumentError, Library, load_instrument_file
from .schema import FORMAT_VERSION

LANG_NAMES = {"en": "English (en)", "cy": "Welsh (cy)"}
OFFER_BY_CODE = {code: name for name, code in missing.OFFERABLE.items()}


class ImportRefused(UserError):
    """A file that cannot become an instrument: one line per problem, naming where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def split_offer(
    options: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """A list's own choices and the missing-data codes offered with them."""
    own = [o for o in options if o["code"] not in OFFER_BY_CODE]
    offer = [OFFER_BY_CODE[o["code"]] for o in options if o["code"] in OFFER_BY_CODE]
    return own, sorted(offer, key=lambda name: -missing.OFFERABLE[name])


def offer_options(item: Mapping[str, Any], languages: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "code": missing.OFFERABLE[name],
            "label": {lang: missing.LABELS[missing.OFFERABLE[name]][lang] for lang in languages},
        }
        for name in item.get("offer", [])
    ]


# --- show-if -----------------------------------------------------------------------------


def xpath_relevant(rule: Mapping[str, Any]) -> str:
    """A show-if as an XLSForm ``relevant``: ${v} = '1' or ${v} = '2'; not(...); count()."""
    ref = "${" + rule["variable"] + "}"
    if "count_at_least" in rule:
        return f"count({ref}) >= {rule['count_at_least']}"
    codes = rule.get("in") or rule.get("not_in") or []
    if "not_in" in rule:
        return " and ".join(f"{ref} != '{c}'" for c in codes)
    return " or ".join(f"{ref} = '{c}'" for c in codes)


def redcap_branching(rule: Mapping[str, Any]) -> str:
    """A show-if as REDCap branching logic: [v] = '1' or [v] = '2'; [v] <> '1'."""
    ref = f"[{rule['variable']}]"
    codes = rule.get("in") or rule.get("not_in") or []
    if "not_in" in rule:
        return " and ".join(f"{ref} <> '{c}'" for c in codes)
    return " or ".join(f"{ref} = '{c}'" for c in codes)


_COUNT = re.compile(r"^count\(\$\{(\w+)\}\)\s*>=\s*(\d+)$")


def parse_condition(text: str, redcap: bool) -> dict[str, Any] | None:
    """The show-if of a relevant/branching expression this app can carry, or None.

    Carried: one variable compared with codes, all with = joined by or, or all with != (<>)
    joined by and; and, in XLSForm, count(${group}) >= n."""
    text = " ".join(text.split())
    if not redcap:
        found = _COUNT.match(text)
        if found:
            return {"variable": found.group(1), "count_at_least": int(found.group(2))}
    ref = r"\[(\w+)\]" if redcap else r"\$\{(\w+)\}"
    neq = "<>" if redcap else "!="
    for joiner, op, key in ((" or ", "=", "in"), (" and ", neq, "not_in")):
        variables, codes = set(), []
        for part in text.split(joiner):
            found = re.fullmatch(ref + r"\s*" + re.escape(op) + r"\s*'?(-?\d+)'?", part.strip())
            if found is None:
                break
            variables.add(found.group(1))
            codes.append(int(found.group(2)))
        else:
            if len(variables) == 1:
                return {"variable": variables.pop(), key: codes}
    return None


# --- writing the imported file ----------------------------------------------------------


def dump_yaml(source: Mapping[str, Any], origin: str) -> str:
    header = (
        f"# Imported from {origin} by `instruments import`: review it, then publish it with\n"
        "# `instruments sync` once it is in survey_app/instruments/files.\n"
    )
    tidy = {**source, "sections": [_tidy_section(s) for s in source["sections"]]}
    body = yaml.dump(tidy, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


class _Dumper(yaml.SafeDumper):
    """Lists of plain values on one line (waves: [T1], in: [1, 2]), as the bundled files are."""


def _flow_scalars(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(v, str | int) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _flow_scalars)

# An item's keys in the order the bundled files give them: what it is, then what it asks.
_ITEM_ORDER = ("type", "block", "variable", "prefix", "text", "help", "required")


def _tidy_item(item: Mapping[str, Any]) -> dict[str, Any]:
    first = {key: item[key] for key in _ITEM_ORDER if key in item}
    rest = {key: value for key, value in item.items() if key not in first}
    if "items" in rest:
        rest["items"] = [_tidy_item(sub) for sub in rest["items"]]
    return {**first, **rest}


def _tidy_section(section: Mapping[str, Any]) -> dict[str, Any]:
    return {**section, "items": [_tidy_item(item) for item in section["items"]]}


def check_and_write(
    source: dict[str, Any], out: Path, library: Library, origin: str
) -> dict[str, Any]:
    """Check the new instrument with the loader; write it only when it loads."""
    source.setdefault("format", FORMAT_VERSION)
    rows = _take_rows(source)
    text = dump_yaml(source, origin)
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / out.name
        probe.write_text(text, encoding="utf-8")
        try:
            definition = load_instrument_file(probe, library)
        except InstrumentError as exc:
            raise ImportRefused([_where(p, origin, rows) for p in exc.problems]) from None
    out.write_text(text, encoding="utf-8")
    return definition


def _take_rows(source: dict[str, Any]) -> dict[str, str]:
    """Remove the readers' ``_row`` marks: {'sections[1].items[2]': 'sheet survey, row 9'}."""
    rows: dict[str, str] = {}
    for s, section in enumerate(source["sections"]):
        for i, item in enumerate(section["items"]):
            path = f"sections[{s}].items[{i}]"
            if "_row" in item:
                rows[path] = item.pop("_row")
            for j, sub in enumerate(item.get("items", [])):
                if "_row" in sub:
                    rows[f"{path}.items[{j}]"] = sub.pop("_row")
    return rows


_PATH = re.compile(r"^[^:]+: (sections\[\d+\]\.items\[\d+\](?:\.items\[\d+\])?)")


def _where(problem: str, origin: str, rows: Mapping[str, str]) -> str:
    """A loader problem, said of the row of the file it came from."""
    found = _PATH.match(problem)
    if found is not None:
        path = found.group(1)
        row = rows.get(path) or rows.get(path.rsplit(".items[", 1)[0])
        if row is not None:
            rest = problem[found.end() :].lstrip(".: ")
            return f"{origin}: {row}: {rest}"
    return f"{origin}: {problem.split(': ', 1)[1] if ': ' in problem else problem}"


def block_params(
    block: Mapping[str, Any], items: list[dict[str, Any]], languages: list[str]
) -> dict[str, dict[str, str]] | None:
    """A block use's params, read back from its filled-in item texts (None: they differ)."""
    params: dict[str, dict[str, str]] = {}
    templates = {b["number"]: b["text"] for b in block["items"]}
    for item in items:
        number = int(item["variable"].rsplit("_", 1)[1])
        for lang in languages:
            template = templates.get(number, {}).get(lang)
            text = item["text"].get(lang)
            if template is None or text is None:
                return None
            names = re.findall(r"\{(\w+)\}", template)
            pattern = re.escape(template)
            for name in names:
                pattern = pattern.replace(re.escape("{" + name + "}"), "(.+?)", 1)
            found = re.fullmatch(pattern, text)
            if found is None:
                return None
            for name, value in zip(names, found.groups(), strict=True):
                if name.islower():
                    params.setdefault(name, {})[lang] = value
    return params
