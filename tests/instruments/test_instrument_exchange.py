"""Instruments out to and in from XLSForm (ODK, KoboToolbox) and REDCap data dictionaries.

What leaves is read back as its users' tools read it: pyxform (the reference XLSForm converter)
converts every exported workbook, openpyxl and csv read the files; what comes in is loaded by the
project's own instrument loader."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.instruments.exchange import import_instrument
from survey_app.instruments.interchange import ImportRefused
from survey_app.instruments.loader import FILES_DIR, load_instrument_file, load_library
from survey_app.instruments.redcap import COLUMNS, export_redcap
from survey_app.instruments.xlsform import export_xlsform
from survey_app.models import InstrumentVersion
from tests.flows import Auth

LIBRARY = load_library()
BUNDLED = sorted(FILES_DIR.glob("*.yaml"))
EXAMPLE = Path(__file__).parent.parent.parent / "docs" / "examples" / "wellbeing_check.xlsx"


def _definition(path: Path) -> dict[str, Any]:
    return load_instrument_file(path, LIBRARY)


def _round_trip(definition: dict[str, Any], data: bytes, name: str, tmp: Path) -> dict[str, Any]:
    source = tmp / name
    source.write_bytes(data)
    return import_instrument(
        source,
        definition["key"],
        tmp / "back.yaml",
        version=definition["version"],
        library=LIBRARY,
    )


def _english(value: Any) -> Any:
    """The definition as a one-language REDCap dictionary can hold it: English text only, and a
    Welsh yes/no question's own Welsh yes and no gone with the Welsh."""
    if isinstance(value, dict):
        if "en" in value and all(isinstance(v, str) for v in value.values()):
            return {"en": value["en"]}
        return {
            k: _english(v)
            for k, v in value.items()
            if k not in ("languages", "translation_note")
            and not (k == "options" and value.get("type") == "yesno")
        }
    if isinstance(value, list):
        return [_english(v) for v in value]
    return value


# --- out ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_instrument_exports_an_xlsform_pyxform_converts(
    path: Path, tmp_path: Path
) -> None:
    definition = _definition(path)
    workbook = tmp_path / "form.xlsx"
    workbook.write_bytes(export_xlsform(definition))
    result = convert(xlsform=str(workbook), validate=False)
    assert "<h:html" in result.xform
    assert result.warnings == []
    book = load_workbook(workbook)
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [c.value for c in book["survey"][1]]
    for lang, name in (("en", "English (en)"), ("cy", "Welsh (cy)")):
        assert (f"label::{name}" in header) == (lang in definition["languages"])
    types = [row[0] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert types.count("begin group") >= len(definition["sections"])
    has_group = any(i["type"] == "group" for s in definition["sections"] for i in s["items"])
    assert ("begin repeat" in types) == has_group


def test_the_xlsform_carries_show_if_languages_and_the_wai_block_as_a_group(
    tmp_path: Path,
) -> None:
    book = load_workbook(io.BytesIO(export_xlsform(_definition(FILES_DIR / "mothers_t1.yaml"))))
    survey = book["survey"]
    header = [c.value for c in survey[1]]
    rows = [
        dict(zip(header, r, strict=True)) for r in survey.iter_rows(min_row=2, values_only=True)
    ]
    block = next(r for r in rows if r["name"] == "wai_csw")
    assert block["type"] == "begin group"
    assert block["relevant"] == "${csw_contact} != '1'"
    item = next(r for r in rows if r["name"] == "wai_csw_01")
    assert item["type"].startswith("select_one wai5")
    assert item["label::Welsh (cy)"] and item["label::English (en)"]
    settings = dict(zip(*book["settings"].iter_rows(values_only=True), strict=True))
    assert settings["form_id"] == "mothers_t1"
    assert settings["default_language"] == "English (en)"


def test_the_redcap_dictionary_has_its_18_columns_choices_and_branching() -> None:
    text = export_redcap(_definition(FILES_DIR / "mothers_t1.yaml"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(csv.reader(io.StringIO(text)).__next__()) == COLUMNS
    assert len(COLUMNS) == 18
    assert rows[0]["Variable / Field Name"] == "record_id"
    assert {r["Form Name"] for r in rows} == {"mothers_t1"}
    by_name = {r["Variable / Field Name"]: r for r in rows}
    contact = by_name["csw_contact"]
    assert contact["Field Type"] == "radio"
    assert contact["Choices, Calculations, OR Slider Labels"].startswith(
        "1, Never met them | 2, Rarely"
    )
    assert contact["Choices, Calculations, OR Slider Labels"].endswith("-2, Prefer not to say")
    assert by_name["wai_csw_01"]["Branching Logic (Show field only if...)"] == (
        "[csw_contact] <> '1'"
    )
    assert by_name["consent_recontact"]["Field Type"] == "yesno"


def test_a_repeated_group_is_a_redcap_form_of_its_own() -> None:
    rows = list(
        csv.DictReader(io.StringIO(export_redcap(_definition(FILES_DIR / "case_referral.yaml"))))
    )
    forms = [r["Form Name"] for r in rows]
    assert forms[: forms.index("children")].count("children") == 0
    assert {r["Variable / Field Name"] for r in rows if r["Form Name"] == "children"} == {
        "child_age_band",
        "child_care_arrangement",
        "child_has_social_worker",
    }


# --- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_yaml_to_xlsform_to_yaml_gives_back_the_same_definition(path: Path, tmp_path: Path) -> None:
    definition = _definition(path)
    back = _round_trip(definition, export_xlsform(definition), "form.xlsx", tmp_path)
    assert back == definition


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_yaml_to_redcap_to_yaml_gives_back_the_english_definition(
    path: Path, tmp_path: Path
) -> None:
    definition = _definition(path)
    data = export_redcap(definition).encode("utf-8")
    back = _round_trip(definition, data, "dictionary.csv", tmp_path)
    assert _english(back) == _english(definition)


def test_the_wai_block_is_known_by_its_items_when_a_tool_drops_the_survey_app_column(
    tmp_path: Path,
) -> None:
    definition = _definition(FILES_DIR / "mothers_t1.yaml")
    book = load_workbook(io.BytesIO(export_xlsform(definition)))
    survey = book["survey"]
    header = [c.value for c in survey[1]]
    for row in survey.iter_rows(min_row=2):
        if row[header.index("name")].value == "wai_csw":
            row[header.index("survey_app")].value = None
    data = io.BytesIO()
    book.save(data)
    back = _round_trip(definition, data.getvalue(), "form.xlsx", tmp_path)
    assert back["blocks"] == definition["blocks"]
    assert back == definition


# --- in: refusals ------------------------------------------------------------------------


def _xlsform(path: Path, survey: list[list[Any]], choices: list[list[Any]] | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label::English (en)", "relevant", "calculation", "constraint"])
    for row in survey:
        sheet.append(row)
    sheet_c = book.create_sheet("choices")
    sheet_c.append(["list_name", "name", "label::English (en)"])
    for row in choices or [["yn", 1, "Yes"], ["yn", 0, "No"]]:
        sheet_c.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "audience", "waves"])
    settings.append(["A test form", "prison_staff", "T1"])
    book.save(path)
    return path


def _refused(source: Path, out: Path) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        import_instrument(source, "new_form", out, library=LIBRARY)
    assert not out.exists(), "nothing is written"
    return caught.value.problems


GOOD_ROWS: list[list[Any]] = [
    ["begin group", "about", "About you"],
    ["select_one yn", "smoker", "Do you smoke?"],
    ["end group"],
]


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (["calculate", "total", "", "", "${smoker} + 1"], "a calculation (calculate)"),
        (["rank yn", "order", "Put in order"], "a ranking question"),
        (["geopoint", "where", "Where are you?"], "a location"),
        (["select_one_from_file x.csv", "pick", "Pick"], "unknown or uncarried type"),
        (["integer", "age", "Age"], "a whole number needs a constraint"),
        (["text", "why", "Why?", "${smoker} = 'yes' and ${age} > 3"], "relevant"),
        (["text", "why", "Why?", "", "concat('a', 'b')"], "the calculation column"),
        (["select_one yn", "q", "Q?", "", "", ". != 0"], "a constraint on a select_one yn"),
        (["text", "q", "Q?", "", "", "regex(., '^a')"], 'constraint "regex'),
    ],
)
def test_a_construct_it_cannot_carry_is_refused_naming_sheet_and_row(
    tmp_path: Path, row: list[Any], says: str
) -> None:
    rows = [*GOOD_ROWS[:2], row, GOOD_ROWS[2]]
    problems = _refused(_xlsform(tmp_path / "f.xlsx", rows), tmp_path / "out.yaml")
    assert len(problems) == 1
    assert problems[0].startswith("f.xlsx: sheet survey, row 4: ")
    assert says in problems[0]


def test_a_malformed_xlsform_is_one_line_naming_sheet_row_and_problem(tmp_path: Path) -> None:
    source = _xlsform(tmp_path / "f.xlsx", GOOD_ROWS, [["yn", "yes", "Yes"], ["yn", 0, "No"]])
    assert _refused(source, tmp_path / "out.yaml") == [
        "f.xlsx: sheet choices, row 2: name 'yes' is not a whole-number code"
    ]
    garbage = tmp_path / "g.xlsx"
    garbage.write_bytes(b"not a workbook")
    [line] = _refused(garbage, tmp_path / "out.yaml")
    assert line.startswith("g.xlsx: not an Excel workbook")
    book = load_workbook(source)
    del book["choices"]
    book.save(source)
    assert _refused(source, tmp_path / "out.yaml") == [
        "f.xlsx: sheet choices: missing (an XLSForm has survey and choices)"
    ]


def test_a_question_on_the_page_it_depends_on_is_named_by_its_row(tmp_path: Path) -> None:
    rows = [
        ["begin group", "about", "About you"],
        ["select_one yn", "smoker", "Do you smoke?"],
        ["integer", "per_day", "How many a day?", "${smoker} = '1'", "", ". >= 1 and . <= 99"],
        ["end group"],
    ]
    [line] = _refused(_xlsform(tmp_path / "f.xlsx", rows), tmp_path / "out.yaml")
    assert line.startswith("f.xlsx: sheet survey, row 4: show_if.variable: refers to 'smoker' on")


def test_questions_outside_a_group_start_a_page_where_one_depends_on_another(
    tmp_path: Path,
) -> None:
    rows = [
        ["select_one yn", "smoker", "Do you smoke?"],
        ["integer", "per_day", "How many a day?", "${smoker} = '1'", "", ". >= 1 and . <= 99"],
    ]
    definition = import_instrument(
        _xlsform(tmp_path / "f.xlsx", rows), "new_form", tmp_path / "o.yaml", library=LIBRARY
    )
    assert [[i["variable"] for i in s["items"]] for s in definition["sections"]] == [
        ["smoker"],
        ["per_day"],
    ]


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("label::Spanish (es)", "¿Fuma?", "column 'label::Spanish (es)': the languages carried"),
        ("required", "${age} > 3", "required '${age} > 3' is not carried"),
        ("choice_filter", "x = 1", "the choice_filter column is not carried"),
    ],
)
def test_a_column_it_cannot_carry_is_refused(
    tmp_path: Path, column: str, value: str, says: str
) -> None:
    source = _xlsform(tmp_path / "f.xlsx", GOOD_ROWS)
    book = load_workbook(source)
    sheet = book["survey"]
    sheet.cell(row=1, column=10, value=column)
    sheet.cell(row=3, column=10, value=value)
    book.save(source)
    [line] = _refused(source, tmp_path / "out.yaml")
    assert line.startswith("f.xlsx: sheet survey, row ")
    assert says in line


def _dictionary(path: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow(
        {COLUMNS[0]: "record_id", COLUMNS[1]: "f", COLUMNS[3]: "text", COLUMNS[4]: "ID"}
    )
    for row in rows:
        writer.writerow({COLUMNS[1]: "f", **row})
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (
            {COLUMNS[0]: "bmi", COLUMNS[3]: "calc", COLUMNS[4]: "BMI", COLUMNS[5]: "[w]/[h]"},
            "a calculation",
        ),
        (
            {
                COLUMNS[0]: "pick",
                COLUMNS[3]: "radio",
                COLUMNS[4]: "Pick",
                COLUMNS[5]: "1, A | 2, B",
                "Matrix Ranking?": "y",
            },
            "matrix ranking",
        ),
        ({COLUMNS[0]: "photo", COLUMNS[3]: "signature", COLUMNS[4]: "Sign"}, "unknown field type"),
        (
            {COLUMNS[0]: "name", COLUMNS[3]: "text", COLUMNS[4]: "Name", COLUMNS[10]: "y"},
            "an identifier (Identifier? y)",
        ),
        (
            {COLUMNS[0]: "why", COLUMNS[3]: "text", COLUMNS[4]: "Why", COLUMNS[11]: "[smoker] > 0"},
            "branching logic '[smoker] > 0' is not carried",
        ),
        (
            {COLUMNS[0]: "mail", COLUMNS[3]: "text", COLUMNS[4]: "Email", COLUMNS[7]: "email"},
            "text validation 'email'",
        ),
        (
            {COLUMNS[0]: "bad", COLUMNS[3]: "radio", COLUMNS[4]: "Bad", COLUMNS[5]: "a, A | b, B"},
            "is not 'code, label'",
        ),
    ],
)
def test_a_redcap_field_it_cannot_carry_is_refused_naming_the_row(
    tmp_path: Path, row: dict[str, str], says: str
) -> None:
    good = {
        COLUMNS[0]: "smoker",
        COLUMNS[3]: "yesno",
        COLUMNS[4]: "Do you smoke?",
        COLUMNS[2]: "About",
    }
    source = _dictionary(tmp_path / "d.csv", [good, row])
    with pytest.raises(ImportRefused) as caught:
        import_instrument(
            source,
            "new_form",
            tmp_path / "o.yaml",
            audience="prison_staff",
            waves=["T1"],
            library=LIBRARY,
        )
    assert not (tmp_path / "o.yaml").exists()
    [line] = caught.value.problems
    assert line.startswith("d.csv: row 4: "), "header 1, record_id 2, smoker 3"
    assert says in line


def test_a_project_dictionary_of_several_forms_imports_the_form_asked_for(
    tmp_path: Path,
) -> None:
    smoker = {COLUMNS[0]: "smoker", COLUMNS[3]: "yesno", COLUMNS[4]: "Do you smoke?"}
    visit = {COLUMNS[0]: "visit_date", COLUMNS[1]: "visit", COLUMNS[3]: "text"}
    visit.update({COLUMNS[4]: "Date", COLUMNS[7]: "date_ymd"})
    source = _dictionary(tmp_path / "d.csv", [smoker, visit])
    out = tmp_path / "o.yaml"
    options: dict[str, Any] = {"audience": "prison_staff", "waves": ["T1"], "library": LIBRARY}
    with pytest.raises(ImportRefused) as caught:
        import_instrument(source, "visit", out, **options)
    assert caught.value.problems == [
        "d.csv: the dictionary holds 2 forms (f, visit): choose one with --form"
    ]
    definition = import_instrument(source, "visit", out, form="visit", **options)
    [section] = definition["sections"]
    assert [i["variable"] for i in section["items"]] == ["visit_date"]
    assert section["items"][0]["type"] == "date"


def test_a_file_that_is_not_a_dictionary_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text("name,type\nx,text\n", encoding="utf-8")
    [line] = _refused(source, tmp_path / "o.yaml")
    assert line.startswith("d.csv: row 1: not a REDCap data dictionary")


# --- in: a form written by hand --------------------------------------------------------


def test_the_worked_example_imports_into_a_file_the_loader_reads(tmp_path: Path) -> None:
    out = tmp_path / "wellbeing_check.yaml"
    definition = import_instrument(EXAMPLE, "wellbeing_check", out, library=LIBRARY)
    assert load_instrument_file(out, LIBRARY) == definition
    assert definition["languages"] == ["en", "cy"]
    items = {
        i["variable"]: i for s in definition["sections"] for i in s["items"] if "variable" in i
    }
    assert items["sleep_hours"]["type"] == "integer"
    assert items["sleep_trouble"]["show_if"] == {"variable": "sleep_rating", "in": [1, 2]}
    assert any(o.get("other_text") for o in items["support_from"]["options"])
    result = convert(xlsform=str(EXAMPLE), validate=False)
    assert result.warnings == []


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "o.yaml"
    out.write_text("mine", encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        import_instrument(EXAMPLE, "new_form", out, library=LIBRARY)
    assert "already exists" in caught.value.problems[0]
    assert out.read_text(encoding="utf-8") == "mine"


# --- the command and the page ------------------------------------------------------------


def _published() -> int:
    return db.session.scalar(select(func.count()).select_from(InstrumentVersion)) or 0


def test_the_commands_export_and_import_without_publishing(
    app: Flask, tmp_path: Path, in_db: Callable[[Callable[[], Any]], Any]
) -> None:
    runner = app.test_cli_runner()
    before = in_db(_published)
    for fmt, name in (("xlsform", "t1.xlsx"), ("redcap", "t1.csv")):
        out = tmp_path / name
        args = ["instruments", "export", "mothers_t1", "2", "--format", fmt, "--out", str(out)]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        yaml_out = tmp_path / f"{fmt}.yaml"
        result = runner.invoke(
            args=["instruments", "import", str(out), "--key", "mothers_t9", "--out", str(yaml_out)]
        )
        assert result.exit_code == 0, result.output
        assert "Review it" in result.output
        loaded = load_instrument_file(yaml_out, LIBRARY)
        assert loaded["key"] == "mothers_t9" and loaded["version"] == 1
    assert in_db(_published) == before, "an import never publishes"
    missing = runner.invoke(
        args=[
            "instruments",
            "export",
            "mothers_t1",
            "99",
            "--format",
            "xlsform",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert missing.exit_code == 1
    assert missing.output.strip() == "mothers_t1: no published version 99 (see `instruments list`)"


def test_an_export_to_a_folder_that_is_not_there_is_one_line(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "t1.xlsx"
    result = app.test_cli_runner().invoke(
        args=["instruments", "export", "mothers_t1", "2", "--format", "xlsform", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert result.output.strip() == f"{out}: cannot write: No such file or directory"


def test_a_refused_import_prints_one_line_a_problem(app: Flask, tmp_path: Path) -> None:
    rows = [*GOOD_ROWS[:2], ["calculate", "total", "", "", "1"], GOOD_ROWS[2]]
    source = _xlsform(tmp_path / "f.xlsx", rows)
    out = tmp_path / "o.yaml"
    result = app.test_cli_runner().invoke(
        args=["instruments", "import", str(source), "--key", "x1", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "f.xlsx: sheet survey, row 4: total: a calculation (calculate) cannot be carried"
    ]
    assert not out.exists()


def test_the_instrument_page_offers_both_downloads(
    client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    auth.login("researcher")
    page = client.get("/research/instruments/mothers_t1/2").get_data(as_text=True)
    assert "/research/instruments/mothers_t1/2/export/xlsform" in page
    assert "/research/instruments/mothers_t1/2/export/redcap" in page
    response = client.get("/research/instruments/mothers_t1/2/export/xlsform")
    assert response.status_code == 200
    assert "mothers_t1_v2_xlsform.xlsx" in response.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["survey", "choices", "settings"]
    response = client.get("/research/instruments/mothers_t1/2/export/redcap")
    assert response.status_code == 200
    assert response.data.decode("utf-8").startswith("Variable / Field Name,Form Name")
    assert client.get("/research/instruments/mothers_t1/2/export/spss").status_code == 404
    assert client.get("/research/instruments/mothers_t1/99/export/redcap").status_code == 404


def test_the_copy_given_to_the_exporter_is_not_changed() -> None:
    definition = _definition(FILES_DIR / "case_referral.yaml")
    before = copy.deepcopy(definition)
    export_xlsform(definition)
    export_redcap(definition)
    assert definition == before
