"""Stata .dta files (pyreadstat, Stata 14+, UTF-8) for the sheets the SPSS files hold, in one zip
with the About sheet as about.txt: variable labels, value labels, dates as Stata dates (%td) and
time stamps as Stata date-times (%tc), each from its column type as in the .sav files.

Stata allows a name of 32 characters and a variable label of 80: a longer name is shortened
(made unique with _2, _3 ...), a longer label cut, and about.txt lists each shortened name and
each cut label in full. The missing-data codes stay the negative codes of the CSV and SPSS files, labelled."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import IO

from .column_types import ColumnKind
from .dataset import Sheet
from .sav import SAV_SHEETS, sheet_frame
from .workbook import Export

MAX_NAME = 32
MAX_LABEL = 80
ABOUT_FILE = "about.txt"
FORMATS = {ColumnKind.DATE: "%td", ColumnKind.DATETIME: "%tc", ColumnKind.SCORE: "%9.2f"}
# Stata's reserved words, which no variable may be named.
RESERVED = frozenset(
    [
        "_all",
        "_b",
        "byte",
        "_coef",
        "_cons",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "_n",
        "_N",
        "_pi",
        "_pred",
        "_rc",
        "_skip",
        "strL",
        "using",
        "with",
    ]
)
MISSING_NOTE = (
    "Stata: the missing-data codes are kept as -1, -2, -3 (labelled); "
    "mvdecode _all, mv(-1=.a \\ -2=.b \\ -3=.c) makes them Stata's missing values"
)


def dta_name(sheet_name: str) -> str:
    return sheet_name.lower().replace(" (", "_").replace(")", "").replace(" ", "_") + ".dta"


def stata_names(names: Iterable[str], labelled: AbstractSet[str] = frozenset()) -> dict[str, str]:
    """Each column's Stata name: as it is when Stata allows it, else shortened to 32 characters
    (letters, digits and _), unique within the file. A column with value labels has a few
    characters fewer: pyreadstat names its label set after it, followed by a running number,
    and that name too must fit in 32."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    room = len(str(max(len(labelled) - 1, 0)))
    for name in names:
        base = re.sub(r"\W", "_", name, flags=re.ASCII)
        if not re.match(r"[A-Za-z_]", base) or base in RESERVED or re.fullmatch(r"str\d+", base):
            base = f"v_{base}"
        limit = MAX_NAME - room if name in labelled else MAX_NAME
        candidate, number = base[:limit], 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = base[: limit - len(suffix)] + suffix
        taken.add(candidate.lower())
        out[name] = candidate
    return out


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 3].rstrip() + "..."


def _write_one(sheet: Sheet, path: str) -> tuple[list[str], list[str]]:
    """Write one file; what about.txt says of it: the names shortened, the labels cut."""
    import pyreadstat

    frame = sheet_frame(sheet)
    labelled = [m for m in sheet.columns if m.numeric and m.value_labels and m.kind not in FORMATS]
    names = stata_names(sheet.header, {m.name for m in labelled})
    frame.columns = [names[n] for n in sheet.header]
    labels: dict[str, str | None] = {names[m.name]: _label(m.label) for m in sheet.columns}
    # Value labels may be 32,000 characters long in Stata: kept whole.
    value_labels: dict[str, dict[int | float, str]] = {
        names[m.name]: {int(k): v for k, v in m.value_labels.items()} for m in labelled
    }
    formats = {names[m.name]: FORMATS[m.kind] for m in sheet.columns if m.kind in FORMATS}
    pyreadstat.write_dta(
        frame,
        path,
        file_label=_label(sheet.name),
        column_labels=labels,
        variable_value_labels=value_labels,
        variable_format=formats,
    )
    file = os.path.basename(path)
    renamed = [f"{file}: {short} is {name}" for name, short in names.items() if short != name]
    cut = [f"{file}: {names[m.name]}: {m.label}" for m in sheet.columns if len(m.label) > MAX_LABEL]
    return renamed, cut


def _about(export: Export, renamed: Sequence[str], cut: Sequence[str]) -> str:
    lines = [f"{item}: {value}" for item, value in export.data_sheet("About").rows()]
    lines.append(MISSING_NOTE)
    lines += [f"Stata name shortened to 32 characters: {n}" for n in renamed]
    lines += [f"Stata label cut to 80 characters, in full: {n}" for n in cut]
    if not renamed:
        lines.append("Stata names: every name as in the other formats")
    return "".join(f"{line}\n" for line in lines)


def write_dta_zip(export: Export, out: IO[bytes]) -> None:
    renamed: list[str] = []
    cut: list[str] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name in SAV_SHEETS:
            filename = dta_name(name)
            path = os.path.join(tmp, filename)
            names, labels = _write_one(export.data_sheet(name), path)
            renamed += names
            cut += labels
            archive.write(path, filename)
        archive.writestr(ABOUT_FILE, _about(export, renamed, cut).encode("utf-8"))
