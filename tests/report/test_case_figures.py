"""Figures 1 to 14 and the slides' percentages from thirteen hand-made cases (seven at HMP
Send, six at HMP Eastwood Park), each count worked by hand from the list below; publication
mode, missing answers, a version without a variable, and the charts on the workbook's Report
sheet and the Report page."""

from __future__ import annotations

import base64
import copy
import io
import re
import zipfile
from typing import Any

from flask import Flask

from survey_app.downloads.export_workbook import build_export
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.extensions import db
from survey_app.instruments.loader import load_all
from survey_app.instruments.model import build as build_instrument
from survey_app.instruments.publish import sync_instruments
from survey_app.report.cases import slides as case_slides
from survey_app.report.model import ReportTable
from tests import case_data, factories
from tests.flows import Auth
from tests.report_steps import report_of, table

FIGURE_KEYS = [f"fig-{n}" for n in range(1, 15)]
CHARTED = [k for k in FIGURE_KEYS if k != "fig-5"] + ["slides"]
DEVON, OXFORDSHIRE, BRIDGEND, BARKING, BARNET = 35, 95, 166, 1, 2


def kids(*pairs: tuple[int, int], more: int = 0) -> list[dict[str, Any]]:
    """Child entries (age band, care arrangement), then ``more`` aged 5-10 with family."""
    listed = [
        {"child_age_band": age, "child_care_arrangement": care, "child_has_social_worker": 1}
        for age, care in pairs
    ]
    return (
        listed
        + [{"child_age_band": 4, "child_care_arrangement": 2, "child_has_social_worker": 1}] * more
    )


# (site, referral answers, later forms). Codes as the forms code them: referral_source 1 Self,
# 2 OMU, 3 children's social worker; family_court 1 currently in proceedings; contact 1 none;
# contact_outcome 1 plan, 2 supported with no contact, 3 not resolved, 4 not an issue.
CASES: list[tuple[str, dict[str, Any], list[case_data.Form]]] = [
    ("send", {"referral_source": 1, "children": kids((2, 1)), "siblings": -3, "family_court": 1,
              "contact_at_referral": 1, "local_authorities": [DEVON, BARKING]},
     [("update", "2022-03-01", {"in_proceedings": 1, "acct": 1}),
      ("closure", "2022-05-01", {"contact_outcome": 1})]),
    ("send", {"referral_source": 1, "children": kids((3, 2), (4, 3)), "siblings": 2,
              "family_court": 2, "contact_at_referral": 2, "local_authorities": [DEVON]},
     [("closure", "2022-05-01", {"contact_outcome": 4})]),
    ("send", {"referral_source": 2, "children": kids(more=3), "siblings": 1, "family_court": 4,
              "contact_at_referral": 1, "local_authorities": [DEVON, OXFORDSHIRE]},
     [("update", "2022-03-01", {"in_proceedings": 1, "acct": 1})]),
    ("send", {"referral_source": 1, "children": kids(more=5), "siblings": 5, "family_court": 2,
              "contact_at_referral": 3, "local_authorities": [BARNET]},
     [("update", "2022-03-01", {"in_proceedings": 0, "acct": 0}),
      ("closure", "2022-05-01", {"contact_outcome": 2})]),
    ("send", {"referral_source": 1, "children": kids(more=6), "siblings": 2, "family_court": 1,
              "contact_at_referral": 1, "local_authorities": [DEVON]},
     [("closure", "2022-05-01", {"contact_outcome": 3})]),
    # One child, yet a siblings answer: not among the mothers with two or more children.
    ("send", {"referral_source": 1, "children": kids(more=1), "siblings": 2, "family_court": 2,
              "contact_at_referral": 1, "local_authorities": [], "age_band": "x"},
     [("closure", "2022-05-01", {})]),
    # No referral_source, age, siblings or contact at referral: "Not answered".
    ("send", {"children": kids(more=2), "family_court": 2, "age_band": None}, []),
    ("eastwood_park", {"referral_source": 1, "children": kids((1, 6)), "family_court": 1,
                       "contact_at_referral": 1, "local_authorities": [DEVON, OXFORDSHIRE]},
     [("closure", "2021-10-01", {"contact_outcome": 3}),
      ("reopening", "2022-01-01", {"reopen_reason": 1}),
      ("closure", "2022-05-01", {"contact_outcome": 1})]),
    ("eastwood_park", {"referral_source": 1, "children": kids((2, 1), (2, 4), (4, 2), (7, 9)),
                       "siblings": 3, "family_court": 1, "contact_at_referral": 2,
                       "local_authorities": [OXFORDSHIRE]},
     [("closure", "2022-05-01", {"contact_outcome": 1})]),
    ("eastwood_park", {"referral_source": 3, "children": kids((4, 2), (5, 3)), "siblings": 2,
                       "family_court": 2, "contact_at_referral": 3,
                       "local_authorities": [OXFORDSHIRE, BRIDGEND]},
     [("closure", "2022-05-01", {"contact_outcome": 4})]),
    ("eastwood_park", {"referral_source": 3, "children": kids((6, 2)), "family_court": 4,
                       "contact_at_referral": 1, "local_authorities": [OXFORDSHIRE]},
     [("update", "2022-03-01", {"in_proceedings": 1, "acct": 0}),
      ("closure", "2022-05-01", {"contact_outcome": 2})]),
    # A child entry with nothing in it: "Not answered" for its age and care.
    ("eastwood_park", {"referral_source": 1, "children": [{}], "family_court": 2,
                       "contact_at_referral": 2, "local_authorities": [OXFORDSHIRE]},
     [("update", "2022-03-01", {"in_proceedings": 0, "acct": 1})]),
    # No children entered at all: "Not answered" in Figure 9.
    ("eastwood_park", {"referral_source": 1, "family_court": 2, "contact_at_referral": 3,
                       "local_authorities": [BRIDGEND]},
     [("update", "2022-03-01", {"in_proceedings": 0, "acct": 1}),
      ("update", "2022-04-01", {"in_proceedings": 0, "acct": 0})]),
]  # fmt: skip


def thirteen_cases(app: Flask) -> None:
    """The cases above; every mother is 30-39 unless her answers say otherwise."""
    for site, answers, later in CASES:
        referral = {"age_band": 3, **answers}
        case_data.add_case(app, site, [("referral", "2021-06-01", referral), *later])


def cells(t: ReportTable) -> dict[str, tuple[Any, ...]]:
    return {r.label: r.cells for r in t.rows}


def test_figures_come_after_tables_1_to_7_with_the_reports_titles(app: Flask) -> None:
    thirteen_cases(app)
    report = report_of(app)
    keys = [t.key for t in report.tables]
    assert keys[7:22] == [*FIGURE_KEYS, "slides"]
    assert table(report, "fig-1").title == "Figure 1: Source of referrals"
    assert table(report, "fig-8").title.startswith("Figure 8: Child-related offences by prison")
    assert table(report, "fig-1").columns == (
        "", "HMP Send n", "HMP Send %", "HMP Eastwood Park n", "HMP Eastwood Park %",
        "Total n", "Total %",
    )  # fmt: skip


def test_figure_1_counts_mothers_with_a_not_answered_row(app: Flask) -> None:
    thirteen_cases(app)
    fig = table(report_of(app), "fig-1")
    assert cells(fig) == {
        "Self-referral": (5, 71, 4, 67, 9, 69),
        "Prison Offender Manager (OMU)": (1, 14, 0, 0, 1, 8),
        "Children's social worker": (0, 0, 2, 33, 2, 15),
        "Family engagement worker": (0, 0, 0, 0, 0, 0),
        "Other prison staff": (0, 0, 0, 0, 0, 0),
        "Solicitor or court": (0, 0, 0, 0, 0, 0),
        "Other professional": (0, 0, 0, 0, 0, 0),
        "Not known": (0, 0, 0, 0, 0, 0),  # offered from version 2
        "Not answered": (1, 14, 0, 0, 1, 8),
        "Total mothers": (7, 100, 6, 100, 13, 100),
    }
    assert "n = 13" in fig.notes
    assert fig.chart is not None and fig.chart.kind == "bars"
    assert [s.name for s in fig.chart.series] == ["HMP Send", "HMP Eastwood Park", "All sites"]
    assert fig.chart.series[0].values[0] == 5 * 100 / 7
    # A value that is no code of the form (age_band "x") is not answered, not a crash.
    ages = cells(table(report_of(app), "fig-3"))
    assert ages["30-39"] == (5, 71, 6, 100, 11, 85)
    assert ages["Not answered"] == (2, 29, 0, 0, 2, 15)


def test_figure_9_counts_each_mothers_child_entries(app: Flask) -> None:
    thirteen_cases(app)
    assert cells(table(report_of(app), "fig-9")) == {
        "1 child": (2, 29, 3, 50, 5, 38),
        "2 children": (2, 29, 1, 17, 3, 23),
        "3 children": (1, 14, 0, 0, 1, 8),
        "4 children": (0, 0, 1, 17, 1, 8),
        "5 or more children": (2, 29, 0, 0, 2, 15),
        "Not answered": (0, 0, 1, 17, 1, 8),
        "Total mothers": (7, 100, 6, 100, 13, 100),
    }


def test_figure_10_counts_children_not_mothers(app: Flask) -> None:
    thirteen_cases(app)
    fig = table(report_of(app), "fig-10")
    assert cells(fig) == {
        "Unborn": (0, 0, 1, 11, 1, 3),
        "Under 2": (1, 5, 2, 22, 3, 10),
        "2-4": (1, 5, 0, 0, 1, 3),
        "5-10": (18, 90, 2, 22, 20, 69),
        "11-15": (0, 0, 1, 11, 1, 3),
        "16-17": (0, 0, 1, 11, 1, 3),
        "18 or over": (0, 0, 1, 11, 1, 3),
        "Not known": (0, 0, 0, 0, 0, 0),  # offered from version 2
        "Not answered": (0, 0, 1, 11, 1, 3),
        "Total children": (20, 100, 9, 100, 29, 100),
    }
    assert "n = 29" in fig.notes
    care = cells(table(report_of(app), "fig-12"))
    assert care["With father or step-father"] == (1, 5, 1, 11, 2, 7)
    assert care["Placed or being placed for adoption"] == (0, 0, 1, 11, 1, 3)
    assert care["Total children"] == (20, 100, 9, 100, 29, 100)
    # Figure 11 is the same count drawn for all sites together, as the report draws it.
    fig_11 = table(report_of(app), "fig-11")
    assert cells(fig_11) == care
    assert fig_11.chart is not None and [s.name for s in fig_11.chart.series] == ["All sites"]


def test_figure_13_counts_only_mothers_with_two_or_more_children(app: Flask) -> None:
    thirteen_cases(app)
    fig = table(report_of(app), "fig-13")
    assert cells(fig) == {
        "Living together": (1, 20, 0, 0, 1, 14),
        "Separated amongst family members": (2, 40, 1, 50, 3, 43),
        "Separated in different foster placements": (0, 0, 1, 50, 1, 14),
        "Separated, mixed family and foster care": (0, 0, 0, 0, 0, 0),
        "Separated, including adoption": (1, 20, 0, 0, 1, 14),
        "Not known": (0, 0, 0, 0, 0, 0),  # offered from version 2
        "Not answered": (1, 20, 0, 0, 1, 14),
        "Mothers with two or more children": (5, 100, 2, 100, 7, 100),
    }
    assert "n = 7" in fig.notes


def test_figure_5_counts_local_authorities_and_names_the_frequent_ones(app: Flask) -> None:
    thirteen_cases(app)
    fig = table(report_of(app), "fig-5")
    assert fig.columns == ("", "HMP Send", "HMP Eastwood Park", "Total")
    assert cells(fig) == {
        "Mothers with a local authority named": (5, 6, 11),
        "Different local authorities": (4, 3, 5),
        "Local authorities in common (named at more than one prison)": (2, 2, 2),
        "Named by 5 or more mothers": (),
        "Oxfordshire": (1, 5, 6),
        "Devon": (4, 1, 5),
    }
    published = cells(table(report_of(app, ExportFilters(publication=True)), "fig-5"))
    # Eastwood Park's 5 Oxfordshire mothers are hidden so that Send's 1 does not follow from 6.
    assert published["Oxfordshire"] == ("[c]", "[c]", 6)
    assert published["Devon"] == ("[c]", "[c]", 5)


def test_the_slides_percentages_with_their_denominators(app: Flask) -> None:
    thirteen_cases(app)
    slides = table(report_of(app), "slides")
    assert slides.title == "Case outcomes (slides)"
    rows = [(r.label, r.cells) for r in slides.rows]
    assert rows[:4] == [
        ("No contact with her children at referral", ()),
        ("Mothers whose referral answered it (n)", (6, 100, 6, 100, 12, 100)),
        ("No contact at referral", (4, 67, 2, 33, 6, 50)),
        ("Not answered or not known (not counted)", (1, None, 0, None, 1, None)),
    ]
    # In proceedings: family court at referral (cases 1, 5, 8, 9) or an update (3, 11).
    assert rows[5:7] == [
        ("Mothers (cases with a referral) (n)", (7, 100, 6, 100, 13, 100)),
        ("In proceedings", (3, 43, 3, 50, 6, 46)),
    ]
    assert rows[9] == ("On an ACCT at any update", (2, 29, 2, 33, 4, 31))
    # Contact outcome: the last closure (case 8's second); "not an issue" and unanswered
    # closures are left out of the denominator.
    assert rows[10:] == [
        ("Contact outcome of closed cases where contact was an issue", ()),
        ("Closed cases", (5, None, 4, None, 9, None)),
        ("Contact was not an issue (not counted)", (1, None, 1, None, 2, None)),
        ("Not answered or not known (not counted)", (1, None, 0, None, 1, None)),
        ("Closed cases where contact was an issue (n)", (3, 100, 3, 100, 6, 100)),
        ("Contact issue resolved", (2, 67, 3, 100, 5, 83)),
        ("Contact plan in place", (1, 33, 2, 67, 3, 50)),
        ("Supported with no contact in the child's best interest", (1, 33, 1, 33, 2, 33)),
        ("Contact issue not resolved", (1, 33, 0, 0, 1, 17)),
    ]
    assert any("in_proceedings 'Yes' on any update" in note for note in slides.notes)


def test_a_not_known_contact_is_left_out_of_the_slides_denominators(app: Flask) -> None:
    """Version 2's "Not known" (code 9) is no answer: counting it in "of the mothers whose
    referral answered it" would lower the published percentage."""
    thirteen_cases(app)
    unknown = {"age_band": 3, "contact_at_referral": case_slides.NOT_KNOWN}
    closure = ("closure", "2021-09-01", {"contact_outcome": case_slides.NOT_KNOWN})
    case_data.add_case(app, "send", [("referral", "2021-06-01", unknown), closure])
    rows = {r.label: r.cells for r in table(report_of(app), "slides").rows}
    assert rows["Mothers whose referral answered it (n)"][:2] == (6, 100)
    assert rows["No contact at referral"][:2] == (4, 67)
    assert rows["Closed cases where contact was an issue (n)"][:2] == (3, 100)


def test_publication_mode_hides_counts_under_five_and_their_bars(app: Flask) -> None:
    thirteen_cases(app)
    fig = table(report_of(app, ExportFilters(publication=True)), "fig-1")
    got = cells(fig)
    # Send's two 1s and Eastwood Park's 4 and 1 are hidden; shown totals would bound them by
    # 2 and 5, so the prisons' totals go too (and with them every percentage by prison);
    # one mark, "[c]", whatever the count.
    assert got["Self-referral"] == (5, None, "[c]", None, "[c]", None)
    assert got["Prison Offender Manager (OMU)"] == ("[c]", None, 0, None, "[c]", None)
    assert got["Total mothers"] == ("[c]", None, "[c]", None, 13, 100)
    assert fig.chart is not None
    send = fig.chart.series[0]
    assert send.hidden[0] and send.values[0] is None
    assert send.mark(0, 5) == "[c]" and fig.chart.series[1].mark(0, 5) == "[c]"
    assert fig.notes[-1] == (
        "[c]: confidential, hidden so that no count under 5 can be read or worked out from the "
        "release"
    )
    # A shown 0 stays a 0 in the chart, beside a hidden base.
    assert fig.chart.series[1].values[1] == 0.0 and not fig.chart.series[1].hidden[1]


def test_a_referral_version_without_a_variable_says_not_asked(app: Flask) -> None:
    with app.app_context():
        referral = max(
            (d for d in load_all() if d["key"] == "case_referral"), key=lambda d: d["version"]
        )
        newer = copy.deepcopy(referral)
        n = newer["version"] = referral["version"] + 1
        for section in newer["sections"]:
            section["items"] = [
                i for i in section["items"] if i.get("variable") != "care_experience"
            ]
        sync_instruments(db.session, [newer])
        db.session.commit()
    case_data.add_case(app, "send", [("referral", "2022-01-10", {"referral_source": 1})])
    fig = table(report_of(app), "fig-4")
    assert f"care_experience: not asked in version {n}" in fig.notes
    assert cells(fig)["Not answered"] == (1, 100, 0, None, 1, 100)
    assert cells(fig)["In care as a child"] == (0, 0, 0, None, 0, 0)


def test_no_cases_no_figures_and_no_referral_says_n_0(app: Flask) -> None:
    factories.link_response(app, "prison_staff", {"prison": 1})
    assert not [t for t in report_of(app).tables if t.key.startswith("fig-")]
    thirteen_cases(app)
    # From March on only the updates and closures are left: no referral to count.
    report = report_of(app, ExportFilters(date_from=case_data.D("2022-03-01")))
    fig = table(report, "fig-1")
    assert "n = 0: no cases with a referral match the filters" in fig.notes
    assert fig.chart is None  # nothing to draw
    assert cells(fig)["Total mothers"] == (0, None, 0, None, 0, None)
    assert cells(table(report, "slides"))["Closed cases"] == (5, None, 4, None, 9, None)


def test_the_workbook_has_a_native_chart_per_figure(app: Flask) -> None:
    thirteen_cases(app)
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="t@example.org")
        out = io.BytesIO()
        FORMATS["xlsx"].write(built, out)
    book = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    charts = [n for n in book.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) == len(CHARTED)  # Tables 1 to 7 and Figure 5 have none
    xml = "".join(book.read(name).decode() for name in charts)
    for key in CHARTED[:-1]:
        assert f"Figure {key[4:]}:" in xml
    # Horizontal bars side by side, first category on top as in the table.
    assert xml.count('<barDir val="bar" /><grouping val="clustered" />') == len(CHARTED)


def test_the_report_page_draws_an_svg_per_figure(app: Flask, auth: Auth) -> None:
    thirteen_cases(app)
    auth.login("researcher")
    html = auth.client.get("/research/report?publication=y").get_data(as_text=True)
    for key in FIGURE_KEYS:
        assert f'id="table-{key}"' in html
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    svgs = [base64.b64decode(i).decode() for i in images]
    assert len(svgs) == len(CHARTED) and all("<svg" in s for s in svgs)
    assert any("HMP Send [c]" in s for s in svgs)  # a hidden bar's label, not a bar


def test_the_slides_codes_mean_what_the_bundled_forms_say_in_every_version() -> None:
    """The slides table counts by code: a form version that re-codes one of these options
    must fail here, not quietly change a published percentage."""
    expected = {
        ("case_referral", "contact_at_referral", case_slides.NO_CONTACT): "No contact",
        ("case_referral", "family_court", case_slides.CURRENTLY_IN_PROCEEDINGS):
            "Currently in proceedings brought by the local authority",
        ("case_update", "acct", case_slides.YES): "Yes",
        ("case_update", "in_proceedings", case_slides.YES): "Yes",
        ("case_closure", "contact_outcome", case_slides.PLAN): "Contact plan in place",
        ("case_closure", "contact_outcome", case_slides.SUPPORTED):
            "Supported with no contact in the child's best interest",
        ("case_closure", "contact_outcome", case_slides.NOT_RESOLVED):
            "Contact issue not resolved",
        ("case_closure", "contact_outcome", case_slides.NOT_AN_ISSUE): "Contact was not an issue",
    }  # fmt: skip
    instruments = [build_instrument(d) for d in load_all()]
    for (key, variable, code), label in expected.items():
        versions = [i for i in instruments if i.key == key]
        assert versions, key
        for instrument in versions:
            item = instrument.item(variable)
            assert item is not None, (key, instrument.version, variable)
            labels = {o.code: o.label["en"] for o in item.options}
            assert labels.get(code) == label, (key, instrument.version, variable, code)
