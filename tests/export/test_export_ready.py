"""Exports ready to analyse: each file written through the CLI, then read back as a researcher's
tools see it (openpyxl for the workbook, pyreadstat for SPSS)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from flask import Flask

from survey_app.export.sheet_names import SHEET_ORDER
from survey_app.instruments import missing
from tests import factories
from tests.flows import rows

WAI = {
    f"wai_csw_{n:02d}": v
    for n, v in zip(range(1, 13), [2, 3, 4, 5, 4, 3, 5, 4, 4, 3, 5, 3], strict=True)
}
T1 = {
    "consent_info_sheet": 1,
    "consent_skip": 1,
    "consent_take_part": 1,
    "css_trust": 4,
    "css_willing": missing.PREFER_NOT_TO_SAY,
    **WAI,
}
T2 = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1, "css_trust": 2, **WAI}
DATA_SHEETS = [s for s in SHEET_ORDER if s not in ("About", "Report")]
# The header row and the ID (and site) columns stay in view as a researcher scrolls.
FROZEN = {
    "Codebook": "B2",
    "Mothers (linked)": "C2",
    "Mothers (long)": "C2",
    "Prison staff": "B2",
    "Community practitioners": "B2",
    "WAI scores": "C2",
    "Cases": "D2",
    "Case forms (long)": "D2",
    "Children": "D2",
    "Case local authorities": "D2",
    "Summary": "A2",
}


def shown(value: Any) -> int:
    # openpyxl reads a date cell back as a datetime; Excel shows it as 2026-01-10.
    return len(f"{value:%Y-%m-%d}") if isinstance(value, dt.date) else len(str(value))


def export(app: Flask, tmp_path: Path, fmt: str) -> Path:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, dt.date(2026, 1, 10))
    factories.complete_response(app, "TC-AAA-AAAA", "T2", T2, dt.date(2026, 7, 12))
    factories.complete_response(app, "TC-BBB-BBBB", "T1", {**T1, "wai_csw_03": -2})
    factories.link_response(app, "prison_staff", {"contact_purpose": [2]})
    out = tmp_path / f"export.{fmt}"
    result = app.test_cli_runner().invoke(args=["export", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_every_data_sheet_has_a_frozen_header_filters_and_fitting_widths(
    app: Flask, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(export(app, tmp_path, "xlsx"))
    for name in DATA_SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == FROZEN[name], name
        # What stays in view: the IDs (and site), never an answer.
        frozen = [c.value for c in sheet[1][: ord(FROZEN[name][0]) - ord("A")]]
        assert set(frozen) <= {"variable", "participant_id", "site", "response_id", "case_id"}
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", name
        for column in sheet.iter_cols():
            letter = column[0].column_letter
            width = sheet.column_dimensions[letter].width
            longest = max(shown(c.value) for c in column if c.value is not None)
            assert min(longest, 60) <= width <= 60 + 3, (name, column[0].value, width)
    linked = book["Mothers (linked)"]
    header = [c.value for c in linked[1]]
    # A date fits, and so does an ID, with no column left at Excel's narrow default.
    assert linked.column_dimensions[
        openpyxl.utils.get_column_letter(header.index("t1_date") + 1)
    ].width >= len("2026-01-10")


def test_the_codebook_names_every_column_as_its_sheet_spells_it(app: Flask, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export(app, tmp_path, "xlsx"))
    codebook = rows(book, "Codebook")
    trust = next(r for r in codebook if r["variable"] == "css_trust" and r["wave"] == "T1")
    assert trust["columns"] == "Mothers (linked): t1_css_trust; Mothers (long): css_trust"
    named: dict[str, set[str]] = {}
    for row in codebook[1:]:
        for part in row["columns"].split("; "):
            sheet, names = part.split(": ")
            named.setdefault(sheet, set()).update(names.split(", "))
    fixed = set(codebook[0]["label"].split(", "))
    for sheet, names in named.items():
        header = {c.value for c in book[sheet][1]}
        assert names <= header, (sheet, names - header)
        if sheet != "WAI scores":
            assert header - fixed <= names, (sheet, header - fixed - names)
    assert {"t1_wai_task", "t2_wai_total"} <= named["Mothers (linked)"]


def test_the_linked_sheet_carries_each_waves_wai_scores(app: Flask, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export(app, tmp_path, "xlsx"))
    linked = {r["participant_id"]: r for r in rows(book, "Mothers (linked)")}
    long = rows(book, "WAI scores")
    for score in long:
        row = linked[score["participant_id"]]
        wave = score["wave"].lower()
        for name in ("task", "goal", "bond", "total"):
            assert row[f"{wave}_wai_{name}"] == score[name]
    assert linked["TC-AAA-AAAA"]["t1_wai_task"] == 2.75
    assert linked["TC-BBB-BBBB"]["t1_wai_bond"] is None  # an item missing: no score
    assert linked["TC-BBB-BBBB"]["t2_wai_total"] is None  # no T2


def test_spss_files_have_whole_number_codes_dates_measures_and_widths(
    app: Flask, tmp_path: Path
) -> None:
    import pyreadstat

    zipfile.ZipFile(export(app, tmp_path, "sav")).extractall(tmp_path)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "mothers_linked.sav"), user_missing=True)
    types: dict[str, Any] = meta.original_variable_types
    measure = meta.variable_measure
    assert types["t1_css_trust"] == "F8.0" and types["t1_version"] == "F8.0"
    assert measure["t1_css_trust"] == "ordinal"
    assert types["t1_wai_task"] == "F8.2" and measure["t1_wai_task"] == "scale"
    assert types["t1_date"] == "DATE11" and measure["t1_date"] == "scale"
    first = frame.set_index("participant_id").loc["TC-AAA-AAAA"]
    assert first["t1_date"] == dt.date(2026, 1, 10)
    assert not isinstance(first["t1_date"], dt.datetime)
    assert types["participant_id"] == "A11" and measure["participant_id"] == "nominal"
    assert meta.variable_display_width["participant_id"] == len("participant_id")
    assert measure["t1_consent_take_part"] == "nominal"
    long, long_meta = pyreadstat.read_sav(str(tmp_path / "mothers_long.sav"))
    assert long_meta.original_variable_types["css_trust"] == "F8.0"
    assert long_meta.original_variable_types["wave"] == "A2"
    staff, staff_meta = pyreadstat.read_sav(str(tmp_path / "prison_staff.sav"))
    assert staff_meta.original_variable_types["contact_purpose___2"] == "F8.0"
    assert staff_meta.variable_measure["contact_purpose___2"] == "nominal"
