"""Tables 1-7 of the report from twelve hand-made cases (tests/case_data.py), each count
worked by hand from the case list there; on the Report sheet and the Report page too."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.export.filters import ExportFilters
from survey_app.extensions import db
from survey_app.models import CaseForm
from survey_app.report.cases.tables import quarter_of
from survey_app.report.model import Report, ReportTable
from survey_app.report.tables import build_report
from tests import case_data, flows
from tests.flows import Auth

D = case_data.D


def _report(app: Flask, filters: ExportFilters | None = None) -> Report:
    with app.app_context():
        return build_report(db.session, filters or ExportFilters())


def _table(report: Report, key: str) -> ReportTable:
    return next(t for t in report.tables if t.key == key)


def _cells(table: ReportTable) -> dict[str, tuple[Any, ...]]:
    return {r.label: r.cells for r in table.rows}


def test_study_quarters_from_the_study_start() -> None:
    start = D("2021-04-01")
    assert quarter_of(D("2021-03-31"), start) == "Pre-Y1"
    assert quarter_of(D("2021-04-01"), start) == "Y1 Q1"
    assert quarter_of(D("2021-07-01"), start) == "Y1 Q2"
    assert quarter_of(D("2022-03-31"), start) == "Y1 Q4"
    assert quarter_of(D("2022-07-01"), start) == "Y2 Q2"
    assert quarter_of(D("2023-04-10"), start) == "Y3 Q1"


def test_tables_1_to_7_count_the_twelve_cases(app: Flask) -> None:
    case_data.twelve_cases(app)
    report = _report(app)
    keys = [t.key for t in report.tables]
    assert keys[:7] == ["1", "2", "3", "4", "5", "6", "7"]

    # Forms by date: Year 1 has 11 (6 referrals), Year 2 has 12 (5 referrals, 9 cases),
    # case 12's referral (5 June 2023) is after both periods.
    assert _cells(_table(report, "1")) == {
        "Year 1": (11, 6, 6),
        "Year 2": (12, 5, 9),
        "Outside the study periods": (1, 1, 1),
        "Total": (24, 12, 12),
    }
    # Year 1 cases (1, 2, 3 at Send; 7, 8, 9 at Eastwood Park) as at 31 May 2023.
    assert _cells(_table(report, "2")) == {
        "HMP Send": (3, 2, 0, 1),
        "HMP Eastwood Park": (3, 2, 2, 2),
        "Total": (6, 4, 2, 3),
    }
    # Year 2: new, closed, re-opened, open; earlier cases open; all open.
    assert _cells(_table(report, "3")) == {
        "HMP Send": (3, 1, 0, 2, 1, 3),
        "HMP Eastwood Park": (2, 1, 0, 1, 2, 3),
        "Total": (5, 2, 0, 3, 3, 6),
    }
    table_4 = _table(report, "4")
    assert table_4.columns == (
        "", "Pre-Y1", "Y1 Q1", "Y1 Q2", "Y1 Q3", "Y1 Q4",
        "Y2 Q1", "Y2 Q2", "Y2 Q3", "Y2 Q4", "Y3 Q1", "Total",
    )  # fmt: skip
    assert _cells(table_4) == {
        "HMP Send": (0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 6),
        "HMP Eastwood Park": (0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 6),
        "Total": (0, 2, 2, 0, 2, 0, 2, 1, 1, 2, 12),
    }
    needs = _cells(_table(report, "5"))
    assert needs["Cases with a referral"] == (6, 100, 6, 100, 12, 100)
    assert needs["Improved relationship and/or contact with children"] == (5, 83, 4, 67, 9, 75)
    assert needs["Improved communication with CSC"] == (3, 50, 0, 0, 3, 25)
    assert needs["Support to navigate Family Court"] == (1, 17, 2, 33, 3, 25)
    assert needs["Support to have a place on MBU with child"] == (0, 0, 1, 17, 1, 8)
    assert needs["Adoption transition support"] == (0, 0, 0, 0, 0, 0)
    outcomes = _cells(_table(report, "6"))
    assert outcomes["Closed cases"] == (3, 100, 3, 100, 6, 100)
    # Case 7 closed twice: outcome 1 then 2, counted once each.
    assert outcomes["Facilitated relationship with LA social worker"] == (2, 67, 3, 100, 5, 83)
    assert outcomes["Support with legal process"] == (1, 33, 1, 33, 2, 33)
    assert outcomes["Improved contact with children"] == (1, 33, 1, 33, 2, 33)
    barriers = _cells(_table(report, "7"))
    assert barriers["Challenge in achieving accessing LA SW"] == (0, 0, 2, 67, 2, 33)
    assert barriers["High intensity work required in short prison stay"] == (2, 67, 1, 33, 3, 50)
    assert barriers[
        "Different perspective from prison staff presents challenge in achieving goals"
    ] == (1, 33, 0, 0, 1, 17)


def test_publication_mode_hides_small_case_counts(app: Flask) -> None:
    case_data.twelve_cases(app)
    report = _report(app, ExportFilters(publication=True, threshold=5))
    assert _cells(_table(report, "4"))["HMP Send"] == (
        0, "[c]", "[c]", 0, "[c]", 0, "[c]", "[c]", 0, "[c]", 6,
    )  # fmt: skip
    needs = _cells(_table(report, "5"))
    # Eastwood Park's 4 is hidden, and so Send's 5 beside it (9 - 5 would give it away): one
    # mark, "[c]", for both.
    assert needs["Improved relationship and/or contact with children"][::2] == ("[c]", "[c]", 9)
    assert needs["Improved relationship and/or contact with children"][1::2] == (
        None, None, 75,
    )  # fmt: skip


def test_the_tables_are_on_the_report_sheet_and_page(app: Flask, client: FlaskClient) -> None:
    case_data.twelve_cases(app)
    sheet = [r for r in flows.workbook(app)["Report"].iter_rows(values_only=True) if r[0]]
    labels = [str(r[0]) for r in sheet]
    assert any("Table 4: Intervention start date" in label for label in labels)
    assert "Raising safeguarding concerns about child's care" in labels
    Auth(app, client).login("researcher")
    page = client.get("/research/report").get_data(as_text=True)
    assert "Table 7: Barriers identified by TaC social workers" in page
    assert "Support with legal process" in page


def test_a_start_before_the_study_counts_as_pre_y1(app: Flask) -> None:
    """The forms refuse such a date; a case carried over from before the study has one."""
    case_data.twelve_cases(app)
    with app.app_context():
        first = db.session.scalar(
            select(CaseForm).where(CaseForm.kind == "referral").order_by(CaseForm.id)
        )
        assert first is not None
        first.form_date = D("2021-03-15")
        first.answers = {**first.answers, "start_date": "2021-03-15"}
        db.session.commit()
    table_4 = _cells(_table(_report(app), "4"))
    assert table_4["HMP Send"][:3] == (1, 0, 1)  # Pre-Y1, Y1 Q1, Y1 Q2
    assert table_4["Total"][:3] == (1, 1, 2)
