"""The linked-waves workbook, CSV and SPSS exports: what is entered is what comes out."""

from __future__ import annotations

import copy
import datetime as dt
import io
import string
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.disclosure.marks import percent
from survey_app.downloads.export_workbook import build_export
from survey_app.export.dataset import ColumnMeta, Sheet
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.export.sheet_names import SHEET_ORDER
from survey_app.export.workbook import Export
from survey_app.extensions import db
from survey_app.instruments import missing
from survey_app.instruments.loader import load_all
from survey_app.instruments.publish import sync_instruments
from survey_app.models import AuditEvent, Participant, Response
from survey_app.report import grid
from tests import factories
from tests.flows import Auth, csrf_token, rows, workbook

T1 = {
    "consent_info_sheet": 1,
    "consent_skip": 1,
    "consent_take_part": 1,
    "css_trust": 4,
    "css_willing": 5,
    "csw_contact": 3,
}
T2 = {
    "consent_info_sheet": 1,
    "consent_skip": 1,
    "consent_take_part": 1,
    "css_trust": 2,
    "tac_listened": 1,
}


def test_sheet_names_and_codebook_columns(app: Flask) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1)
    book = workbook(app)
    assert tuple(book.sheetnames) == SHEET_ORDER
    codebook = list(book["Codebook"].iter_rows(values_only=True))
    assert codebook[0] == (
        "variable",
        "label",
        "instrument",
        "versions",
        "type",
        "values",
        "wave",
        "columns",
        "column_type",
    )
    trust = next(r for r in codebook if r[0] == "css_trust" and r[6] == "T1")
    assert trust[8] == "ordered code"
    assert trust[1] == "I can trust Children's Social Services to help my family."
    assert trust[5].startswith(
        "1=Strongly disagree; 2=Disagree; 3=Not sure; 4=Agree; 5=Strongly agree"
    )
    assert "-2=Prefer not to say" in trust[5]
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Made by"] == "tester@example.org"


def test_t1_and_t2_link_onto_one_row(app: Flask) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, dt.date(2026, 1, 10))
    factories.complete_response(app, "TC-AAA-AAAA", "T2", T2, dt.date(2026, 7, 12))
    factories.complete_response(app, "TC-BBB-BBBB", "T1", T1)
    factories.complete_response(app, "TC-CCC-CCCC", "T2", T2)
    linked = {r["participant_id"]: r for r in rows(workbook(app), "Mothers (linked)")}
    assert set(linked) == {"TC-AAA-AAAA", "TC-BBB-BBBB", "TC-CCC-CCCC"}
    both = linked["TC-AAA-AAAA"]
    assert both["linkage"] == "both" and both["site"] == "send"
    assert both["t1_css_trust"] == 4 and both["t2_css_trust"] == 2  # codes, not labels
    assert both["t1_date"].date() == dt.date(2026, 1, 10) and both["t2_date"].date() == dt.date(
        2026, 7, 12
    )
    assert both["t1_version"] == 2 and both["t2_tac_listened"] == 1  # the newest version
    assert (
        linked["TC-BBB-BBBB"]["linkage"] == "t1_only"
        and linked["TC-BBB-BBBB"]["t2_css_trust"] is None
    )
    assert (
        linked["TC-CCC-CCCC"]["linkage"] == "t2_only" and linked["TC-CCC-CCCC"]["t1_date"] is None
    )
    header = list(next(workbook(app)["Mothers (linked)"].iter_rows(values_only=True)))
    assert header[:5] == ["participant_id", "site", "linkage", "t1_date", "t1_version"]
    assert header.index("t2_date") > max(i for i, h in enumerate(header) if h.startswith("t1_"))


def test_a_two_wave_study_keeps_its_codebook_and_about_sheet(app: Flask) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1)
    book = workbook(app)
    codebook = list(book["Codebook"].iter_rows(values_only=True))
    assert codebook[1][:2] == (
        "(fixed columns)",
        "participant_id, site, linkage, t1_date, t1_version, t2_date, t2_version, wave, "
        "response_id, date, version, link_site, flags",
    )
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Linked sheet"] == (
        "one row per participant; T1 variables as t1_<variable>, T2 as t2_<variable>"
    )
    assert about["Linkage"] == "both = T1 and T2; t1_only = T1 only; t2_only = T2 only"


def test_the_long_sheet_has_one_row_per_participant_and_wave(app: Flask) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1)
    factories.complete_response(app, "TC-AAA-AAAA", "T2", T2)
    long = rows(workbook(app), "Mothers (long)")
    assert [(r["participant_id"], r["wave"], r["css_trust"]) for r in long] == [
        ("TC-AAA-AAAA", "T1", 4),
        ("TC-AAA-AAAA", "T2", 2),
    ]


def test_withdrawn_and_voided_responses_are_in_no_sheet(app: Flask) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1)
    factories.complete_response(app, "TC-DDD-DDDD", "T1", {**T1, "csw_contact": 1})
    factories.complete_response(app, "TC-EEE-EEEE", "T1", T1)
    with app.app_context():
        gone = db.session.scalar(select(Participant).where(Participant.pseudonym == "TC-DDD-DDDD"))
        for response in db.session.scalars(
            select(Response).where(Response.participant_id == gone.id)
        ):
            db.session.delete(response)
        gone.withdrawn_at = dt.datetime(2026, 2, 1)
        voided = db.session.scalar(
            select(Response).join(Participant).where(Participant.pseudonym == "TC-EEE-EEEE")
        )
        voided.voided_at, voided.void_reason = dt.datetime(2026, 2, 1), "mistaken T1"
        db.session.commit()
    book = workbook(app)
    for sheet in ("Mothers (linked)", "Mothers (long)", "WAI scores"):
        ids = {r["participant_id"] for r in rows(book, sheet)}
        assert ids == {"TC-AAA-AAAA"}, sheet


def test_multiple_choice_becomes_one_column_per_option(app: Flask) -> None:
    factories.link_response(app, "prison_staff", {"contact_purpose": [1, 3]})
    factories.link_response(
        app, "prison_staff", {"contact_purpose": missing.DONT_KNOW} if False else {"role_level": 1}
    )
    staff = rows(workbook(app), "Prison staff")
    chosen = next(r for r in staff if r["contact_purpose___1"] == 1)
    assert chosen["contact_purpose___3"] == 1 and chosen["contact_purpose___2"] == 0
    other = next(r for r in staff if r["role_level"] == 1)
    assert other["contact_purpose___1"] is None  # skipped, not "unchecked"
    assert all(len(r["response_id"]) == 32 for r in staff)


def test_wai_scores_per_participant_and_wave(app: Flask) -> None:
    wai = {
        f"wai_csw_{n:02d}": v
        for n, v in zip(range(1, 13), [2, 3, 4, 5, 4, 3, 5, 4, 4, 3, 5, 3], strict=True)
    }
    factories.complete_response(app, "TC-AAA-AAAA", "T1", {**T1, **wai})
    partial = {**wai, "wai_csw_03": missing.PREFER_NOT_TO_SAY}
    factories.complete_response(app, "TC-BBB-BBBB", "T1", {**T1, **partial})
    scores = {r["participant_id"]: r for r in rows(workbook(app), "WAI scores")}
    full = scores["TC-AAA-AAAA"]
    # Task = items 1, 2, 10, 12 = (2+3+3+3)/4; Goal = 4, 6, 8, 11 = (5+3+4+5)/4; Bond = 3, 5, 7, 9 = (4+4+5+4)/4
    assert (full["task"], full["goal"], full["bond"], full["items_answered"]) == (
        2.75,
        4.25,
        4.25,
        12,
    )
    assert full["total"] == pytest.approx(45 / 12)
    missing_bond = scores["TC-BBB-BBBB"]
    assert (
        missing_bond["bond"] is None
        and missing_bond["total"] is None
        and missing_bond["task"] == 2.75
    )
    assert missing_bond["items_answered"] == 11


def test_two_instrument_versions_in_one_export(app: Flask) -> None:
    with app.app_context():
        # A version after the bundled ones (1 and 2), without css_confident.
        t1 = max((d for d in load_all() if d["key"] == "mothers_t1"), key=lambda d: d["version"])
        v3 = copy.deepcopy(t1)
        v3["version"] = 3
        for section in v3["sections"]:
            section["items"] = [i for i in section["items"] if i.get("variable") != "css_confident"]
        v3["sections"][-1]["items"].append(
            {
                "type": "short_text",
                "variable": "new_question",
                "text": {"en": "New?", "cy": "Newydd?"},
                "required": False,
                "max_length": 50,
            }
        )
        sync_instruments(db.session, [v3])
        db.session.commit()
    factories.complete_response(app, "TC-AAA-AAAA", "T1", {**T1, "css_confident": 3}, version=1)
    factories.complete_response(app, "TC-BBB-BBBB", "T1", {**T1, "new_question": "yes"}, version=3)
    book = workbook(app)
    linked = {r["participant_id"]: r for r in rows(book, "Mothers (linked)")}
    assert (
        linked["TC-AAA-AAAA"]["t1_css_confident"] == 3
        and linked["TC-AAA-AAAA"]["t1_new_question"] is None
    )
    assert (
        linked["TC-BBB-BBBB"]["t1_css_confident"] is None
        and linked["TC-BBB-BBBB"]["t1_new_question"] == "yes"
    )
    assert (linked["TC-AAA-AAAA"]["t1_version"], linked["TC-BBB-BBBB"]["t1_version"]) == (1, 3)
    codebook = {(r["variable"], r["wave"]): r for r in rows(book, "Codebook")}
    assert codebook[("css_confident", "T1")]["versions"] == "1, 2"
    assert codebook[("new_question", "T1")]["versions"] == "3"
    assert codebook[("css_trust", "T1")]["versions"] == "1, 2, 3"
    only_v3 = workbook(app, ExportFilters(versions=frozenset({"mothers_t1:3"})))
    assert {r["participant_id"] for r in rows(only_v3, "Mothers (linked)")} == {"TC-BBB-BBBB"}


def test_filters_by_site_and_date(app: Flask) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, dt.date(2026, 1, 10), site="send")
    factories.complete_response(
        app, "TC-BBB-BBBB", "T1", T1, dt.date(2026, 3, 10), site="eastwood_park"
    )
    by_site = workbook(app, ExportFilters(site="eastwood_park"))
    assert [r["participant_id"] for r in rows(by_site, "Mothers (linked)")] == ["TC-BBB-BBBB"]
    by_date = workbook(app, ExportFilters(date_to=dt.date(2026, 2, 1)))
    assert [r["participant_id"] for r in rows(by_date, "Mothers (linked)")] == ["TC-AAA-AAAA"]


def test_summary_collapsed_percentages_for_a_hand_made_set(app: Flask) -> None:
    # css_trust at T1: 4, 5, 5, 3, 1, 2, 4 -> agree 4/7 = 57%, not sure 1/7 = 14%, disagree 2/7 = 29%
    for index, code in enumerate([4, 5, 5, 3, 1, 2, 4]):
        factories.complete_response(app, f"TC-AA{index}-AAAA", "T1", {**T1, "css_trust": code})
    factories.complete_response(
        app, "TC-PPP-PPPP", "T1", {**T1, "css_trust": missing.PREFER_NOT_TO_SAY}
    )
    summary = rows(workbook(app), "Summary")
    # The Summary sheet is a view of the report's tables: css_trust's block in Table 14's kind.
    block = _block(summary, "Strongly agree or agree", "T1 n", 4)
    assert block == {
        "Strongly agree or agree": (4, 57),
        "Not sure": (1, 14),
        "Strongly disagree or disagree": (2, 29),
        "Total": (7, 100),
    }
    published = rows(workbook(app, ExportFilters(publication=True)), "Summary")
    hidden = _block(published, "Total", "T1 n", 7)
    # 1 and 2 are hidden, and the 4 too: 7 - 4 would leave 3 for the two of them.
    assert hidden == {
        "Strongly agree or agree": ("[c]", None),
        "Not sure": ("[c]", None),
        "Strongly disagree or disagree": ("[c]", None),
        "Total": (7, 100),
    }
    assert not {r["value"] for r in published} & {"<5"}


def _block(summary: list[dict[str, Any]], label: str, column: str, n: object) -> dict[str, Any]:
    """The rows of the item whose ``label`` row shows ``n`` in ``column``: label -> (n, %)."""
    start = next(
        r["row"][: -len(label)]
        for r in summary
        if r["row"].endswith(label) and r["column"] == column and r["value"] == n
    )
    cells = {
        (r["row"][len(start) :], r["column"]): r["value"]
        for r in summary
        if r["row"].startswith(start) and r["column"] in ("T1 n", "T1 %")
    }
    labels = dict.fromkeys(k for k, _ in cells)
    return {k: (cells[(k, "T1 n")], cells[(k, "T1 %")]) for k in labels}


def test_suppression_and_rounding_rules() -> None:
    assert percent(1, 8) == 13 and percent(1, 3) == 33 and percent(0, 0) is None
    line = [[10], [3], [12], [25]]
    hidden = grid.hide(line, [[(r, 0) for r in range(4)]], 5)
    assert [h[0] for h in hidden] == [True, True, False, False]  # a second cell goes too
    line = [[10], [0], [12], [22]]
    assert not any(h[0] for h in grid.hide(line, [[(r, 0) for r in range(4)]], 5))


# NUL never reaches storage: the respondent form drops it (tests/respond/test_respondent_form.py), and
# PostgreSQL could not store it in JSON. Every other character can arrive.
SAFE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"),
    min_size=1,
    max_size=40,
)
FORMULA_TEXT = st.sampled_from(
    ["=1+1", "+44 20", "-3", "@SUM(A1)", "\t=cmd", "\r=x", '=HYPERLINK("http://x")']
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    trust=st.sampled_from([1, 2, 3, 4, 5, missing.PREFER_NOT_TO_SAY, None]),
    relationship=st.one_of(st.none(), st.integers(1, 10)),
    hopes=st.one_of(
        st.none(), SAFE_TEXT, FORMULA_TEXT, st.just("bell\x07 and vt\x0b and \x1b esc")
    ),
)
def test_an_export_read_back_equals_what_was_entered(
    app: Flask, trust: int | None, relationship: int | None, hopes: str | None
) -> None:
    with app.app_context():
        for response in db.session.scalars(select(Response)):
            db.session.delete(response)
        for participant in db.session.scalars(select(Participant)):
            db.session.delete(participant)
        db.session.commit()
    answers: dict[str, Any] = dict(T1)
    for key, value in (
        ("css_trust", trust),
        ("csw_relationship", relationship),
        ("tac_hopes", hopes),
    ):
        answers.pop(key, None)
        if value is not None:
            answers[key] = value
    factories.complete_response(app, "TC-AAA-AAAA", "T1", answers)
    [row] = rows(workbook(app), "Mothers (linked)")
    assert row["t1_css_trust"] == trust
    assert row["t1_csw_relationship"] == relationship
    expected = None if hopes is None else (xml_text(hopes) or None)
    got = row["t1_tac_hopes"]
    if expected is not None and expected.strip() == "":
        assert got in (None, expected)
    else:
        assert got == expected
    if isinstance(got, str):
        # Stored as text, never as a formula.
        book = workbook(app)
        cell = next(c for c in book["Mothers (linked)"][2] if c.value == got)
        assert cell.data_type == "s"


def xml_allows(character: str) -> bool:
    """XML 1.0's Char production (DEL, which it allows, is dropped as well)."""
    point = ord(character)
    return (
        point in (0x9, 0xA, 0xD)
        or 0x20 <= point <= 0xD7FF
        or 0xE000 <= point <= 0xFFFD
        or 0x10000 <= point <= 0x10FFFF
    ) and point != 0x7F


def xml_text(text: str) -> str:
    """What a text cell should read back as: one kind of line end, forbidden characters gone."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in normalised if xml_allows(c))


# Every code point, lone surrogates included, with the edges of XML's ranges drawn often.
EDGES = [0x0, 0x8, 0x9, 0xB, 0x1F, 0x7F, 0x9F, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF]
EDGES += [0xE000, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFE, 0x10FFFF]
ANY_TEXT = st.lists(
    st.one_of(st.integers(0, 0x10FFFF), st.sampled_from(EDGES)).map(chr), max_size=30
).map("".join)


def one_cell_export(text: str) -> Export:
    """An export whose one sheet holds ``text`` in one cell, beside a marker cell."""
    sheet = Sheet(
        "About",
        [ColumnMeta("item", "item"), ColumnMeta("value", "value")],
        lambda: iter([["text", text]]),
        1,
    )
    return Export(dataset=None, sheets=[sheet], made_at=dt.datetime(2026, 1, 1))  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT)
def test_a_workbook_with_any_text_opens_and_reads_back_what_xml_can_hold(text: str) -> None:
    out = io.BytesIO()
    FORMATS["xlsx"].write(one_cell_export(text), out)
    out.seek(0)
    book = openpyxl.load_workbook(out)  # the probe's "not well-formed" failed here
    [row] = list(book["About"].iter_rows(min_row=2, values_only=True))
    book.close()
    expected = xml_text(text)
    assert row[0] == "text"
    assert row[1] == (expected or None) or (expected.strip() == "" and row[1] is None)


@settings(max_examples=100, deadline=None)
@given(text=ANY_TEXT)
def test_a_csv_zip_with_any_text_is_valid_utf8(text: str) -> None:
    out = io.BytesIO()
    FORMATS["csv"].write(one_cell_export(text), out)
    raw = zipfile.ZipFile(out).read("about.csv")
    rows = raw.decode("utf-8-sig").splitlines()
    assert rows[0] == "item,value"
    assert rows[1].startswith("text,")


def test_formula_like_text_is_quote_prefixed(app: Flask) -> None:
    factories.complete_response(
        app, "TC-AAA-AAAA", "T1", {**T1, "tac_hopes": '=HYPERLINK("http://evil")'}
    )
    book = workbook(app)
    header = [c.value for c in book["Mothers (linked)"][1]]
    cell = book["Mothers (linked)"][2][header.index("t1_tac_hopes")]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s" and cell.quotePrefix


def test_csv_zip_has_a_bom_and_defends_formulas(app: Flask) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", {**T1, "tac_hopes": "=1+1"})
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="t")
        out = io.BytesIO()
        FORMATS["csv"].write(built, out)
    archive = zipfile.ZipFile(out)
    assert "mothers_linked.csv" in archive.namelist() and "codebook.csv" in archive.namelist()
    raw = archive.read("mothers_linked.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "'=1+1" in raw.decode("utf-8-sig")


def test_sav_files_read_back_with_labels(app: Flask, tmp_path: Path) -> None:
    import pyreadstat

    factories.complete_response(
        app, "TC-AAA-AAAA", "T1", {**T1, "css_willing": missing.PREFER_NOT_TO_SAY}
    )
    factories.complete_response(app, "TC-AAA-AAAA", "T2", T2)
    factories.link_response(app, "prison_staff", {"contact_purpose": [2]})
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="t")
        out = io.BytesIO()
        FORMATS["sav"].write(built, out)
    zipfile.ZipFile(out).extractall(tmp_path)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "mothers_linked.sav"), user_missing=True)
    assert frame.loc[0, "participant_id"] == "TC-AAA-AAAA"
    assert frame.loc[0, "t1_css_trust"] == 4 and frame.loc[0, "t2_css_trust"] == 2
    assert (
        meta.column_names_to_labels["t1_css_trust"]
        == "I can trust Children's Social Services to help my family."
    )
    assert meta.variable_value_labels["t1_css_trust"][4.0] == "Agree"
    assert meta.variable_value_labels["t1_css_willing"][-2.0] == "Prefer not to say"
    assert frame.loc[0, "t1_css_willing"] == -2
    assert any(
        r["lo"] == -2.0 or -2.0 in (r["lo"], r["hi"]) for r in meta.missing_ranges["t1_css_willing"]
    )
    staff, _ = pyreadstat.read_sav(str(tmp_path / "prison_staff.sav"))
    assert staff.loc[0, "contact_purpose___2"] == 1


def test_a_researcher_downloads_the_workbook_and_it_is_audited(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1)
    auth.login("researcher")
    page = client.get("/research/export")
    reply = client.post(
        "/research/export", data={"csrf_token": csrf_token(page), "format": "xlsx", "site": ""}
    )
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"].startswith("attachment; filename=survey-export-")
    data = reply.data
    reply.close()  # the WSGI server closes the streamed file; the test client leaves it to us
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [r[0] for r in book["Mothers (linked)"].iter_rows(min_row=2, values_only=True)] == [
        "TC-AAA-AAAA"
    ]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "export"))
        assert event is not None and event.detail["format"] == "xlsx"
        assert "TC-AAA-AAAA" not in str(event.detail)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "sav"])
def test_a_fieldworker_gets_403_on_every_export(client: FlaskClient, auth: Auth, fmt: str) -> None:
    auth.login("fieldworker")
    assert client.get("/research/export").status_code == 403
    assert client.post("/research/export", data={"format": fmt}).status_code in (400, 403)


def test_a_bad_filter_gets_the_form_again_with_400(client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    page = client.get("/research/export")
    reply = client.post(
        "/research/export",
        data={"csrf_token": csrf_token(page), "format": "pdf", "date_from": "yesterday"},
    )
    assert reply.status_code == 400 and "Please check the fields" in reply.get_data(as_text=True)


def test_the_export_command_writes_the_file(app: Flask, tmp_path: Path) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1)
    out = tmp_path / "export.xlsx"
    result = app.test_cli_runner().invoke(
        args=["export", "--format", "xlsx", "--out", str(out), "--site", "send"]
    )
    assert result.exit_code == 0, result.output
    assert "Mothers (linked): 1" in result.output
    assert openpyxl.load_workbook(out).sheetnames == list(SHEET_ORDER)
    bad = app.test_cli_runner().invoke(args=["export", "--out", str(out), "--site", "atlantis"])
    assert bad.exit_code == 1 and "Unknown site" in bad.output


assert string  # keeps the import used for readers extending the strategies


def test_progress_counts_every_data_row(app: Flask) -> None:
    from survey_app.export.workbook import progress_total, with_progress

    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1)
    factories.complete_response(app, "TC-AAA-AAAA", "T2", T2)
    steps: list[int] = []
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="t")
        FORMATS["xlsx"].write(with_progress(built, steps.append), io.BytesIO())
        total = progress_total(built)
    # About rows + linked 1 + long 2 + WAI 2, then the codebook and summary rows.
    assert sum(steps) >= total > 0


def test_the_export_page_and_the_cli_offer_the_one_list_of_formats(app: Flask) -> None:
    from survey_app.cli import export_command
    from survey_app.forms.export import ExportForm

    with app.test_request_context("/research/export"):
        choices = [(choice.value, choice.label) for choice in ExportForm().format.choices]
    assert choices == [(name, fmt.label) for name, fmt in FORMATS.items()]
    (option,) = [p for p in export_command.params if p.name == "fmt"]
    assert list(option.type.choices) == list(FORMATS)  # type: ignore[attr-defined]
