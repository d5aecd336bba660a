"""The export formats, once: name -> label, writer, file name and media type (the export page's
choices and the CLI's --format both read FORMATS, in this order)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from .csvzip import write_csv_zip
from .datapackage import write_datapackage_zip
from .dta import write_dta_zip
from .redcap_data import write_redcap_zip
from .sav import write_sav_zip
from .workbook import Export
from .xlsx import write_xlsx


@dataclass(frozen=True)
class Format:
    label: str
    write: Callable[[Export, IO[bytes]], None]
    suffix: str
    mimetype: str


FORMATS = {
    "xlsx": Format(
        "Excel workbook (.xlsx)",
        write_xlsx,
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": Format("CSV files (.zip)", write_csv_zip, "-csv.zip", "application/zip"),
    "sav": Format("SPSS files (.zip)", write_sav_zip, "-spss.zip", "application/zip"),
    "dta": Format("Stata files (.zip)", write_dta_zip, "-stata.zip", "application/zip"),
    "redcap": Format(
        "REDCap import: data and data dictionary (.zip)",
        write_redcap_zip,
        "-redcap.zip",
        "application/zip",
    ),
    "datapackage": Format(
        "Frictionless Data Package (.zip)",
        write_datapackage_zip,
        "-datapackage.zip",
        "application/zip",
    ),
}


def filename(fmt: str, export: Export) -> str:
    return f"survey-export-{export.made_at:%Y%m%d-%H%M}{FORMATS[fmt].suffix}"
