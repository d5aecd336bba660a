"""Chart labels round as the tables do: half up (12.5% is "13%", 2.5% is "3%"), where
Python's format() would give "12%" and "2%"; cut labels stay distinct and carry their n."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from matplotlib.figure import Figure

from survey_app.disclosure.marks import half_up, percent
from survey_app.report.charts.svg import DRAW
from survey_app.report.model import Chart, Series
from survey_app.report.questionnaires.mother_tables import distinct_short
from tests import factories
from tests.report_steps import report_of, table


def test_half_up_matches_the_tables_percent() -> None:
    assert [half_up(v) for v in (2.5, 12.5, 0.5, 2.4999, 99.5)] == [3, 13, 1, 2, 100]
    assert percent(1, 8) == 13 and percent(1, 40) == 3  # 12.5% and 2.5%
    assert f"{12.5:.0f}" == "12"  # what the charts wrote before


def test_every_kind_of_chart_labels_its_bars_half_up() -> None:
    for kind in ("bars", "grouped", "stacked"):
        chart = Chart(
            "Figure", ("One", "Two"), (Series("All sites", (12.5, 2.5), (False, False)),),
            kind, "%", 100, 0,
        )  # fmt: skip
        figure = Figure()
        DRAW[kind](figure, chart)
        texts = [t.get_text() for t in figure.axes[0].texts]
        assert "13%" in texts, kind
        if kind != "stacked":  # a stacked share under 8% is not labelled inside
            assert "3%" in texts, kind


def test_cut_labels_stay_distinct() -> None:
    inside = (
        "How supported do you feel in your role as a mother by professionals inside the prison?"
    )
    outside = inside.replace("inside", "outside")
    short = distinct_short([inside, outside])
    assert short[0] != short[1] and all(s.endswith("…") for s in short)
    assert distinct_short(["Short one", "Short two"]) == ["Short one", "Short two"]


def test_table_15_chart_labels_are_distinct_with_their_n(app: Flask) -> None:
    consent = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1}
    for k in range(3):
        answers = {**consent, "support_inside": 4, "support_outside": 2}
        factories.complete_response(app, f"TC-S{k:02d}-AAAA", "T1", answers, dt.date(2022, 1, 5))
    chart = table(report_of(app), "15").chart
    assert chart is not None
    # Three mothers answered each item at T1, none at T2: n beside each bar. Item by item,
    # each at T1 then T2.
    t1_in, t2_in, t1_out, t2_out = chart.categories
    assert len(set(chart.categories)) == 4
    assert t1_in.startswith("T1: How supported") and "ins…" in t1_in and t1_in.endswith("(n = 3)")
    assert t1_out.startswith("T1: ") and "out…" in t1_out and t1_out.endswith("(n = 3)")
    assert t2_in.startswith("T2: ") and t2_in.endswith("(n = 0)") and t2_out.endswith("(n = 0)")
