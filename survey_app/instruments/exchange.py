"""Instruments in and out as the files researchers' other tools read: XLSForm (ODK, KoboToolbox)
and the REDCap data dictionary. The CLI and the instrument page call these; the format modules
(xlsform.py, redcap.py) hold the mapping."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..kinds import Audience
from .interchange import ImportRefused, check_and_write
from .loader import FILES_DIR, InstrumentError, Library, load_library
from .redcap import export_redcap, read_redcap
from .xlsform import export_xlsform, read_xlsform


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    mimetype: str
    write: Callable[[Mapping[str, Any]], bytes]


FORMATS: dict[str, Format] = {
    "xlsform": Format(
        "xlsform",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        export_xlsform,
    ),
    "redcap": Format(
        "redcap",
        ".csv",
        "text/csv; charset=utf-8",
        lambda definition: export_redcap(definition).encode("utf-8"),
    ),
}


def export_name(definition: Mapping[str, Any], fmt: Format) -> str:
    kind = "xlsform" if fmt.name == "xlsform" else "redcap_dictionary"
    return f"{definition['key']}_v{definition['version']}_{kind}{fmt.suffix}"


_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def _next_version(key: str, files_dir: Path) -> int:
    """One after the newest bundled version of ``key`` (1 for a new instrument)."""
    newest = 0
    for path in files_dir.glob(f"{key}*.yaml"):
        found = re.fullmatch(rf"{re.escape(key)}(?:\.v(\d+))?\.yaml", path.name)
        if found is None:
            continue
        if found.group(1):
            newest = max(newest, int(found.group(1)))
        else:
            text = path.read_text(encoding="utf-8")
            version = re.search(r"^version:\s*(\d+)", text, re.M)
            newest = max(newest, int(version.group(1)) if version else 1)
    return newest + 1


def import_instrument(
    path: Path,
    key: str,
    out: Path,
    *,
    audience: str | None = None,
    waves: Sequence[str] = (),
    version: int | None = None,
    form: str | None = None,
    library: Library | None = None,
    files_dir: Path = FILES_DIR,
) -> dict[str, Any]:
    """Read an XLSForm (.xlsx) or a REDCap dictionary (.csv) and write ``out``, a new
    instrument source file for review. Returns the loaded definition; publishes nothing."""
    if not _KEY.match(key):
        raise ImportRefused([f"--key {key!r}: use lower case letters, digits and _"])
    if out.exists():
        raise ImportRefused([f"{out}: already exists; choose another --out (nothing written)"])
    if not path.is_file():
        raise ImportRefused([f"{path}: no such file"])
    try:
        library = library or load_library()
    except InstrumentError as exc:
        raise ImportRefused(exc.problems) from None
    suffix = path.suffix.lower()
    if form is not None and suffix != ".csv":
        raise ImportRefused([f"{path.name}: --form is for a REDCap data dictionary (.csv)"])
    if suffix == ".xlsx":
        source = read_xlsform(path, library)
    elif suffix == ".csv":
        source = read_redcap(path, library, form)
    else:
        raise ImportRefused(
            [f"{path.name}: give an XLSForm (.xlsx) or a REDCap data dictionary (.csv)"]
        )
    source["key"] = key
    source["version"] = version or _next_version(key, files_dir)
    if audience is not None:
        source["audience"] = audience
    if waves:
        source["waves"] = list(waves)
    if "audience" not in source:
        known = ", ".join(a.value for a in Audience)
        raise ImportRefused([f"{path.name}: who answers it? give --audience ({known})"])
    if source["audience"] == Audience.CASEWORKER:
        source.pop("waves", None)
    elif "waves" not in source:
        raise ImportRefused([f"{path.name}: which waves ask it? give --wave (e.g. --wave T1)"])
    return check_and_write(_ordered(source), out, library, path.name)


_ORDER = ("format", "key", "version", "title", "description", "audience", "waves", "languages")


def _ordered(source: dict[str, Any]) -> dict[str, Any]:
    """The keys in the order a person writing the file by hand would give them."""
    first = {key: source[key] for key in _ORDER if key in source}
    rest = {key: value for key, value in source.items() if key not in first}
    sections = rest.pop("sections")
    return {**first, **rest, "sections": sections}
