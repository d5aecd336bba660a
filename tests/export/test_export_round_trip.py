"""Every export format read back as a researcher's tool reads it (openpyxl, csv, pyreadstat)
and compared cell by cell with what was entered, the type included: a study with every kind of
answer (single, multiple, other text, Likert, rating, WAI, yes/no, consent, text with quotes,
new lines, emoji and formula-like text, empty text, missing codes, dates, a whole number, a
repeated group), entered as the other export tests enter it. Each cell of every data sheet is
either what the test expects or empty in every format: nothing invented, nothing lost."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select, update

from survey_app.downloads.export_workbook import build_export
from survey_app.export.column_types import ITEM_KINDS, NO_COLUMN_TYPES, RULES, ColumnKind
from survey_app.export.csvzip import csv_name
from survey_app.export.dataset import WELSH_STATUS
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.export.sav import SAV_SHEETS, sav_name
from survey_app.export.sheet_names import SHEET_ORDER
from survey_app.extensions import db
from survey_app.instruments import missing
from survey_app.instruments.publish import latest_version
from survey_app.instruments.schema import ITEM_TYPES
from survey_app.models import Case, CaseForm, Response
from survey_app.services import followup
from tests import case_data, factories, flows

D = dt.date.fromisoformat
WAI = {
    f"wai_csw_{n:02d}": v
    for n, v in zip(range(1, 13), [2, 3, 4, 5, 4, 3, 5, 4, 4, 3, 5, 3], strict=True)
}
WAI_SCORES = {"task": 2.75, "goal": 4.25, "bond": 4.25, "total": 3.75}
CONSENT = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1}
QUOTED = 'She said "soon", then\nleft 🙂 (Mam, 1,2)'
T1_A = {
    **CONSENT,
    "consent_recontact": 1,
    "css_willing": 5,
    "css_trust": 4,
    "decision_involvement": 8,
    "csw_contact": 2,
    "csw_relationship": 7,
    **WAI,
    "tac_hopes": QUOTED,
}
T2_A = {**CONSENT, "css_trust": 2, "tac_satisfaction": 1, "csw_contact": 2, **WAI}
T1_B = {  # missing codes, a WAI item refused, formula-like text
    **CONSENT,
    "consent_recontact": 0,
    "css_willing": missing.PREFER_NOT_TO_SAY,
    "decision_involvement": missing.DONT_KNOW,
    "csw_contact": 3,
    **WAI,
    "wai_csw_03": missing.PREFER_NOT_TO_SAY,
    "tac_hopes": "=SUM(A1:A9)",
}
T1_C = {  # never met her social worker: not asked the WAI; an empty text answer
    **CONSENT,
    "csw_contact": 1,
    "csw_relationship": missing.NOT_APPLICABLE,
    **{name: missing.NOT_APPLICABLE for name in WAI},
    "tac_hopes": "",
}
STAFF_1 = {
    "consent_info_sheet": 1,
    "consent_take_part": 1,
    "prison": 3,
    "prison_other": 'HMP "Elsewhere"\r\nwing B',
    "contact_purpose": [1, 6],
    "contact_purpose_other": "@mention +44 -x",
    "role_level": 1,
    "acct_involvement": 0,
    "gaps_filled": "Ffôn 📞 — yes",
}
STAFF_2 = {"contact_purpose": [2], "prison": 1, "prison_other": "kept only while Other is chosen"}
REFERRAL = {
    "referral_source": 2,
    "ethnicity": 1,
    "local_authorities": [7, 150],
    "needs": [1, 3],
    "children_social_workers": 2,
    "children": [
        {"child_age_band": 2, "child_care_arrangement": 1, "child_has_social_worker": 1},
        {"child_age_band": 4, "child_care_arrangement": 3, "child_has_social_worker": 0},
    ],
    "siblings": 1,
}
UPDATE = {"acct": 1, "update_note": ""}
CLOSURE = {"closure_reason": 3, "outcomes": [1, 2], "barriers": [], "closure_summary": "=done"}
REOPENING = {"reopen_reason": 2}
CASE_FORMS = [
    ("referral", "2022-05-10", REFERRAL),
    ("update", "2022-08-01", UPDATE),
    ("closure", "2022-11-20", CLOSURE),
    ("reopening", "2023-01-09", REOPENING),
]
SENT_AT = dt.datetime(2023, 6, 30)  # case_data's time stamp of every sent form


def test_every_item_type_has_a_column_rule() -> None:
    """A new item type (or column type) fails here until it has a rule for every file."""
    for item_type in ITEM_TYPES:
        if item_type not in NO_COLUMN_TYPES:
            assert item_type in ITEM_KINDS, f"no column type for the item type {item_type!r}"
    assert set(RULES) == set(ColumnKind)


# -- the study entered ---------------------------------------------------------------------


def _enter(app: Flask) -> dict[str, Any]:
    """Everything above entered; the ids the expectations need."""
    mother_a = case_data.add_case(app, "send", [(k, d, dict(a)) for k, d, a in CASE_FORMS])
    factories.complete_response(app, mother_a, "T1", T1_A, D("2026-01-10"))
    factories.complete_response(app, mother_a, "T2", T2_A, D("2026-07-12"))
    factories.complete_response(app, "TC-BBB-BBBB", "T1", T1_B, D("2026-02-01"))
    factories.complete_response(app, "TC-CCC-CCCC", "T1", T1_C, D("2026-02-02"))
    staff = [
        factories.link_response(app, "prison_staff", STAFF_1, completed_on=D("2026-02-03")),
        factories.link_response(app, "prison_staff", STAFF_2, completed_on=D("2026-02-04")),
    ]
    with app.app_context():
        # She answered T1 in Welsh (the kiosk stores it; the factory makes English responses).
        db.session.execute(
            update(Response)
            .where(Response.submission_key == f"k-{mother_a}-T1")
            .values(language="cy")
        )
        db.session.execute(update(Response).where(Response.id == staff[1]).values(language="cy"))
        db.session.commit()
        case = db.session.scalar(select(Case))
        assert case is not None
        forms = {f.kind: f.id for f in db.session.scalars(select(CaseForm))}
        versions = {
            key: latest_version(db.session, key).version  # type: ignore[union-attr]
            for key in ("mothers_t1", "mothers_t2", "prison_staff", "case_referral",
                        "case_update", "case_closure", "case_reopening")
        }  # fmt: skip
    return {
        "mother": mother_a,
        "staff": staff,
        "case": case.id,
        "forms": forms,
        "versions": versions,
        "months": followup.months_between(D("2026-01-10"), D("2026-07-12")),
        "in_window": 1,  # six months after, in T2's window of 5 to 8 months
    }


def _ticked(app: Flask, key: str, variable: str, chosen: list[int]) -> dict[str, int]:
    """The 0/1 column of every option of a tick-all question."""
    item = next(i for i in flows.instrument(app, key).questions() if i.variable == variable)
    return {f"{variable}___{o.code}": int(o.code in chosen) for o in item.options}


def _answers(app: Flask, key: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Her answers as the sheets' columns hold them: tick-all as 0/1 columns, empty text out,
    line ends as one line feed, a date as a date."""
    cells: dict[str, Any] = {}
    for name, value in answers.items():
        if name == "children":
            continue  # the repeated group: a sheet of its own
        if isinstance(value, list):
            cells.update(_ticked(app, key, name, value))
        elif isinstance(value, str) and name.endswith("_date"):
            cells[name] = D(value)
        elif value != "":
            cells[name] = value.replace("\r\n", "\n") if isinstance(value, str) else value
    return cells


def _mother_wave(
    ids: Mapping[str, Any], key: str, date: str, lang: str, answers: Mapping[str, Any]
) -> dict[str, Any]:
    return {"date": D(date), "version": ids["versions"][key], "language": lang, **answers}


def _expected(app: Flask, ids: dict[str, Any]) -> dict[str, dict[Any, dict[str, Any]]]:
    mother, case = ids["mother"], ids["case"]
    t1a = _mother_wave(ids, "mothers_t1", "2026-01-10", "cy", _answers(app, "mothers_t1", T1_A))
    t2a = _mother_wave(ids, "mothers_t2", "2026-07-12", "en", _answers(app, "mothers_t2", T2_A))
    t1b = _mother_wave(ids, "mothers_t1", "2026-02-01", "en", _answers(app, "mothers_t1", T1_B))
    t1c = _mother_wave(ids, "mothers_t1", "2026-02-02", "en", _answers(app, "mothers_t1", T1_C))
    scores_b = {"task": 2.75, "goal": 4.25, "bond": None, "total": None}
    waves = {
        (mother, "T1"): (t1a, WAI_SCORES, 12),
        (mother, "T2"): (t2a, WAI_SCORES, 12),
        ("TC-BBB-BBBB", "T1"): (t1b, scores_b, 11),
        ("TC-CCC-CCCC", "T1"): (t1c, dict.fromkeys(WAI_SCORES), 0),
    }
    referral = _answers(app, "case_referral", {"start_date": "2022-05-10", **REFERRAL})
    linked_case = {"case_id": case, "case_status": "open", "case_opened_on": D("2022-05-10")}
    linked_case |= {f"case_{k}": v for k, v in referral.items()}
    linked: dict[Any, dict[str, Any]] = {}
    for (pid, wave), (cells, scores, _) in waves.items():
        row = linked.setdefault(pid, {"participant_id": pid, "site": "send"})
        prefix = wave.lower()
        row |= {f"{prefix}_{k}": v for k, v in cells.items()}
        row |= {f"{prefix}_wai_{k}": v for k, v in scores.items() if v is not None}
    linked[mother] |= {
        "linkage": "both",
        "t2_months_after_t1": ids["months"],
        "t2_in_window": ids["in_window"],
        **linked_case,
    }
    linked["TC-BBB-BBBB"]["linkage"] = linked["TC-CCC-CCCC"]["linkage"] = "t1_only"
    return {
        "Mothers (linked)": linked,
        "Mothers (long)": {
            (pid, wave): {"participant_id": pid, "site": "send", "wave": wave, **cells}
            for (pid, wave), (cells, _, _) in waves.items()
        },
        "WAI scores": {
            (pid, wave): {
                "participant_id": pid,
                "site": "send",
                "wave": wave,
                "block": "wai_csw",
                **{k: v for k, v in scores.items() if v is not None},
                "items_answered": answered,
            }
            for (pid, wave), (_, scores, answered) in waves.items()
        },
        "Prison staff": _staff(app, ids),
        **_case_sheets(app, ids, referral),
    }


def _staff(app: Flask, ids: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    first, second = ids["staff"]
    common = {"version": ids["versions"]["prison_staff"], "link_site": "send"}
    one = _answers(app, "prison_staff", STAFF_1)
    two = _answers(app, "prison_staff", STAFF_2)
    del two["prison_other"]  # Other was not chosen: the text is not kept
    return {
        first: {"response_id": first, "date": D("2026-02-03"), "language": "en", **common, **one},
        second: {"response_id": second, "date": D("2026-02-04"), "language": "cy", **common, **two},
    }


def _case_sheets(
    app: Flask, ids: dict[str, Any], referral: dict[str, Any]
) -> dict[str, dict[Any, dict[str, Any]]]:
    case, mother, forms, versions = ids["case"], ids["mother"], ids["forms"], ids["versions"]
    key = {"case_id": case, "participant_id": mother, "site": "send"}
    dates = {"update": "update_date", "closure": "closure_date", "reopening": "reopen_date"}
    answers = {"referral": referral}
    for kind, date, given in CASE_FORMS[1:]:
        answers[kind] = _answers(app, f"case_{kind}", {dates[kind]: date, **given})
    cases = {
        **key,
        "status": "open",
        "opened_on": D("2022-05-10"),
        "referral_version": versions["case_referral"],
        "n_updates": 1,
        "n_closures": 1,
        "n_reopenings": 1,
        "n_children": 2,
        "closure_version": versions["case_closure"],
        "reopening_version": versions["case_reopening"],
        **referral,
        **answers["closure"],
        **answers["reopening"],
    }
    long = {
        forms[kind]: {
            **key,
            "form": kind,
            "form_id": forms[kind],
            "version": versions[f"case_{kind}"],
            "revision": 1,
            "date": D(date),
            "sent_at": SENT_AT,
            **answers[kind],
        }
        for kind, date, _ in CASE_FORMS
    }
    children = {
        (case, n): {**key, "child": n, **entry}
        for n, entry in enumerate(REFERRAL["children"], start=1)  # type: ignore[arg-type]
    }
    authorities = {
        (case, code): {**key, "local_authority": code}
        for code in REFERRAL["local_authorities"]  # type: ignore[union-attr]
    }
    return {
        "Cases": {case: cases},
        "Case forms (long)": long,
        "Children": children,
        "Case local authorities": authorities,
    }


ROW_KEYS = {
    "Mothers (linked)": ("participant_id",),
    "Mothers (long)": ("participant_id", "wave"),
    "WAI scores": ("participant_id", "wave"),
    "Prison staff": ("response_id",),
    "Cases": ("case_id",),
    "Case forms (long)": ("form_id",),
    "Children": ("case_id", "child"),
    "Case local authorities": ("case_id", "local_authority"),
}


def _key(sheet: str, row: Mapping[str, Any]) -> Any:
    parts = tuple(row[k] for k in ROW_KEYS[sheet])
    return parts[0] if len(parts) == 1 else parts


# -- each format, read back ------------------------------------------------------------------


def _files(app: Flask, fmt: str) -> bytes:
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="tester@example.org")
        out = io.BytesIO()
        FORMATS[fmt].write(built, out)
    return out.getvalue()


def _xlsx_matches(cell: Any, want: Any) -> bool:
    value, fmt = cell.value, cell.number_format
    if want is None:
        return value is None
    if isinstance(want, bool) or value is None:
        return False
    if isinstance(want, dt.datetime):
        return bool(cell.is_date) and value == want and fmt == "yyyy-mm-dd hh:mm:ss"
    if isinstance(want, dt.date):
        day = dt.datetime.combine(want, dt.time())
        return bool(cell.is_date) and value == day and fmt == "yyyy-mm-dd"
    if isinstance(want, float):  # a score: shown with two decimals, whole or not
        return isinstance(value, (int, float)) and math.isclose(value, want) and fmt == "0.00"
    if isinstance(want, int):
        return type(value) is int and value == want and fmt == "General"
    return cell.data_type == "s" and value == want


def _csv_text(want: Any) -> str:
    if want is None:
        return ""
    if isinstance(want, dt.datetime):
        return want.isoformat(sep=" ", timespec="seconds")
    if isinstance(want, dt.date):
        return want.isoformat()
    if isinstance(want, str) and want[:1] in ("=", "+", "-", "@"):
        return "'" + want  # a spreadsheet opening the CSV never runs it
    return str(want)


def _sav_matches(value: Any, spss_format: str, want: Any) -> bool:
    if want is None:
        return value == "" if spss_format.startswith("A") else bool(value != value or value is None)
    if isinstance(want, dt.datetime):
        return spss_format == "DATETIME20" and value == want
    if isinstance(want, dt.date):
        return spss_format == "DATE11" and type(value) is dt.date and value == want
    if isinstance(want, float):
        return spss_format == "F8.2" and math.isclose(value, want)
    if isinstance(want, int):
        return spss_format == "F8.0" and value == float(want)
    return spss_format.startswith("A") and value == want


def _compare(
    sheet: str,
    header: list[str],
    rows: list[list[Any]],
    expected: Mapping[Any, Mapping[str, Any]],
    matches: Any,
) -> None:
    """Every row expected, every cell as expected or empty, each mismatch named."""
    got = {_key(sheet, dict(zip(header, [r[1] for r in row], strict=True))): row for row in rows}
    assert set(got) == set(expected), (sheet, set(got) ^ set(expected))
    wrong = []
    for key, want_row in expected.items():
        unknown = set(want_row) - set(header)
        assert not unknown, (sheet, unknown)
        for name, (raw, read) in zip(header, got[key], strict=True):
            if not matches(raw, want_row.get(name)):
                wrong.append((key, name, want_row.get(name), read))
    assert not wrong, (sheet, wrong[:10], len(wrong))


@pytest.fixture
def entered(app: Flask) -> tuple[dict[str, dict[Any, dict[str, Any]]], dict[str, Any]]:
    ids = _enter(app)
    return _expected(app, ids), ids


def test_the_workbook_reads_back_cell_by_cell(app: Flask, entered: Any) -> None:
    expected, _ = entered
    book = openpyxl.load_workbook(io.BytesIO(_files(app, "xlsx")))
    assert tuple(book.sheetnames) == SHEET_ORDER
    for sheet, rows in expected.items():
        cells = list(book[sheet].iter_rows())
        header = [c.value for c in cells[0]]
        _compare(sheet, header, [[(c, c.value) for c in r] for r in cells[1:]], rows, _xlsx_matches)
    # The language columns in the codebook; the Welsh's status (study.yaml: draft) and the
    # column types' formats in the About sheet.
    language = next(r for r in flows.rows(book, "Codebook") if r["variable"] == "language")
    assert language["values"] == "en=English; cy=Welsh"
    assert language["columns"].startswith("Mothers (linked): t1_language, t2_language; ")
    about = list(book["About"].iter_rows(min_row=2, values_only=True))
    assert ("Welsh", WELSH_STATUS["draft"]) in about
    types = [v for k, v in about if k == "Column type"]
    assert len(types) == len(ColumnKind)
    assert "date: Excel yyyy-mm-dd; CSV YYYY-MM-DD; SPSS DATE11 scale" in types[4]


def test_the_csv_files_read_back_cell_by_cell(app: Flask, entered: Any) -> None:
    expected, _ = entered
    archive = zipfile.ZipFile(io.BytesIO(_files(app, "csv")))
    for sheet, rows in expected.items():
        text = archive.read(csv_name(sheet)).decode("utf-8-sig")
        [header, *body] = list(csv.reader(io.StringIO(text, newline="")))
        # Each cell as written, beside its value as a key (whole numbers for IDs and codes).
        typed = [[(v, _typed_key(h, v)) for h, v in zip(header, r, strict=True)] for r in body]
        _compare(sheet, header, typed, rows, lambda raw, want: raw == _csv_text(want))


def _typed_key(name: str, value: str) -> Any:
    keys = ("case_id", "form_id", "child", "local_authority")
    return int(value) if name in keys and value else value


def test_the_spss_files_read_back_cell_by_cell(app: Flask, entered: Any, tmp_path: Path) -> None:
    import pyreadstat

    expected, _ = entered
    zipfile.ZipFile(io.BytesIO(_files(app, "sav"))).extractall(tmp_path)
    for sheet in SAV_SHEETS:
        if sheet not in expected:
            continue
        frame, meta = pyreadstat.read_sav(str(tmp_path / sav_name(sheet)), user_missing=True)
        formats = meta.original_variable_types
        header = list(frame.columns)
        body = [
            [((_plain(v), formats[h]), _sav_key(h, v)) for h, v in zip(header, row, strict=True)]
            for row in frame.itertuples(index=False)
        ]
        _compare(
            sheet,
            header,
            body,
            expected[sheet],
            lambda raw, want: _sav_matches(raw[0], raw[1], want),
        )


def _plain(value: Any) -> Any:
    """pandas' time stamps as datetimes; everything else as read."""
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value


def _sav_key(name: str, value: Any) -> Any:
    keys = ("case_id", "form_id", "child", "local_authority")
    return int(value) if name in keys and value == value else value


def test_spss_formats_come_from_the_column_types(app: Flask, entered: Any, tmp_path: Path) -> None:
    """Scores F8.2, dates DATE11 and time stamps DATETIME20 in every file that has them,
    whatever their values; measure levels from the type."""
    import pyreadstat

    zipfile.ZipFile(io.BytesIO(_files(app, "sav"))).extractall(tmp_path)
    _, linked = pyreadstat.read_sav(str(tmp_path / "mothers_linked.sav"))
    types, measures = linked.original_variable_types, linked.variable_measure
    for wave in ("t1", "t2"):
        for score in ("task", "goal", "bond", "total"):
            assert types[f"{wave}_wai_{score}"] == "F8.2"
            assert measures[f"{wave}_wai_{score}"] == "scale"
    assert types["t2_months_after_t1"] == "F8.2" and measures["t2_months_after_t1"] == "scale"
    assert measures["t1_css_trust"] == "ordinal" and measures["t1_csw_contact"] == "nominal"
    assert types["case_start_date"] == "DATE11" and types["case_opened_on"] == "DATE11"
    _, cases = pyreadstat.read_sav(str(tmp_path / "cases.sav"))
    for name in ("start_date", "closure_date", "reopen_date", "opened_on", "closed_on"):
        assert cases.original_variable_types[name] == "DATE11", name
    assert cases.variable_measure["children_social_workers"] == "scale"
    _, forms = pyreadstat.read_sav(str(tmp_path / "case_forms_long.sav"))
    for name in ("start_date", "update_date", "closure_date", "reopen_date", "date"):
        assert forms.original_variable_types[name] == "DATE11", name
    assert forms.original_variable_types["sent_at"] == "DATETIME20"
    about = zipfile.ZipFile(io.BytesIO(_files(app, "sav"))).read("about.txt").decode()
    assert "Values not exported: none" in about


def test_values_that_cannot_take_their_type_are_blank_and_named_in_about(app: Flask) -> None:
    """An old response's non-date, a code off the scale, text where a code belongs: each is
    exported as missing in every format, counted in the About sheet, never a failed export."""
    bad_referral = {
        **REFERRAL,
        "start_date": "next Tuesday",
        "children_social_workers": "two",
        "needs": [1, 99],  # 99: no option of any version
        "local_authorities": [7, 999],
    }
    mother = case_data.add_case(app, "send", [("referral", "2022-05-10", bad_referral)])
    factories.complete_response(
        app, mother, "T1", {**T1_A, "css_trust": 9, "decision_involvement": "eight"}
    )
    book = openpyxl.load_workbook(io.BytesIO(_files(app, "xlsx")))
    [linked] = flows.rows(book, "Mothers (linked)")
    assert linked["t1_css_trust"] is None and linked["t1_decision_involvement"] is None
    assert linked["case_start_date"] is None and linked["t1_css_willing"] == 5
    [case] = flows.rows(book, "Cases")
    assert case["start_date"] is None and case["children_social_workers"] is None
    about = [v for k, v in book["About"].iter_rows(min_row=2, values_only=True)
             if k == "Values not exported"]  # fmt: skip
    assert (
        "Mothers (linked): t1_css_trust: 1 value off its list of codes, exported as blank" in about
    )
    assert "Mothers (long): css_trust: 1 value off its list of codes, exported as blank" in about
    assert "Cases: start_date: 1 value not a date, exported as blank" in about
    assert (
        "Case forms (long): children_social_workers: 1 value not a whole number, exported as blank"
        in about
    )
    assert any(line.startswith("Mothers (linked): t1_decision_involvement: 1") for line in about)
    # A tick-all answer keeps its listed options; the code no option has is named.
    assert (case["needs___1"], case["needs___2"]) == (1, 0)
    assert "Cases: needs: 1 answer with a code off its options, not exported" in about
    assert (
        "Mothers (linked): case_needs: 1 answer with a code off its options, not exported" in about
    )
    assert (
        "Case local authorities: local_authority: 1 value off its list of codes, exported as blank"
        in about
    )
    assert [r["local_authority"] for r in flows.rows(book, "Case local authorities")] == [7, None]
    archive = zipfile.ZipFile(io.BytesIO(_files(app, "csv")))
    text = archive.read("about.csv").decode("utf-8-sig")
    assert "Cases: start_date: 1 value not a date" in text
    assert "next Tuesday" not in archive.read("cases.csv").decode("utf-8-sig")
    sav = zipfile.ZipFile(io.BytesIO(_files(app, "sav")))
    assert "Cases: start_date: 1 value not a date" in sav.read("about.txt").decode()
