"""The Codebook sheet: one row per variable, what it means, its values, its column type, and
its columns as each sheet spells them (``Mothers (linked): t1_css_trust; Mothers (long):
css_trust``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .column_types import ColumnKind
from .columns import VarColumn
from .dataset import AUDIENCE_SHEETS, LANGUAGE_LABEL, Dataset
from .sheet_names import MOTHERS_LINKED, MOTHERS_LONG, WAI_SCORES

CODEBOOK_HEADER = [
    "variable",
    "label",
    "instrument",
    "versions",
    "type",
    "values",
    "wave",
    "columns",  # sheet: column name, as each sheet spells it (t1_css_trust)
    "column_type",  # code, ordered code, score, count, date, date-time, text (About: formats)
]
LANGUAGES = "en=English; cy=Welsh"


def codebook_rows(data: Dataset) -> Iterator[list[Any]]:
    per_wave = [f"{c.lower()}_{n}" for c in data.mother_waves for n in ("date", "version")]
    fixed = ["participant_id", "site", "linkage", *per_wave]
    fixed += ["wave", "response_id", "date", "version", "link_site", "flags"]
    yield ["(fixed columns)", ", ".join(fixed), "", "", "", "", "", "", ""]
    yield _language_row(data)
    for spec in data.waves:
        for meta in data.window_columns(spec):
            values = "1 = yes, 0 = no" if meta.name.endswith("_in_window") else ""
            yield [
                meta.name,
                meta.label,
                "linked sheet",
                "",
                "numeric",
                values,
                spec.wave.code,
                f"{MOTHERS_LINKED}: {meta.name}",
                meta.kind,
            ]
    for spec in data.waves:
        prefix = spec.wave.code.lower()
        for c in spec.columns:
            yield _variable_row(
                c, c.wave, f"{MOTHERS_LINKED}: {prefix}_{c.name}; {MOTHERS_LONG}: {c.name}"
            )
    for audience in data.audiences:
        for c in audience.columns:
            yield _variable_row(c, "once", f"{AUDIENCE_SHEETS[audience.audience]}: {c.name}")
    yield from _wai_rows(data)
    yield from _case_rows(data)


def _language_row(data: Dataset) -> list[Any]:
    """The language each questionnaire was answered in, beside each wave and in each long
    sheet."""
    linked = ", ".join(f"{c.lower()}_language" for c in data.mother_waves)
    sheets = [f"{MOTHERS_LINKED}: {linked}", f"{MOTHERS_LONG}: language"]
    sheets += [f"{AUDIENCE_SHEETS[a.audience]}: language" for a in data.audiences]
    return [
        "language",
        LANGUAGE_LABEL,
        "",
        "",
        "text",
        LANGUAGES,
        ", ".join([*data.mother_waves, "once"]),
        "; ".join(sheets),
        ColumnKind.TEXT,
    ]


def _wai_rows(data: Dataset) -> Iterator[list[Any]]:
    for meta in data.wai_columns()[4:]:
        linked = [n for s in data.waves for n, _, f in data.linked_wai_names(s) if f == meta.name]
        yield [
            meta.name,
            meta.label,
            WAI_SCORES,
            "",
            "score",
            "",
            ", ".join(s.wave.code for s in data.waves),
            "; ".join(
                ([f"{MOTHERS_LINKED}: {', '.join(linked)}"] if linked else [])
                + [f"{WAI_SCORES}: {meta.name}"]
            ),
            meta.kind,
        ]


def _case_rows(data: Dataset) -> Iterator[list[Any]]:
    # Where each name stands, as the sheets spell it (the codebook's columns column).
    sheets = data.case_sheet_columns()
    where: dict[str, list[str]] = {}
    for sheet, metas in sheets.items():
        for meta in metas:
            where.setdefault(meta.name, []).append(f"{sheet}: {meta.name}")
    linked = {m.name: m for m in data.linked_columns() if m.name.startswith("case_")}
    variables = data.case_var_names
    for name in linked:
        where.setdefault(name, []).append(f"{MOTHERS_LINKED}: {name}")
        if name[5:] in variables:
            where.setdefault(name[5:], []).append(f"{MOTHERS_LINKED}: {name}")
    seen: set[str] = set()
    for sheet, metas in sheets.items():
        for meta in metas:
            if meta.name in seen or meta.name in variables:
                continue
            seen.add(meta.name)
            values = "; ".join(f"{code}={label}" for code, label in meta.value_labels.items())
            yield [
                meta.name,
                meta.label,
                f"case tracker ({sheet})",
                "",
                "fixed",
                values,
                "case",
                "; ".join(where[meta.name]),
                meta.kind,
            ]
    cols = data.case_columns
    for c in [*cols.all_forms(), *cols.children]:
        yield _variable_row(c, c.wave, "; ".join(where.get(c.name, [])))
    # Each linked case_ column has a row of its own too (a researcher reading the linked
    # sheet finds it by the name she sees).
    for name, meta in linked.items():
        if name not in seen:
            yield [
                name,
                meta.label,
                f"case tracker ({MOTHERS_LINKED})",
                "",
                "fixed",
                "",
                "case",
                f"{MOTHERS_LINKED}: {name}",
                meta.kind,
            ]


def _variable_row(c: VarColumn, wave: str, columns: str) -> list[Any]:
    """A codebook row for one variable; ``columns`` names its columns as the sheets spell them."""
    versions = ", ".join(map(str, c.versions))
    return [c.name, c.label, c.instrument, versions, c.type, c.values_text, wave, columns, c.kind]
