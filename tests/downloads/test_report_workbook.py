"""The Report download on its own (downloads/report_workbook.py): a workbook of About and
Report whose About names the filters it was made with and the split by study period."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
from flask import Flask

from survey_app.downloads.report_workbook import write_report_xlsx
from survey_app.export.filters import ExportFilters
from survey_app.extensions import db


def _about(book: openpyxl.Workbook) -> dict[str, object]:
    return {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}


def test_the_report_workbook_holds_about_and_report_and_names_its_filters(app: Flask) -> None:
    filters = ExportFilters(site="send", date_from=dt.date(2024, 1, 1))
    out = io.BytesIO()
    with app.app_context():
        name = write_report_xlsx(db.session, filters, "r@example.org", out, by_period=False)
    assert re.fullmatch(r"survey-report-\d{8}-\d{4}\.xlsx", name)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["About", "Report"]
    about = _about(book)
    assert about["Made by"] == "r@example.org"
    assert about["Filter: site"] == "send"
    assert about["Filter: from"] == "2024-01-01"
    assert "Split" not in about
    assert not any(str(item).startswith("Rows: ") for item in about)  # no data sheet in it


def test_the_split_by_study_period_is_named_in_about(app: Flask) -> None:
    out = io.BytesIO()
    with app.app_context():
        write_report_xlsx(db.session, ExportFilters(), "r@example.org", out, by_period=True)
    assert _about(openpyxl.load_workbook(io.BytesIO(out.getvalue())))["Split"] == (
        "also by study period"
    )
