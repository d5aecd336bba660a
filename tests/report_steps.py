"""Shared steps of the report tests: build the report for some filters and read its tables."""

from __future__ import annotations

from typing import Any

from flask import Flask

from survey_app.export.filters import ExportFilters
from survey_app.extensions import db
from survey_app.report.model import Report, ReportTable
from survey_app.report.tables import build_report


def report_of(app: Flask, filters: ExportFilters | None = None, **kw: Any) -> Report:
    with app.app_context():
        return build_report(db.session, filters or ExportFilters(), **kw)


def table(report: Report, key: str) -> ReportTable:
    return next(t for t in report.tables if t.key == key)


def cells(t: ReportTable) -> list[tuple[str, tuple[Any, ...]]]:
    """(row label, its cells) in the table's order."""
    return [(r.label, r.cells) for r in t.rows]
