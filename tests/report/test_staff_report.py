"""The charts of the prison staff tables (9 to 12) and the community practitioners' tables
(13a to 13g), from hand-made answers of known counts: agreement tables cell by cell (the
practitioners' counts are those of the 2023 report's findings), publication hiding in the
tables and their bars, a statement not asked in a version, no practitioners at all, the
workbook's chart parts and the page's SVGs."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest
from flask import Flask

from survey_app.downloads.export_workbook import build_export
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.extensions import db
from survey_app.instruments.loader import load_all
from survey_app.instruments.publish import sync_instruments
from survey_app.report.model import Chart, ReportTable
from survey_app.report.questionnaires.practitioner_tables import chart_labels
from tests import factories
from tests.flows import Auth
from tests.report_steps import cells, report_of, table

CONSENT = {"consent_info_sheet": 1, "consent_take_part": 1}
SEND, EASTWOOD = 1, 2
MANAGER, FRONTLINE = 1, 2
OMU, SAFER, FAMILY = 1, 2, 4
DAILY, WEEKLY, MONTHLY = 1, 2, 3
QSW, NOT_MATTER = 1, 2
YES, NO = 1, 0

# Eight prison staff: (prison, role, department, contact frequency, purposes, ACCT, qualification)
STAFF = [
    (SEND, MANAGER, FAMILY, WEEKLY, [1, 2], YES, QSW),
    (SEND, FRONTLINE, OMU, DAILY, [2], NO, QSW),
    (SEND, FRONTLINE, OMU, WEEKLY, [1], YES, NOT_MATTER),
    (EASTWOOD, MANAGER, FAMILY, MONTHLY, [1, 2, 3], YES, QSW),
    (EASTWOOD, FRONTLINE, OMU, WEEKLY, [2], NO, QSW),
    (EASTWOOD, FRONTLINE, SAFER, WEEKLY, [1, 2], YES, QSW),
    (EASTWOOD, FRONTLINE, SAFER, WEEKLY, [2, 4], NO, NOT_MATTER),
    (EASTWOOD, FRONTLINE, OMU, MONTHLY, [1], YES, QSW),
]
STAFF_KEYS = (
    "prison",
    "role_level",
    "department",
    "contact_frequency",
    "contact_purpose",
    "acct_involvement",
    "qualification",
)

# Nine practitioners, one character each: 1-5 agree5, y/n yes or no, d don't know, - skipped.
# The agreeing counts are those of the report ("All participants (n = 9) agreed that the
# service was important in providing support to the mother. Most agreed that the service had
# supported the child (n = 7) and the Social Worker in the community (n = 6), and four ...").
PRACTITIONERS = {
    "supported_mother": "545454545",
    "supported_child": "55444553-",
    "supported_sw": "554444321",
    "supported_carer": "544433--2",
    "mother_involved_decisions": "555554444",
    "mother_represented_meetings": "555544433",
    "mother_family_visits": "554443322",
    "mother_settle_community": "444444444",
    "mother_settle_family": "44444444-",
    "mother_less_reoffend": "444455553",
    "changed_prison_experience": "yyyyyyyyy",
    "negative_effects_mother": "nnnnnnnnn",
    "negative_effects_child": "nnnnnnnnd",
    "child_relationship_improved": "555444333",
    "child_settled": "111222dd-",
    "carer_liaise": "444444333",
    "carer_visiting": "555555---",
    "carer_child_relationship": "444443321",
    "carer_mother_relationship": "4444333--",
    "useful_resource": "555555553",
    "home_sw_relationship": "44444444-",
    "team_member": "444444433",
    "support_links": "444443333",
    "gave_advice": "yyyyyyydn",
    "gave_training": "yynnnnddd",
}
CODES = {"y": 1, "n": 0, "d": -1}
AGREE = (
    "Statement",
    "Strongly agree or agree n",
    "Answered n",
    "Strongly agree or agree %",
    "Not sure n",
    "Strongly disagree or disagree n",
)


def add_staff(app: Flask) -> None:
    for row in STAFF:
        factories.link_response(
            app, "prison_staff", {**CONSENT, **dict(zip(STAFF_KEYS, row, strict=True))}
        )


def practitioner(i: int) -> dict[str, object]:
    answers: dict[str, object] = {**CONSENT, "practitioner_role": 4}
    for variable, column in PRACTITIONERS.items():
        if column[i] != "-":
            answers[variable] = CODES.get(column[i]) if column[i] in CODES else int(column[i])
    return answers


def add_practitioners(app: Flask) -> None:
    """Five in Year 1, four in Year 2, as in Table 13."""
    for i in range(9):
        on = dt.date(2022, 1, 10) if i < 5 else dt.date(2023, 1, 10)
        factories.link_response(
            app, "practitioners", practitioner(i), site="community", completed_on=on
        )


def chart_of(t: ReportTable) -> Chart:
    assert t.chart is not None, t.key
    return t.chart


def values(chart: Chart) -> dict[str, tuple[float | None, ...]]:
    return {s.name: s.values for s in chart.series}


PUBLICATION = ExportFilters(publication=True)


def test_agreement_tables_give_agreeing_answered_and_percent_per_statement(app: Flask) -> None:
    add_practitioners(app)
    report = report_of(app)
    keys = [t.key for t in report.tables]
    assert keys[keys.index("13") + 1 : keys.index("13") + 8] == [f"13{c}" for c in "abcdefg"]
    t13a = table(report, "13a")
    assert t13a.title == "Table 13a: Community practitioners: who the service supported"
    assert t13a.columns == AGREE
    assert cells(t13a) == [
        ("The TaC service has been important in supporting the mother.", (9, 9, 100, 0, 0)),
        ("The TaC service has been important in supporting the child.", (7, 8, 88, 1, 0)),
        (
            "The TaC service has been important in supporting the social worker in the community.",
            (6, 9, 67, 1, 2),
        ),
        ("The TaC service has been important in supporting the child's carer.", (4, 7, 57, 2, 1)),
    ]
    assert "n = 9" in t13a.notes
    assert [c[1][:3] for c in cells(table(report, "13b"))] == [
        (9, 9, 100),
        (7, 9, 78),
        (5, 9, 56),
        (9, 9, 100),
        (8, 8, 100),
        (8, 9, 89),
    ]
    assert cells(table(report, "13c")) == [
        (
            "The service has improved the relationship between the child and the mother.",
            (6, 9, 67, 3, 0),
        ),
    ]
    assert [c[1] for c in cells(table(report, "13d"))] == [
        (6, 9, 67, 3, 0),
        (6, 6, 100, 0, 0),
        (5, 9, 56, 2, 2),
        (4, 7, 57, 3, 0),
    ]
    assert [c[1][:3] for c in cells(table(report, "13e"))] == [
        (8, 9, 89),
        (8, 8, 100),
        (7, 9, 78),
        (5, 9, 56),
    ]


def test_yes_no_and_choice_tables_count_dont_know_as_an_answer(app: Flask) -> None:
    add_practitioners(app)
    report = report_of(app)
    t13f = table(report, "13f")
    assert t13f.columns == ("Statement", "Yes n", "Answered n", "Yes %", "No n", "Don't know n")
    assert [c[1] for c in cells(t13f)] == [
        (9, 9, 100, 0, 0),
        (0, 9, 0, 9, 0),
        (0, 9, 0, 8, 1),
        (7, 9, 78, 1, 1),
        (2, 9, 22, 4, 3),
    ]
    t13g = table(report, "13g")
    assert t13g.columns[1:] == (
        "More settled n",
        "Answered n",
        "More settled %",
        "No change n",
        "Less settled n",
        "Don't know n",
    )
    # 3 of the 8 who answered (37.5%, rounded half up as the Summary sheet does).
    assert cells(t13g)[0][1] == (3, 8, 38, 3, 0, 2)


def test_agreement_charts_stack_each_statements_answers_to_100(app: Flask) -> None:
    add_practitioners(app)
    chart = chart_of(table(report_of(app), "13a"))
    assert chart.kind == "stacked" and chart.axis_max == 100
    assert chart.categories == (
        "… mother.",
        "… child.",
        "… social worker in the community.",
        "… child's carer.",
    )
    assert values(chart) == {
        "Strongly agree or agree": pytest.approx((100, 700 / 8, 600 / 9, 400 / 7)),
        "Not sure": pytest.approx((0, 100 / 8, 100 / 9, 200 / 7)),
        "Strongly disagree or disagree": pytest.approx((0, 0, 200 / 9, 100 / 7)),
    }
    yes_no = chart_of(table(report_of(app), "13f"))
    assert [s.name for s in yes_no.series] == ["Yes", "No", "Don't know"]
    assert values(yes_no)["Don't know"] == pytest.approx((0, 0, 100 / 9, 100 / 9, 300 / 9))


def test_chart_labels_drop_only_the_words_every_statement_begins_with() -> None:
    assert chart_labels(["Because of it, she has", "Because of it, she will"]) == [
        "… has",
        "… will",
    ]
    # Nothing in common, or one statement: the full wording.
    assert chart_labels(["Has it?", "Have they?"]) == ["Has it?", "Have they?"]
    assert chart_labels(["One statement."]) == ["One statement."]
    # One statement is the other's beginning: a word is always left.
    assert chart_labels(["It has", "It has been"]) == ["… has", "… has been"]


def test_publication_hides_small_counts_in_agreement_tables_and_their_bars(app: Flask) -> None:
    add_practitioners(app)
    report = report_of(app, PUBLICATION)
    t13a = table(report, "13a")
    # A statement hiding one count hides more, until no hidden count is pinned by the
    # answered n or told from 0 or 5 (7 of 8 agreed, 1 not sure: both hidden; 6, 2 and 1 of
    # 9: all three); one mark "[c]"; no % of a hidden n.
    assert [c[1] for c in cells(t13a)] == [
        (9, 9, 100, 0, 0),
        ("[c]", 8, None, "[c]", 0),
        ("[c]", 9, None, "[c]", "[c]"),
        ("[c]", 7, None, "[c]", "[c]"),
    ]
    assert [c[1] for c in cells(table(report, "13f"))] == [
        (9, 9, 100, 0, 0),
        (0, 9, 0, 9, 0),
        (0, 9, 0, "[c]", "[c]"),
        ("[c]", 9, None, "[c]", "[c]"),
        ("[c]", 9, None, "[c]", "[c]"),
    ]
    chart = chart_of(t13a)
    assert chart.threshold == 5
    agree = chart.series[0]
    assert agree.hidden == (False, True, True, True)
    assert agree.values == (100, None, None, None)
    assert chart.series[1].values[1:] == (None, None, None)
    assert agree.mark(1, 5) == "[c]" and agree.mark(3, 5) == "[c]"
    # The 0 disagreeing of 8 is shown in the table and drawn as 0, not labelled.
    assert chart.series[2].values[1] == 0.0 and not chart.series[2].hidden[1]


def test_a_statement_not_asked_in_a_version_says_so(app: Flask) -> None:
    add_practitioners(app)
    with app.app_context():
        newest = max(
            (d for d in load_all() if d["key"] == "practitioners"), key=lambda d: d["version"]
        )
        newer = copy.deepcopy(newest)
        n = newer["version"] = newest["version"] + 1
        for section in newer["sections"]:
            section["items"] = [
                i for i in section["items"] if i.get("variable") != "supported_carer"
            ]
        sync_instruments(db.session, [newer])
        db.session.commit()
    on_newer = {k: v for k, v in practitioner(0).items() if k != "supported_carer"}
    factories.link_response(app, "practitioners", on_newer, site="community")
    t13a = table(report_of(app), "13a")
    assert f"supported_carer: not asked in version {n}" in t13a.notes
    assert cells(t13a)[0][1][:2] == (10, 10)
    assert cells(t13a)[-1][1][:2] == (4, 7)  # the nine who were asked
    only_newer = ExportFilters(versions=frozenset({f"practitioners:{n}"}))
    t13a = table(report_of(app, only_newer), "13a")
    assert cells(t13a)[-1] == ("supported_carer: not asked", ("not asked",) * 5)
    assert chart_of(t13a).categories == (
        "… mother.",
        "… child.",
        "… social worker in the community.",
    )


def test_no_practitioners_gives_n_0_and_no_chart(app: Flask) -> None:
    add_staff(app)
    report = report_of(app)
    for key in "abcdefg":
        t = table(report, f"13{key}")
        assert t.chart is None
        assert t.notes[-1] == "n = 0: no questionnaires match the filters"
        assert all(c[1][:3] == (0, 0, None) for c in cells(t))


def test_tables_13a_to_13g_split_by_period_when_asked(app: Flask) -> None:
    add_practitioners(app)
    report = report_of(app, by_period=True)
    year2 = table(report, "13a-year-2")
    assert year2.title == "Table 13a: Community practitioners: who the service supported (Year 2)"
    assert cells(year2)[0][1] == (4, 4, 100, 0, 0)
    assert cells(table(report, "13a-year-1"))[0][1] == (5, 5, 100, 0, 0)


def test_staff_charts_give_each_group_its_percentages(app: Flask) -> None:
    add_staff(app)
    report = report_of(app)
    t9 = chart_of(table(report, "9"))
    assert (t9.kind, t9.categories) == (
        "stacked",
        ("Management/leadership role", "Frontline role", "All"),
    )
    assert values(t9) == {
        "Daily": pytest.approx((0, 100 / 6, 100 / 8)),
        "Weekly": pytest.approx((50, 400 / 6, 500 / 8)),
        "Monthly": pytest.approx((50, 100 / 6, 200 / 8)),
        "Less than monthly": (0, 0, 0),
        "Never": (0, 0, 0),
    }
    t10 = chart_of(table(report, "10"))
    assert t10.kind == "grouped" and t10.categories[0] == "Sent referral for a mother"
    # Ticks as % of each prison's n (3 at Send, 5 at Eastwood Park, 8 in all).
    assert values(t10)["HMP Send"][:4] == pytest.approx((200 / 3, 200 / 3, 0, 0))
    assert values(t10)["HMP Eastwood Park"][:4] == pytest.approx((60, 80, 20, 20))
    assert values(t10)["Total"][:2] == pytest.approx((500 / 8, 600 / 8))
    t11 = chart_of(table(report, "11"))
    assert t11.categories == (
        "Management/leadership role: HMP Send",
        "Management/leadership role: HMP Eastwood Park",
        "Frontline role: HMP Send",
        "Frontline role: HMP Eastwood Park",
        "All",
    )
    assert values(t11) == {
        "Yes": pytest.approx((100, 100, 50, 50, 62.5)),
        "No": pytest.approx((0, 0, 50, 50, 37.5)),
    }
    t12 = chart_of(table(report, "12"))
    # Nobody in Send's other frontline roles: no bar for that row.
    assert t12.categories == (
        "HMP Send: Leader/manager",
        "HMP Send: OMU staff",
        "HMP Eastwood Park: Leader/manager",
        "HMP Eastwood Park: OMU staff",
        "HMP Eastwood Park: Other frontline role",
        "All",
    )
    assert values(t12)["Qualified social worker"] == pytest.approx((100, 50, 100, 100, 50, 75))


def test_staff_charts_in_publication_mode_draw_no_hidden_count(app: Flask) -> None:
    add_staff(app)
    add_staff(app)  # sixteen staff: 4 managers (2 weekly), 12 frontline (8 weekly)
    report = report_of(app, PUBLICATION)
    t9 = table(report, "9")
    # The managers' 2 is hidden, then the frontline 8 beside it (the row's total is shown);
    # the Total row's 4 managers, then its 12 frontline staff: "[c]" for every one.
    assert cells(t9)[1] == ("Weekly", ("[c]", "[c]", 10, 63))
    assert cells(t9)[-1] == ("Total", ("[c]", "[c]", 16, 100))
    weekly = next(s for s in chart_of(t9).series if s.name == "Weekly")
    assert weekly.hidden == (True, True, False)
    assert weekly.values == (None, None, 62.5)
    for key in ("9", "10", "11", "12"):
        chart = chart_of(table(report, key))
        assert any(h for s in chart.series for h in s.hidden), key
        assert all(
            v is None for s in chart.series for v, h in zip(s.values, s.hidden, strict=True) if h
        )


def _xlsx(app: Flask, filters: ExportFilters) -> bytes:
    with app.app_context():
        built = build_export(db.session, filters, made_by="t@example.org")
        out = io.BytesIO()
        FORMATS["xlsx"].write(built, out)
    return out.getvalue()


def test_the_workbook_draws_the_staff_and_practitioner_charts_natively(app: Flask) -> None:
    add_staff(app)
    add_practitioners(app)
    data = _xlsx(app, PUBLICATION)
    book = zipfile.ZipFile(io.BytesIO(data))
    parts = [n for n in book.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    by_title = {}
    for part in parts:
        xml = book.read(part).decode()
        title = re.search(r"<a:t>(Table [^:]+):", xml)
        assert title, part
        by_title[title.group(1)] = xml
    # The staff's four and the practitioners' seven; no mothers here, so none of theirs.
    assert sorted(by_title) == sorted(
        ["Table 9", "Table 10", "Table 11", "Table 12"] + [f"Table 13{c}" for c in "abcdefg"]
    )
    assert '<barDir val="bar" /><grouping val="stacked" />' in by_title["Table 9"]
    assert '<barDir val="col" /><grouping val="clustered" />' in by_title["Table 10"]
    assert "<f>'Report'!$B$" in by_title["Table 13a"]
    # The charts' data under each table: a hidden count is the text "[c]" (7 of 8 agreed,
    # hidden so that the 1 not sure is not given back), which Excel does not draw.
    rows = list(openpyxl.load_workbook(io.BytesIO(data))["Report"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("Table 13a:"))
    head = next(i for i in range(start, len(rows)) if str(rows[i][0]).startswith("Chart data"))
    assert rows[head][1:4] == (
        "Strongly agree or agree",
        "Not sure",
        "Strongly disagree or disagree",
    )
    assert rows[head + 1][:4] == ("… mother.", 100, 0, 0)
    assert rows[head + 2][:4] == ("… child.", "[c]", "[c]", 0)


def _svgs_by_table(html: str) -> dict[str, str]:
    sections = re.findall(
        r'<section class="report-table" aria-labelledby="table-([^"]+)">(.*?)</section>',
        html,
        re.S,
    )
    out = {}
    for key, body in sections:
        image = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', body)
        if image:
            out[key] = base64.b64decode(image.group(1)).decode()
    return out


def test_report_page_draws_the_staff_and_practitioner_charts(app: Flask, auth: Auth) -> None:
    add_staff(app)
    add_practitioners(app)
    auth.login("researcher")
    page = auth.client.get("/research/report")
    assert page.status_code == 200
    svgs = _svgs_by_table(page.get_data(as_text=True))
    assert {"9", "10", "11", "12", "13a", "13f", "13g"} <= set(svgs)
    assert all(s.lstrip().startswith("<?xml") and "<svg" in s for s in svgs.values())
    # Text is drawn as paths; matplotlib keeps each text as a comment beside its path.
    assert "Management/leadership role" in svgs["9"]
    assert "Sent referral for" in svgs["10"] and "67%" in svgs["10"]
    assert "Frontline role: HMP Eastwood Park" in svgs["11"]
    assert "HMP Send: OMU staff" in svgs["12"]
    assert "Strongly agree or agree" in svgs["13a"]
    published = auth.client.get("/research/report?publication=y")
    hidden = _svgs_by_table(published.get_data(as_text=True))
    assert "Yes [c]" in hidden["11"]  # every count of the eight staff is under 5
    assert "67%" not in hidden["10"]
