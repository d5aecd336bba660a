"""Attrition: the T1 characteristics of the mothers seen at T2 beside those not seen, for a
small study whose counts, means and standardised differences are worked by hand here."""

from __future__ import annotations

import datetime as dt
import math

from flask import Flask

from survey_app.export.filters import ExportFilters
from survey_app.report.attrition import NOT_KNOWN
from tests import factories
from tests.case_data import add_case
from tests.flows import Clock
from tests.report_steps import report_of, table

D = dt.date.fromisoformat
T1 = D("2025-06-01")  # T2's window 2025-11-01 to 2026-02-01; the clock says 2026-03-15


def wai(value: int) -> dict[str, object]:
    return {f"wai_csw_{i:02d}": value for i in range(1, 13)}


def small_study(app: Flask) -> None:
    """Seen at T2: A (Send; 25-29, White British; WAI 4, involvement 8), B (Eastwood Park;
    25-29, Gypsy or Irish Traveller; WAI 2, involvement 6). Not seen: C (Send; 30-39, White
    British; WAI 3, involvement 4), D (Eastwood Park; no case; WAI 5, involvement 2), F
    (Eastwood Park; 25-29, White British; no WAI, involvement 3). E (Eastwood Park, T1 in
    January) is not yet due: left out."""
    referral = "referral", "2025-05-01"
    mothers = {
        "A": ("send", {"age_band": 2, "ethnicity": 1}, {**wai(4), "decision_involvement": 8}),
        "B": ("eastwood_park", {"age_band": 2, "ethnicity": 3},
              {**wai(2), "decision_involvement": 6}),
        "C": ("send", {"age_band": 3, "ethnicity": 1}, {**wai(3), "decision_involvement": 4}),
        "F": ("eastwood_park", {"age_band": 2, "ethnicity": 1}, {"decision_involvement": 3}),
    }  # fmt: skip
    ids = {}
    for name, (site, case, answers) in mothers.items():
        ids[name] = add_case(app, site, [(*referral, case)])
        factories.complete_response(app, ids[name], "T1", answers, T1, site=site)
    [ids["D"]] = factories.participants(app, 1, "eastwood_park")
    factories.complete_response(
        app, ids["D"], "T1", {**wai(5), "decision_involvement": 2}, T1, site="eastwood_park"
    )
    [ids["E"]] = factories.participants(app, 1, "eastwood_park")
    factories.complete_response(app, ids["E"], "T1", wai(1), D("2026-01-10"), site="eastwood_park")
    for name in "AB":
        site = "send" if name == "A" else "eastwood_park"
        factories.complete_response(app, ids[name], "T2", {}, D("2025-12-01"), site=site)


def smd_share(p1: float, p2: float) -> str:
    return f"{(p1 - p2) / math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2):.2f}"


def test_attrition_by_hand(app: Flask, clock: Clock) -> None:
    small_study(app)
    t = table(report_of(app), "attrition-t2")
    assert t.columns == (
        "", "Seen at T2: n", "Seen at T2: %", "Not seen at T2: n", "Not seen at T2: %",
        "Standardised difference",
    )  # fmt: skip
    # Shares worked by hand: Send 1/2 beside 1/3 gives (0.5 - 0.333) / 0.486 = 0.34.
    assert smd_share(1 / 2, 1 / 3) == "0.34" and smd_share(1 / 2, 0) == "1.41"
    data = [(r.label, r.cells) for r in t.rows if r.kind != "heading"]
    assert data == [
        ("HMP Send", (1, 50, 1, 33, "0.34")),
        ("HMP Eastwood Park", (1, 50, 2, 67, "-0.34")),
        ("Total", (2, 100, 3, 100, None)),
        ("25-29", (2, 100, 1, 33, "2.00")),  # (1 - 1/3) / sqrt((0 + 2/9) / 2) = 2
        ("30-39", (0, 0, 1, 33, "-1.00")),
        (NOT_KNOWN, (0, 0, 1, 33, "-1.00")),
        ("Total", (2, 100, 3, 100, None)),
        ("White British", (1, 50, 2, 67, "-0.34")),
        ("Gypsy or Irish Traveller", (1, 50, 0, 0, "1.41")),
        (NOT_KNOWN, (0, 0, 1, 33, "-1.00")),
        ("Total", (2, 100, 3, 100, None)),
        # WAI: seen 4 and 2 (mean 3, SD 1.41), not seen 3 and 5 (4, 1.41): -1 / 1.41.
        ("n with a score", (2, None, 2, None, None)),
        ("Mean (SD)", ("3.00 (1.41)", None, "4.00 (1.41)", None, "-0.71")),
        # Involvement: 8, 6 (7, 1.41) beside 4, 2, 3 (3, 1.00): 4 / sqrt((2 + 1) / 2) = 3.27.
        ("n with a score", (2, None, 3, None, None)),
        ("Mean (SD)", ("7.00 (1.41)", None, "3.00 (1.00)", None, "3.27")),
        ("n with a score", (0, None, 0, None, None)),  # the relationship rating: not asked
        ("Mean (SD)", (None, None, None, None, None)),
    ]
    headings = [r.label for r in t.rows if r.kind == "heading"]
    assert headings[:4] == [
        "Site (where registered)",
        "Age band (her case referral)",
        "Ethnicity (her case referral)",
        "WAI total at T1 (1-5)",
    ]
    assert headings[4].startswith("How involved do you feel in the decisions")
    assert "seen at T2 2, not seen 3" in t.notes[0]
    assert "on 8 of 8 rows, the largest: How involved" in t.notes[1]
    assert "(3.27); Age band (her case referral): 25-29 (2.00)" in t.notes[1]


def test_attrition_in_publication_mode_hides_small_groups(app: Flask, clock: Clock) -> None:
    small_study(app)
    t = table(report_of(app, ExportFilters(publication=True, threshold=5)), "attrition-t2")
    shown = [c for r in t.rows for c in r.cells]
    assert not [c for c in shown if isinstance(c, int) and 0 < c < 5]
    means = [r.cells for r in t.rows if r.label == "Mean (SD)"]
    assert means[0][0] == "[c]" and means[0][4] is None
    assert "seen at T2 [c], not seen [c]" in t.notes[0]
