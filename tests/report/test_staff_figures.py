"""The staff figures the report gives without a table of the app's: the second Figure 8
(current department, from the eleven staff of the 2023 report) and the staff who think the
TaC social worker should be based at the prison; counts worked by hand."""

from __future__ import annotations

from flask import Flask

from survey_app.export.filters import ExportFilters
from tests import factories
from tests.report.test_report import CONSENT, add_staff
from tests.report_steps import cells, report_of, table


def test_figure_8_staff_departments_by_prison(app: Flask) -> None:
    add_staff(app)
    report = report_of(app)
    t = table(report, "8-department")
    assert t.title == "Figure 8 (prison staff): Current department of the 11 respondents"
    assert t.columns == ("", "n", "%")
    rows = dict(cells(t))
    # All staff (the report's pie chart): Send family, safer, OMU, safer; Eastwood Park
    # family, OMU x 4, safer, family.
    assert rows["Offender Management Unit (OMU)"] == (5, 45)  # 5/11 = 45.5%: 45
    assert rows["Safer custody"] == (3, 27)
    assert rows["Family services"] == (3, 27)
    assert rows["Healthcare or perinatal"] == (0, 0)
    assert rows["Not answered"] == (0, 0)
    assert rows["Total respondents"] == (11, 100)
    assert t.chart is not None
    keys = [x.key for x in report.tables]
    assert keys.index("8-department") == keys.index("8") + 1


def test_staff_based_at_the_prison(app: Flask) -> None:
    for site, based in (("eastwood_park", 1), ("eastwood_park", 1), ("eastwood_park", 1),
                        ("send", 0), ("send", None)):  # fmt: skip
        answers = {**CONSENT, "role_level": 2}
        if based is not None:
            answers["based_in_prison"] = based
        factories.link_response(app, "prison_staff", answers, site=site)
    report = report_of(app)
    # Nobody answered the department: its figure is left out (only "Not answered").
    assert "8-department" not in [x.key for x in report.tables]
    t = table(report, "staff-based")
    assert t.title == (
        "Prison staff who think it important that the TaC social worker is based at the "
        "prison: 3 of 4 who answered"
    )
    rows = dict(cells(t))
    assert rows["Yes"] == (3, 60)
    assert rows["No"] == (1, 20)
    assert rows["Not answered"] == (1, 20)
    published = table(report_of(app, ExportFilters(publication=True, threshold=5)), "staff-based")
    assert "[c] of [c] who answered" in published.title
