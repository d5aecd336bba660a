"""Publication mode beyond the cells: a table's n stated in its notes, its title or its
column heads is a count too, so under 5 it is "[c]" there as well, on the page and in the
workbook (found by the review of the Report page, issue #17)."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
from flask import Flask
from matplotlib.figure import Figure
from sqlalchemy import select

from survey_app.export.filters import ExportFilters
from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.report.charts.svg import DRAW, svg
from survey_app.report.model import Chart, Report, Series
from survey_app.report.tables import build_report
from tests import factories
from tests.case_data import CHILD, add_case
from tests.flows import Auth, csrf_token

CONSENT = {"consent_info_sheet": 1, "consent_take_part": 1}
MOTHER_CONSENT = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1}
# "n = 3", "(n=2)", "(4 answered both)": a count of 1 to 4 stated in words.
SMALL_N = re.compile(r"\bn ?= ?[1-4]\b|\b[1-4] answered both\b")


def add_few_of_everyone(app: Flask) -> None:
    """Two prison staff, three practitioners, four mothers at T1 and T2, three cases."""
    for _ in range(2):
        factories.link_response(
            app, "prison_staff", {**CONSENT, "prison": 1, "role_level": 1, "contact_purpose": [1]}
        )
    for _ in range(3):
        factories.link_response(
            app, "practitioners", {**CONSENT, "practitioner_role": 1, "supported_mother": 5}
        )
    for k in range(4):
        pseudonym = f"TC-R{k:02d}-AAAA"
        factories.complete_response(app, pseudonym, "T1", MOTHER_CONSENT, dt.date(2022, 1, 5))
        factories.complete_response(app, pseudonym, "T2", MOTHER_CONSENT, dt.date(2022, 7, 5))
    for month in (5, 6, 7):
        referral = {"needs": [1], "ethnicity": 1, "local_authorities": [1], "children": [CHILD]}
        add_case(app, "send", [("referral", f"2021-{month:02d}-10", referral)])


def report_of(app: Flask, publication: bool) -> Report:
    with app.app_context():
        return build_report(db.session, ExportFilters(publication=publication), by_period=True)


def stated(report: Report) -> list[tuple[str, str]]:
    return [
        (t.key, text)
        for t in report.tables
        for text in (t.title, *t.columns, *t.notes)
        if SMALL_N.search(text)
    ]


def test_publication_states_no_count_under_five_in_a_notes_title_or_heads(app: Flask) -> None:
    add_few_of_everyone(app)
    # Without publication the small n are there to be hidden (the test sees what it checks).
    plain = dict(stated(report_of(app, publication=False)))
    for key in ("8", "10", "13a", "fig-1", "slides", "change-T2"):  # 14a is not split
        assert key in plain, key
    assert stated(report_of(app, publication=True)) == []


def test_the_page_and_the_workbook_in_publication_mode_state_no_small_n(
    app: Flask, auth: Auth
) -> None:
    add_few_of_everyone(app)
    auth.login("researcher")
    page = auth.client.get("/research/report?publication=y&by_period=y")
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))
    assert SMALL_N.findall(text) == []
    download = auth.client.post(
        "/research/report/download",
        data={"csrf_token": csrf_token(page), "publication": "y", "by_period": "y"},
    )
    body = download.data
    download.close()
    assert download.status_code == 200
    with auth.app.app_context():
        audited = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")).one()
        assert audited.detail["split"] == "by study period"
    book = openpyxl.load_workbook(io.BytesIO(body))
    said = [
        value
        for row in book["Report"].iter_rows(values_only=True)
        for value in row
        if isinstance(value, str) and SMALL_N.search(value)
    ]
    assert said == []


def legend_of(chart: Chart) -> list[str]:
    figure = Figure()
    DRAW[chart.kind](figure, chart)
    legend = figure.axes[0].get_legend()
    return [] if legend is None else [text.get_text() for text in legend.get_texts()]


def test_a_grouped_charts_key_names_a_series_whose_every_bar_is_hidden() -> None:
    # The WAI chart of a site with few T2 answers: each T2 place says only "[c]".
    wai = Chart(
        "WAI-SR subscales, T1 beside T2",
        ("Task", "Goal"),
        (Series("T1", (2.9, 3.1), (False, False)), Series("T2", (None, None), (True, True))),
        "grouped",
        "Mean score (1-5)",
        5,
        5,
    )
    assert legend_of(wai) == ["T1", "T2"]
    # Table 10 of a small prison: every tick hidden, no bar drawn at all.
    ticks = Chart(
        "Table 10",
        ("Sent referral",),
        (Series("HMP Send", (None,), (True,)), Series("Total", (None,), (True,))),
        "grouped",
        "% of staff who ticked it",
        100,
        5,
    )
    assert legend_of(ticks) == ["HMP Send", "Total"]
    # A series with nothing to draw and nothing hidden (no answers at T2) stays out of it.
    unanswered = Chart(
        "t", ("Task",), (Series("T1", (3.0,), (False,)), Series("T2", (None,), (False,))),
        "grouped", "Mean", 5,
    )  # fmt: skip
    assert legend_of(unanswered) == ["T1"]


def test_mcnemars_p_is_not_shown_beside_a_hidden_discordant_count(app: Flask) -> None:
    # Twelve pairs: 3 agree at T1 only (hidden), 8 at T2 only, 1 at neither. With T1 only
    # shown, p = mcnemar(b, c) has one c that fits: the p would give the hidden count back.
    plan = [(4, 2)] * 3 + [(2, 4)] * 8 + [(2, 2)]
    for k, (before, after) in enumerate(plan):
        pseudonym = f"TC-M{k:02d}-AAAA"
        t1 = {**MOTHER_CONSENT, "css_willing": before}
        t2 = {**MOTHER_CONSENT, "css_willing": after}
        factories.complete_response(app, pseudonym, "T1", t1, dt.date(2022, 1, 5))
        factories.complete_response(app, pseudonym, "T2", t2, dt.date(2022, 7, 5))
    willing = "I am willing to engage with Children's Social Services. (Strongly agree or agree)"

    def row(publication: bool) -> tuple[object, ...]:
        table = next(t for t in report_of(app, publication).tables if t.key == "agreement-T2")
        return dict((r.label, r.cells) for r in table.rows)[willing]

    plain = row(publication=False)
    assert plain[:5] == (12, 0, 3, 8, 1) and isinstance(plain[5], float)
    hidden = row(publication=True)
    assert hidden[2] == "[c]" and hidden[5] is None
    pub = report_of(app, publication=True)
    notes = next(t for t in pub.tables if t.key == "agreement-T2").notes
    assert any(note.startswith("For publication, no p") for note in notes)


# Table 8 for the "[c]" test: (prison, role) -> staff. Send's 2 managers are under 5; the
# 6, 11 and 15 are hidden only so that the 2 cannot be worked out from the totals.
ROLES = {(1, 1): 2, (2, 1): 6, (1, 2): 11, (2, 2): 15}
# Tables 11 and 12 show the same counts of each role at each prison (their rows' totals), so
# the whole release hides them in every table; the totals are safe to show.
TABLE_8 = [
    ("Management/leadership role", ("[c]", "[c]", 8)),
    ("Frontline role", ("[c]", "[c]", 26)),
    ("Total respondents", ("[c]", "[c]", 34)),
]
C_NOTE = (
    "[c]: confidential, hidden so that no count under 5 can be read or worked out from the release"
)


def add_roles(app: Flask) -> None:
    for (prison, role), n in ROLES.items():
        for _ in range(n):
            factories.link_response(
                app, "prison_staff", {**CONSENT, "prison": prison, "role_level": role}, site=None
            )


def test_every_hidden_cell_is_marked_c_with_one_note(app: Flask, auth: Auth) -> None:
    add_roles(app)
    t8 = next(t for t in report_of(app, publication=True).tables if t.key == "8")
    assert [(r.label, r.cells) for r in t8.rows] == TABLE_8
    assert t8.notes[-1] == C_NOTE
    plain = next(t for t in report_of(app, publication=False).tables if t.key == "8")
    assert C_NOTE not in plain.notes
    auth.login("researcher")
    page = auth.client.get("/research/report?publication=y")
    section = re.search(
        r'<section class="report-table" aria-labelledby="table-8">(.*?)</section>',
        page.get_data(as_text=True),
        re.S,
    )
    assert section is not None
    shown = re.findall(r"<td>([^<]*)</td>", section.group(1))
    assert shown == ["[c]", "[c]", "8", "[c]", "[c]", "26", "[c]", "[c]", "34"]
    assert C_NOTE in section.group(1)
    download = auth.client.post(
        "/research/report/download", data={"csrf_token": csrf_token(page), "publication": "y"}
    )
    body = download.data
    download.close()
    rows = list(openpyxl.load_workbook(io.BytesIO(body))["Report"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("Table 8:"))
    block = [tuple(v for v in r if v is not None) for r in rows[start + 2 : start + 5]]
    assert block == [(label, *values) for label, values in TABLE_8]
    notes = [r[0] for r in rows[start + 5 : start + 5 + len(t8.notes)]]
    assert notes == [f"Note: {note}" for note in t8.notes]


def test_a_chart_labels_every_hidden_bar_c() -> None:
    chart = Chart(
        "Table 9",
        ("Weekly", "Monthly"),
        (Series("HMP Send", (None, None), (True, True), (True, False)),),
        "bars",
        "%",
        100,
        5,
    )
    figure = Figure()
    DRAW[chart.kind](figure, chart)
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.texts] == ["HMP Send [c]", "HMP Send [c]"]
    assert len(axes.patches) == 0  # neither is drawn
    assert "HMP Send [c]" in svg(chart)  # the SVG keeps each text as a comment
