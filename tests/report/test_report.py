"""The report rebuilt from hand-made data of known counts: Tables 8 to 16 cell by cell (the
staff counts are those of the 2023 report), the WAI, the paired change (checked against
values worked by hand), publication suppression, the workbook's charts and the page."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from survey_app.downloads.export_workbook import build_export
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.report import grid, stats
from survey_app.report.tables import EMPTY
from tests import factories
from tests.flows import Auth, csrf_token
from tests.report_steps import cells, report_of, table

CONSENT = {"consent_info_sheet": 1, "consent_take_part": 1}
MOTHER_CONSENT = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1}
SEND, EASTWOOD = 1, 2
MANAGER, FRONTLINE = 1, 2
OMU, SAFER, FAMILY = 1, 2, 4
DAILY, WEEKLY, MONTHLY, LESS = 1, 2, 3, 4
QSW, NOT_MATTER = 1, 2
YES, NO = 1, 0

# The eleven prison staff of the 2023 report (Tables 8 to 12):
# (prison, role, department, contact frequency, purposes, ACCT, qualification)
STAFF = [
    (SEND, MANAGER, FAMILY, WEEKLY, [1, 2, 3, 4], YES, QSW),
    (SEND, MANAGER, SAFER, LESS, [2, 3], YES, QSW),
    (SEND, FRONTLINE, OMU, WEEKLY, [1, 2, 4], YES, QSW),
    (SEND, FRONTLINE, SAFER, DAILY, [2, 5], NO, NOT_MATTER),
    (EASTWOOD, MANAGER, FAMILY, MONTHLY, [1, 2, 3, 4, 5], YES, QSW),
    (EASTWOOD, FRONTLINE, OMU, WEEKLY, [1, 2, 4, 5], YES, QSW),
    (EASTWOOD, FRONTLINE, OMU, WEEKLY, [1, 2, 4], YES, QSW),
    (EASTWOOD, FRONTLINE, OMU, WEEKLY, [1, 2, 4], YES, NOT_MATTER),
    (EASTWOOD, FRONTLINE, OMU, WEEKLY, [1, 5], NO, NOT_MATTER),
    (EASTWOOD, FRONTLINE, SAFER, MONTHLY, [2], NO, QSW),
    (EASTWOOD, FRONTLINE, FAMILY, MONTHLY, [6], NO, QSW),
]


def staff_answers(row: tuple[Any, ...]) -> dict[str, object]:
    prison, role, department, frequency, purposes, acct, qualification = row
    return {
        **CONSENT,
        "prison": prison,
        "role_level": role,
        "department": department,
        "contact_frequency": frequency,
        "contact_purpose": purposes,
        "acct_involvement": acct,
        "qualification": qualification,
    }


def add_staff(app: Flask) -> None:
    # Send's staff answered a shared link ("any" site): only their answer says where they work.
    for row in STAFF:
        site = None if row[0] == SEND else "eastwood_park"
        factories.link_response(app, "prison_staff", staff_answers(row), site=site)


def test_staff_tables_8_to_12_reproduce_the_report_cell_by_cell(app: Flask) -> None:
    add_staff(app)
    report = report_of(app)
    t8 = table(report, "8")
    assert t8.columns == ("", "HMP Send", "HMP Eastwood Park", "Total")
    assert cells(t8) == [
        ("Management/leadership role", (2, 1, 3)),
        ("Frontline role", (2, 6, 8)),
        ("Total respondents", (4, 7, 11)),
    ]
    t9 = table(report, "9")
    assert t9.columns == ("", "Management/leadership role", "Frontline role", "Total", "%")
    assert cells(t9) == [
        ("Daily", (0, 1, 1, 9)),
        ("Weekly", (1, 5, 6, 55)),
        ("Monthly", (1, 2, 3, 27)),
        ("Less than monthly", (1, 0, 1, 9)),
        ("Never", (0, 0, 0, 0)),
        ("Total", (3, 8, 11, 100)),
    ]
    t10 = table(report, "10")
    assert t10.columns == ("", "HMP Send (n=4)", "HMP Eastwood Park (n=7)", "Total (n=11)")
    assert cells(t10) == [
        ("Sent referral for a mother", (2, 5, 7)),
        ("Received general information/advice", (4, 5, 9)),
        ("Service updates", (2, 1, 3)),
        ("One-off case discussion", (2, 4, 6)),
        ("Co-worked a case", (1, 3, 4)),
        ("Other", (0, 1, 1)),
    ]
    assert cells(table(report, "11")) == [
        ("Management/leadership role:", ()),
        ("HMP Send", (2, 0, 2)),
        ("HMP Eastwood Park", (1, 0, 1)),
        ("Frontline role:", ()),
        ("HMP Send", (1, 1, 2)),
        ("HMP Eastwood Park", (3, 3, 6)),
        ("Total", (7, 4, 11)),
    ]
    assert cells(table(report, "12")) == [
        ("HMP Send:", ()),
        ("Leader/manager", (2, 0, 2)),
        ("OMU staff", (1, 0, 1)),
        ("Other frontline role", (0, 1, 1)),
        ("HMP Eastwood Park:", ()),
        ("Leader/manager", (1, 0, 1)),
        ("OMU staff", (2, 2, 4)),
        ("Other frontline role", (2, 0, 2)),
        ("Total", (8, 3, 11)),
    ]


def test_staff_without_a_prison_answer_are_grouped_by_the_links_site(app: Flask) -> None:
    factories.link_response(app, "prison_staff", {**CONSENT, "role_level": MANAGER}, site="send")
    factories.link_response(app, "prison_staff", {**CONSENT, "role_level": FRONTLINE}, site=None)
    t8 = table(report_of(app), "8")
    assert t8.columns == ("", "HMP Send", "Prison not given", "Total")
    assert cells(t8)[-1] == ("Total respondents", (1, 1, 2))


def test_table_13_splits_practitioners_by_the_study_periods(app: Flask) -> None:
    year1, year2 = dt.date(2022, 1, 10), dt.date(2023, 1, 10)
    roles = [(1, year1), (3, year1), (4, year1), (4, year1), (4, year1)]
    roles += [(2, year2), (4, year2), (4, year2), (5, year2)]
    for role, on in roles:
        factories.link_response(
            app, "practitioners", {**CONSENT, "practitioner_role": role}, completed_on=on
        )
    t13 = table(report_of(app), "13")
    assert t13.columns == ("", "Year 1", "Year 2", "Total")
    assert cells(t13) == [
        ("Children's guardian", (1, 0, 1)),
        ("Parent advocate", (0, 1, 1)),
        ("School safeguarding lead", (1, 0, 1)),
        ("Social worker", (3, 2, 5)),
        ("Solicitor", (0, 1, 1)),
        ("Other", (0, 0, 0)),
        ("Total", (5, 4, 9)),
    ]


def _t1_willing(i: int) -> int:
    return (4 if i % 2 else 5) if i < 32 else 3 if i < 36 else 1 if i == 36 else 2


def _t1_trust(i: int) -> int:
    return 4 if i < 13 else 3 if i < 23 else 2


def _t2(j: int) -> dict[str, object]:
    answers: dict[str, object] = {**MOTHER_CONSENT}
    if j < 18:
        answers["css_willing"] = 5 if j < 15 else 3 if j == 15 else 1
    answers["css_trust"] = 4 if j < 8 else 3 if j < 12 else 1 if j < 19 else -2
    return answers


def add_mothers_of_table_14(app: Flask) -> None:
    """38 T1 (23 in Year 1) and 20 T2 (14 in Year 1): Table 14's first two items."""
    for i in range(38):
        on = dt.date(2021, 10, 1) if i < 23 else dt.date(2022, 10, 1)
        answers = {**MOTHER_CONSENT, "css_willing": _t1_willing(i), "css_trust": _t1_trust(i)}
        factories.complete_response(app, f"TC-M{i:02d}-AAAA", "T1", answers, on)
    for j in range(20):
        on = dt.date(2022, 4, 1) if j < 14 else dt.date(2023, 3, 1)
        factories.complete_response(app, f"TC-M{j:02d}-AAAA", "T2", _t2(j), on)


def test_tables_14a_and_14_reproduce_the_report_t1_beside_t2(app: Flask) -> None:
    add_mothers_of_table_14(app)
    report = report_of(app)
    t14a = table(report, "14a")
    assert t14a.columns[1:] == (
        "Start of support (T1)",
        "Six months after the start of support (T2)",
        "Total",
    )
    assert cells(t14a) == [
        ("Year 1", (23, 14, 37)),
        ("Year 2", (15, 6, 21)),
        ("Total questionnaires from mothers", (38, 20, 58)),
    ]
    t14 = table(report, "14")
    assert t14.columns == ("", "T1 n", "T1 %", "T2 n", "T2 %")
    assert cells(t14)[:10] == [
        ("I am willing to engage with Children's Social Services.", ()),
        ("Strongly agree or agree", (32, 84, 15, 83)),
        ("Not sure", (4, 11, 1, 6)),
        ("Strongly disagree or disagree", (2, 5, 2, 11)),
        ("Total", (38, 100, 18, 100)),
        ("I can trust Children's Social Services to help my family.", ()),
        ("Strongly agree or agree", (13, 34, 8, 42)),
        ("Not sure", (10, 26, 4, 21)),
        ("Strongly disagree or disagree", (15, 39, 7, 37)),
        ("Total", (38, 100, 19, 100)),
    ]
    # Nobody was asked css_confident: n = 0 at both waves, no percentages.
    assert cells(t14)[-1] == ("Total", (0, None, 0, None))
    chart = t14.chart
    assert chart is not None and chart.kind == "stacked"
    assert chart.categories[0].startswith("T1: I am willing to engage")
    assert chart.categories[1].startswith("T2: I am willing to engage")
    agree = chart.series[0]
    assert agree.name == "Strongly agree or agree"
    assert agree.values[:2] == pytest.approx((32 * 100 / 38, 15 * 100 / 18))


def test_tables_split_by_study_period_when_asked(app: Flask) -> None:
    add_mothers_of_table_14(app)
    report = report_of(app, by_period=True)
    year2 = table(report, "14-year-2")
    assert year2.title.endswith("(Year 2)")
    # Year 2: T1 mothers 23..37 and T2 mothers 14..19, of whom 14..17 answered the item.
    willing = cells(year2)[1:5]
    assert willing[-1] == ("Total", (15, 100, 4, 100))


WAI_ITEMS_2 = [1, 2, 3, 4, 5, 1, 2, 3, 4, 4, 2, 3]


def wai(values: list[int | None]) -> dict[str, object]:
    return {f"wai_csw_{i:02d}": v for i, v in enumerate(values, start=1) if v is not None}


def test_wai_completion_and_subscale_means_per_wave(app: Flask) -> None:
    at = dt.date(2022, 1, 5)
    factories.complete_response(
        app, "TC-W01-AAAA", "T1", {**MOTHER_CONSENT, "csw_contact": 3, **wai([3] * 12)}, at
    )
    factories.complete_response(
        app, "TC-W02-AAAA", "T1", {**MOTHER_CONSENT, "csw_contact": 3, **wai(WAI_ITEMS_2)}, at
    )
    factories.complete_response(
        app, "TC-W03-AAAA", "T1", {**MOTHER_CONSENT, "csw_contact": 3, **wai([4] * 11 + [None])}, at
    )
    factories.complete_response(
        app, "TC-W04-AAAA", "T1", {**MOTHER_CONSENT, "csw_contact": 1, **wai([-3] * 12)}, at
    )
    t = table(report_of(app), "wai-wai_csw")
    assert t.columns == ("", "T1", "T2")
    # By hand: mother 2 scores task (1+2+4+3)/4 = 2.5, goal (4+1+3+2)/4 = 2.5,
    # bond (3+5+2+4)/4 = 3.5, total 34/12; mother 3 has no task or total (item 12 missing).
    assert cells(t) == [
        ("Mothers who answered the questionnaire", (4, 0)),
        # Mother 4 never met her social worker: the routing left the WAI out for her.
        ("Not asked the WAI (the questionnaire's routing left it out)", (1, 0)),
        ("Asked the WAI", (3, 0)),
        ("Completed the WAI (all 12 items)", (2, 0)),
        ("Completion (% of those asked)", (67, None)),
        ("Task (items 1, 2, 10, 12)", ()),
        ("n", (2, 0)),
        ("Mean", (2.75, None)),
        ("SD", (0.35, None)),
        ("Goal (items 4, 6, 8, 11)", ()),
        ("n", (3, 0)),
        ("Mean", (3.17, None)),
        ("SD", (0.76, None)),
        ("Bond (items 3, 5, 7, 9)", ()),
        ("n", (3, 0)),
        ("Mean", (3.5, None)),
        ("SD", (0.5, None)),
        ("Total (all 12 items)", ()),
        ("n", (2, 0)),
        ("Mean", (2.92, None)),
        ("SD", (0.12, None)),
    ]
    assert t.chart is not None and t.chart.series[0].values == pytest.approx(
        (2.75, 19 / 6, 3.5, (3 + 34 / 12) / 2)
    )


def add_linked(app: Flask, n: int) -> None:
    """n mothers at T1 and T2. WAI: all 1 at T1; at T2 the first k+1 items are 2, so the
    total rises by (k+1)/12. Involvement: 1 at T1, then 2..10 and one unchanged (1)."""
    for k in range(n):
        t1 = {**MOTHER_CONSENT, "csw_contact": 3, "decision_involvement": 1, **wai([1] * 12)}
        t1["css_willing"] = 2
        t2 = {**MOTHER_CONSENT, "csw_contact": 3, **wai([2] * (k + 1) + [1] * (11 - k))}
        t2["decision_involvement"] = k + 2 if k < 9 else 1
        t2["css_willing"] = 4 if k < 6 else 2
        factories.complete_response(app, f"TC-P{k:02d}-AAAA", "T1", t1, dt.date(2022, 1, 5))
        factories.complete_response(app, f"TC-P{k:02d}-AAAA", "T2", t2, dt.date(2022, 7, 5))


def test_paired_change_matches_the_hand_computation(app: Flask) -> None:
    add_linked(app, 10)
    report = report_of(app)
    change = dict(cells(table(report, "change-T2")))
    # WAI total differences 1/12 .. 10/12, all positive and distinct: W- = 0, so the exact
    # two-sided p is 2 / 2**10. Mean 5.5/12; 95% CI 5.5/12 +- t(0.975, 9) = 2.262157 times
    # sd(1..10)/12 / sqrt(10) = 3.02765/12/3.16228.
    total = change["WAI total (wai_csw)"]
    assert total[:4] == (10, 1.0, 1.46, 0.46)
    assert total[4] == "0.28 to 0.64"
    assert total[5] == round(2 / 2**10, 3)
    # Involvement: differences 1..9 and one 0 (dropped): exact p = 2 / 2**9.
    # Mean 4.5; CI 4.5 +- 2.262157 * 3.02765 / sqrt(10) = 2.33 to 6.67.
    involvement = change["decision_involvement"]
    assert involvement == (10, 1.0, 5.5, 4.5, "2.33 to 6.67", round(2 / 2**9, 3))
    agreement = dict(cells(table(report, "agreement-T2")))
    willing = agreement[
        "I am willing to engage with Children's Social Services. (Strongly agree or agree)"
    ]
    # Nobody agreed at T1; 6 did at T2: McNemar's exact p = 2 * 0.5**6.
    assert willing == (10, 0, 0, 6, 4, round(2 * 0.5**6, 3))


def test_under_ten_pairs_says_too_few_pairs_to_test(app: Flask) -> None:
    add_linked(app, 9)
    report = report_of(app)
    involvement = dict(cells(table(report, "change-T2")))["decision_involvement"]
    assert involvement[0] == 9 and involvement[-1] == "too few pairs to test"
    agreement = dict(cells(table(report, "agreement-T2")))
    assert all(row[-1] == "too few pairs to test" for row in agreement.values())
    willing = "I am willing to engage with Children's Social Services. (Strongly agree or agree)"
    assert agreement[willing][:5] == (9, 0, 0, 6, 3)


def test_statistics_against_values_worked_by_hand() -> None:
    change = stats.paired_change([(0.0, float(d)) for d in range(1, 11)])
    assert change.mean_difference == 5.5
    assert (change.ci_low, change.ci_high) == pytest.approx((3.334149, 7.665851), abs=1e-6)
    assert change.p == pytest.approx(2 / 1024)
    # One negative difference, the smallest (rank 1): W- = 1, P(W <= 1) = 2 / 1024.
    one_down = stats.paired_change([(1.0, 0.0)] + [(0.0, float(d)) for d in range(2, 11)])
    assert one_down.p == pytest.approx(4 / 1024)
    assert stats.mcnemar_exact(1, 9) == pytest.approx(2 * (1 + 10) / 1024)
    assert stats.mcnemar_exact(0, 0) == 1.0
    assert stats.paired_change([(1.0, 2.0)] * 9).p is None
    assert stats.paired_change([(1.0, 1.0)] * 10).p == 1.0


def test_one_line_hides_a_second_count_only_when_the_total_would_bound_the_first() -> None:
    expected = {
        (3, 10, 12): [True, True, False],  # 3 alone would be 25 - 22; 10 lifts it past 5
        (0, 7, 9): [False, False, False],
        (2, 3, 40): [True, True, False],  # 2 + 3 = 5: each could be 0 or 5
        (6, 7, 8): [False, False, False],
    }
    for counts, hides in expected.items():
        line = [[n] for n in [*counts, sum(counts)]]
        hidden = grid.hide(line, [[(r, 0) for r in range(len(line))]], 5)
        assert [h[0] for h in hidden[:-1]] == hides


def test_publication_hides_small_cells_across_rows_and_columns(app: Flask) -> None:
    add_staff(app)
    add_mothers_of_table_14(app)
    report = report_of(app, ExportFilters(publication=True))
    # Table 8: every count under 5 is hidden, then more until none can be pinned or told
    # from 0 or 5; one mark, "[c]", whatever the count.
    t8 = table(report, "8")
    assert cells(t8) == [
        ("Management/leadership role", ("[c]", "[c]", "[c]")),
        ("Frontline role", ("[c]", "[c]", "[c]")),
        ("Total respondents", ("[c]", "[c]", 11)),
    ]
    assert t8.notes[-1] == (
        "[c]: confidential, hidden so that no count under 5 can be read or worked out from the "
        "release"
    )
    t14 = table(report, "14")
    assert cells(t14)[1:5] == [
        # T2's two small counts add up to 3: shown 15 and 18 would bound each by 3.
        ("Strongly agree or agree", (32, 84, "[c]", None)),
        ("Not sure", ("[c]", None, "[c]", None)),
        ("Strongly disagree or disagree", ("[c]", None, "[c]", None)),
        ("Total", (38, 100, 18, 100)),
    ]
    assert t14.chart is not None
    assert t14.chart.series[1].hidden[:2] == (True, True)


def test_an_empty_report_says_so(app: Flask) -> None:
    add_staff(app)
    report = report_of(app, ExportFilters(date_to=dt.date(2000, 1, 1)))
    assert report.empty and report.messages == (EMPTY,)


def test_a_version_without_a_variable_says_not_asked_in_that_version(app: Flask) -> None:
    import copy

    from survey_app.instruments.loader import load_all
    from survey_app.instruments.publish import sync_instruments

    with app.app_context():
        staff = max(
            (d for d in load_all() if d["key"] == "prison_staff"), key=lambda d: d["version"]
        )
        newer = copy.deepcopy(staff)
        n = newer["version"] = staff["version"] + 1
        for section in newer["sections"]:
            section["items"] = [i for i in section["items"] if i.get("variable") != "role_level"]
        sync_instruments(db.session, [newer])
        db.session.commit()
    add_staff(app)
    report = report_of(app, ExportFilters(versions=frozenset({f"prison_staff:{n}"})))
    t8 = table(report, "8")
    assert f"role_level: not asked in version {n}" in t8.notes
    assert cells(t8) == [
        ("Not answered", (4, 7, 11)),
        ("Total respondents", (4, 7, 11)),
    ]


def _xlsx(app: Flask, filters: ExportFilters | None = None) -> bytes:
    with app.app_context():
        built = build_export(db.session, filters or ExportFilters(), made_by="t@example.org")
        out = io.BytesIO()
        FORMATS["xlsx"].write(built, out)
    return out.getvalue()


def test_the_workbook_holds_the_report_sheet_and_native_charts(app: Flask) -> None:
    add_staff(app)
    add_mothers_of_table_14(app)
    data = _xlsx(app)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    charts = sorted(n for n in names if n.startswith("xl/charts/chart"))
    # Tables 9 to 12 and 14; Tables 13a-13g, 15, 16 and the WAI have no answers here, so
    # no chart.
    assert len(charts) == 5
    chart_xml = zipfile.ZipFile(io.BytesIO(data)).read(charts[0]).decode()
    assert "<f>'Report'!$B$" in chart_xml and "<barChart>" in chart_xml
    rows = list(openpyxl.load_workbook(io.BytesIO(data))["Report"].iter_rows(values_only=True))
    titles = [r[0] for r in rows if r[0] and str(r[0]).startswith("Table ")]
    assert titles[:3] == [
        "Table 8: Profile of prison staff who submitted a valid questionnaire",
        "Table 9: Reported contact frequency between prison staff and the TaC social worker",
        "Table 10: Purpose of contact between prison staff and the TaC social worker",
    ]
    start = next(i for i, r in enumerate(rows) if r[0] == titles[0])
    assert rows[start + 2][:4] == ("Management/leadership role", 2, 1, 3)


def test_report_page_shows_tables_and_svg_charts(app: Flask, auth: Auth) -> None:
    add_mothers_of_table_14(app)
    auth.login("researcher")
    page = auth.client.get("/research/report?publication=y")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Table 14: Mothers&#39; perceptions of Children&#39;s Social Services" in html
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert images
    svgs = [base64.b64decode(i).decode() for i in images]
    assert all(s.lstrip().startswith("<?xml") and "<svg" in s for s in svgs)
    assert any("Not sure [c]" in s for s in svgs)  # a hidden bar's label
    # Nothing from outside: no linked resource, no font (text is drawn as paths).
    assert not any(re.search(r'(href|src)="https?:|@import|url\((?!#)', svg) for svg in svgs)


def test_report_page_with_filters_that_leave_nothing_says_so(app: Flask, auth: Auth) -> None:
    auth.login("researcher")
    page = auth.client.get("/research/report?date_to=2000-01-01")
    assert page.status_code == 200
    # No case either: the message does not speak of questionnaires alone.
    assert (
        "No questionnaires or cases match these filters: there is nothing to report."
        in page.get_data(as_text=True)
    )
    bad = auth.client.get("/research/report?date_from=not-a-date")
    assert bad.status_code == 400
    assert "Please check the fields" in bad.get_data(as_text=True)


def test_report_download_is_audited_with_its_filters(app: Flask, auth: Auth) -> None:
    add_staff(app)
    auth.login("researcher")
    page = auth.client.get("/research/report?site=eastwood_park")
    reply = auth.client.post(
        "/research/report/download",
        data={"csrf_token": csrf_token(page), "site": "eastwood_park", "publication": "y"},
    )
    body = reply.data
    reply.close()
    assert reply.status_code == 200, re.findall(r"Not released[^<]*", body.decode(errors="replace"))
    assert reply.headers["Content-Disposition"].startswith("attachment; filename=survey-report-")
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["About", "Report"]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")).one()
        assert event.target == "report-xlsx"
        assert event.detail["site"] == "eastwood_park"
        assert event.detail["publication"].startswith("yes")
        assert event.detail["split"] == "no"
    refused = auth.client.post("/research/report/download", data={"site": "send"})
    assert refused.status_code == 400


def test_dates_given_the_wrong_way_round_are_pointed_out_not_an_empty_result(
    auth: Auth,
) -> None:
    auth.login("researcher")
    page = auth.client.get("/research/report?date_from=2023-01-01&date_to=2022-01-01")
    assert page.status_code == 400
    assert "This date is before the start date." in page.get_data(as_text=True)
    export = auth.client.get("/research/export")
    refused = auth.client.post(
        "/research/export",
        data={
            "csrf_token": csrf_token(export),
            "format": "xlsx",
            "site": "",
            "date_from": "2023-01-01",
            "date_to": "2022-01-01",
        },
    )
    assert refused.status_code == 400
    assert "This date is before the start date." in refused.get_data(as_text=True)
