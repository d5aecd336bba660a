"""The case tracker's sheets read back from the export: Cases, Case forms (long), Children,
their codebook rows, the linked sheet's case_ columns, the filters; CSV and SPSS too."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile

import pyreadstat
from flask import Flask

from survey_app.downloads.export_workbook import build_export
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.extensions import db
from tests import case_data, factories, flows


def test_case_sheets_read_back(app: Flask) -> None:
    pseudonyms = case_data.twelve_cases(app)
    book = flows.workbook(app)
    cases = flows.rows(book, "Cases")
    assert len(cases) == 12
    seventh = next(r for r in cases if r["participant_id"] == pseudonyms[6])
    assert (seventh["site"], seventh["status"]) == ("eastwood_park", "closed")
    assert (seventh["n_updates"], seventh["n_closures"], seventh["n_reopenings"]) == (0, 2, 1)
    assert seventh["closed_on"].date() == dt.date(2022, 11, 1)
    # The last closure's variables; multiple choice as <variable>___<code>.
    assert (seventh["outcomes___1"], seventh["outcomes___2"], seventh["barriers___1"]) == (0, 1, 1)
    assert (seventh["needs___3"], seventh["needs___1"], seventh["reopen_reason"]) == (1, 0, 1)
    assert seventh["n_children"] == 2  # 7 % 3 + 1

    forms = flows.rows(book, "Case forms (long)")
    assert len(forms) == 24
    assert [r["form"] for r in forms if r["participant_id"] == pseudonyms[6]] == [
        "referral", "closure", "reopening", "closure",
    ]  # fmt: skip
    children = flows.rows(book, "Children")
    assert len(children) == sum(n % 3 + 1 for n in range(1, 13))  # 24
    assert {r["child_care_arrangement"] for r in children} == {1}

    codebook = {r["variable"]: r for r in flows.rows(book, "Codebook")}
    for name in ("needs___9", "outcomes___10", "barriers___11", "child_age_band", "case_needs___1",
                 "n_updates", "reopen_reason", "case_status"):  # fmt: skip
        assert name in codebook, name
    assert codebook["outcomes___2"]["label"].endswith("[Support with legal process]")


def test_the_linked_sheet_gains_her_referral(app: Flask) -> None:
    pseudonyms = case_data.twelve_cases(app)
    factories.complete_response(app, pseudonyms[0], "T1", {}, dt.date(2021, 6, 1))
    factories.complete_response(app, "AB-0000-X", "T1", {}, dt.date(2021, 6, 1))
    linked = {r["participant_id"]: r for r in flows.rows(flows.workbook(app), "Mothers (linked)")}
    hers = linked[pseudonyms[0]]
    assert (hers["case_status"], hers["case_needs___1"], hers["case_needs___2"]) == ("closed", 1, 1)
    assert hers["case_needs___3"] == 0 and hers["case_ethnicity"] == 1
    assert linked["AB-0000-X"]["case_needs___1"] is None


def test_filters_apply_to_the_case_sheets(app: Flask) -> None:
    case_data.twelve_cases(app)
    send = flows.workbook(app, ExportFilters(site="send"))
    assert len(flows.rows(send, "Cases")) == 6
    year_1 = flows.workbook(app, ExportFilters(date_to=dt.date(2022, 6, 30)))
    assert len(flows.rows(year_1, "Case forms (long)")) == 11
    assert len(flows.rows(year_1, "Cases")) == 6


def test_csv_and_spss_hold_the_case_sheets(app: Flask) -> None:
    case_data.twelve_cases(app)
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="tester@example.org")
        out = io.BytesIO()
        FORMATS["csv"].write(built, out)
    names = zipfile.ZipFile(io.BytesIO(out.getvalue())).namelist()
    assert any("Case forms" in n or "case_forms" in n.lower() for n in names), names
    assert any("children" in n.lower() for n in names), names
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="tester@example.org")
        out = io.BytesIO()
        FORMATS["sav"].write(built, out)
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    assert {"cases.sav", "case_forms_long.sav", "children.sav"} <= set(archive.namelist())
    with tempfile.TemporaryDirectory() as tmp:
        archive.extract("cases.sav", tmp)
        frame, meta = pyreadstat.read_sav(os.path.join(tmp, "cases.sav"))
    assert len(frame) == 12
    assert meta.column_names_to_labels["n_updates"] == "Number of progress updates sent"
    assert meta.variable_value_labels["needs___1"][1.0] == "Checked"
