"""The export's workbook of every sheet (downloads/export_workbook.py): the sheets in their
order, and the About sheet written last, once the data sheets have counted their bad values."""

from __future__ import annotations

from flask import Flask

from survey_app.downloads.export_workbook import build_export
from survey_app.export.filters import ExportFilters
from survey_app.export.workbook import writing_order
from survey_app.extensions import db


def test_the_sheets_come_in_the_workbook_order_and_about_is_written_last(app: Flask) -> None:
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="r@example.org")
    names = [s.name for s in built.sheets]
    assert names[:2] == ["About", "Codebook"]
    assert names[-2:] == ["Summary", "Report"]
    assert "Mothers (linked)" in names and "Cases" in names
    written = [s.name for s in writing_order(built.sheets)]
    assert written == [*names[1:], "About"]
