"""Table 1, the summary of data collected, from the twelve hand-made cases of
tests/case_data.py and a few questionnaires of known dates: each count worked by hand."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from survey_app.export.filters import ExportFilters
from tests import case_data, factories
from tests.report_steps import cells, report_of, table

CONSENT = {"consent_info_sheet": 1, "consent_take_part": 1}
MOTHER_CONSENT = {**CONSENT, "consent_skip": 1}
Y1, Y2, AFTER = dt.date(2022, 1, 5), dt.date(2022, 7, 5), dt.date(2023, 6, 10)


def add_questionnaires(app: Flask) -> None:
    """Mothers: T1 in Year 1 (3), Year 2 (1) and after May 2023 (1); T2 in Year 2 (2).
    Practitioners: Year 1 (1), Year 2 (2). Prison staff: Year 2 (4)."""
    for k, (wave, on) in enumerate(
        [("T1", Y1)] * 3 + [("T1", Y2), ("T1", AFTER)] + [("T2", Y2)] * 2
    ):
        factories.complete_response(app, f"TC-C{k:02d}-AAAA", wave, MOTHER_CONSENT, on)
    for on in (Y1, Y2, Y2):
        factories.link_response(app, "practitioners", CONSENT, site=None, completed_on=on)
    for _ in range(4):
        factories.link_response(app, "prison_staff", CONSENT, completed_on=Y2)


def test_table_1_counts_cases_and_questionnaires_by_study_period(app: Flask) -> None:
    case_data.twelve_cases(app)
    add_questionnaires(app)
    report = report_of(app)
    t1 = table(report, "1")
    assert t1.title == "Table 1: Summary of data collected"
    assert t1.columns == (
        "Data collection",
        "Year 1",
        "Year 2",
        "Outside the study periods",
        "Total",
    )
    # Cases by their referral's start date: Send 3 in Year 1 (May 2021, Aug 2021, Jan 2022)
    # and 3 in Year 2; Eastwood Park 3 and 2, and one on 5 June 2023, after Year 2.
    assert cells(t1) == [
        ("Case tracker (new cases)", (6, 5, 1, 12)),
        ("Surveys from mothers, T1", (3, 1, 1, 5)),
        ("Surveys from mothers, T2", (0, 2, 0, 2)),
        ("Surveys from community practitioners", (1, 2, 0, 3)),
        ("Surveys from prison staff", (0, 4, 0, 4)),
    ]
    # The per-period case-form table is kept, under its own name, last.
    keys = [t.key for t in report.tables]
    assert keys[:7] == ["1", "2", "3", "4", "5", "6", "7"]
    assert keys[-1] == "case-forms"
    forms = table(report, "case-forms")
    assert forms.title.startswith("Supplementary table E: Case tracker forms")


def test_table_1_has_no_outside_column_when_all_is_inside(app: Flask) -> None:
    factories.complete_response(app, "TC-C00-AAAA", "T1", MOTHER_CONSENT, Y1)
    factories.link_response(app, "prison_staff", CONSENT, completed_on=Y2)
    t1 = table(report_of(app), "1")
    assert t1.columns == ("Data collection", "Year 1", "Year 2", "Total")
    assert dict(cells(t1))["Surveys from mothers, T1"] == (1, 0, 1)
    assert dict(cells(t1))["Case tracker (new cases)"] == (0, 0, 0)


def test_table_1_in_publication_mode_hides_small_counts_and_their_complements(
    app: Flask,
) -> None:
    case_data.twelve_cases(app)
    add_questionnaires(app)
    shown = dict(cells(table(report_of(app, ExportFilters(publication=True, threshold=5)), "1")))
    # Staff: 4 in Year 2, 4 in all: under 5, hidden wherever it is.
    assert shown["Surveys from prison staff"][1] == "[c]"
    assert shown["Surveys from prison staff"][3] == "[c]"
    # Cases: the 1 after the periods is hidden and so one more of the row (6 + 5 + 1 = 12).
    cases = shown["Case tracker (new cases)"]
    assert cases[2] == "[c]" and sum(c == "[c]" for c in cases) >= 2
