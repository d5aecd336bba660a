"""The REDCap export read back as REDCap's Data Import Tool reads it: the data file's columns are
the fields of the data dictionary beside it (a checkbox as one column per choice), every value
one its field takes, one row per mother and wave (its event) and one per case form and child
(repeating instruments)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
import zipfile

from flask import Flask

from survey_app.export.filters import ExportFilters
from survey_app.export.redcap_data import (
    DATA_FILE,
    DESIGNATION_FILE,
    DICTIONARY_FILE,
    SYSTEM_COLUMNS,
    MergedDictionary,
)
from survey_app.extensions import db
from survey_app.instruments import missing
from survey_app.instruments.loader import load_all
from survey_app.instruments.publish import sync_instruments
from tests import case_data, factories
from tests.flows import export_zip

T1 = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1, "css_trust": 4}
REDCAP_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def _codes(field: dict[str, str]) -> list[str]:
    """The codes of a choice field as REDCap parses them."""
    if field["Field Type"] == "yesno":
        return ["1", "0"]
    choices = field["Choices, Calculations, OR Slider Labels"]
    return [part.split(",", 1)[0].strip() for part in choices.split("|") if part.strip()]


def _expected_columns(dictionary: list[dict[str, str]]) -> list[str]:
    """REDCap's import columns for a dictionary: each field holding data, a checkbox as
    <field>___<code>, any character of the code but a letter or digit made _."""
    columns = list(SYSTEM_COLUMNS)
    for field in dictionary[1:]:
        name, kind = field["Variable / Field Name"], field["Field Type"]
        if kind == "descriptive":
            continue
        if kind == "checkbox":
            columns += [f"{name}___{re.sub('[^a-z0-9]', '_', c.lower())}" for c in _codes(field)]
        else:
            columns.append(name)
    return columns


def _check_importable(archive: zipfile.ZipFile) -> list[dict[str, str]]:
    """What REDCap checks on importing the dictionary and then the data; the data's rows."""
    dictionary = _table(archive, DICTIONARY_FILE)
    names = [f["Variable / Field Name"] for f in dictionary]
    assert names[0] == "record_id"
    assert len(names) == len(set(names)), "a field name twice"
    assert all(REDCAP_NAME.fullmatch(n) for n in names), names
    forms = [f["Form Name"] for f in dictionary]
    assert all(REDCAP_NAME.fullmatch(f) for f in forms)
    # Each form's fields together.
    seen = list(dict.fromkeys(forms))
    assert [f for i, f in enumerate(forms) if i == 0 or forms[i - 1] != f] == seen
    designated: dict[str, set[str]] = {}
    for row in _table(archive, DESIGNATION_FILE):
        assert row["arm_num"] == "1"
        designated.setdefault(row["unique_event_name"], set()).add(row["form"])
    assert set().union(*designated.values()) == set(seen)

    text = archive.read(DATA_FILE).decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header == _expected_columns(dictionary)
    data = list(csv.DictReader(io.StringIO(text)))
    by_name = {f["Variable / Field Name"]: f for f in dictionary}
    form_of = {n: by_name[n]["Form Name"] for n in names}
    for row in data:
        event, repeat = row["redcap_event_name"], row["redcap_repeat_instrument"]
        assert event in designated, event
        if repeat:
            assert repeat in designated[event] and int(row["redcap_repeat_instance"]) >= 1
        for column, value in row.items():
            if column in SYSTEM_COLUMNS or value == "":
                continue
            name = column.split("___")[0] if column not in by_name else column
            field = by_name[name]
            # A value only in a form of its row's event (of the repeating form, if any).
            assert form_of[name] in designated[event], (column, event)
            assert not repeat or form_of[name] == repeat, (column, repeat)
            kind = field["Field Type"]
            if kind == "checkbox":
                assert value in ("0", "1"), (column, value)
            elif kind in ("radio", "yesno"):
                assert value in _codes(field), (column, value)
            elif field["Text Validation Type OR Show Slider Number"] == "date_ymd":
                dt.date.fromisoformat(value)
            elif field["Text Validation Type OR Show Slider Number"] == "integer":
                int(value)
    return data


def test_the_data_columns_are_the_dictionary_fields(app: Flask) -> None:
    pseudonyms = case_data.twelve_cases(app)
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, dt.date(2026, 1, 10))
    factories.complete_response(app, "TC-AAA-AAAA", "T2", {"css_trust": 2}, dt.date(2026, 7, 1))
    factories.link_response(app, "prison_staff", {"contact_purpose": [2]})
    data = _check_importable(export_zip(app, "redcap"))
    mothers = [r for r in data if r["record_id"] == "TC-AAA-AAAA"]
    assert [(r["redcap_event_name"], r["css_trust"], r["wave_date"]) for r in mothers] == [
        ("t1_arm_1", "4", "2026-01-10"),
        ("t2_arm_1", "2", "2026-07-01"),
    ]
    assert mothers[0]["consent_take_part___1"] == "1" and mothers[0]["wave_site"] == "send"
    # Nothing of the staff's questionnaire: the mothers' data only.
    assert not any(k.startswith("contact_purpose") for k in data[0])

    # The seventh case: referral, closure, re-opening, closure; two children.
    hers = [r for r in data if r["record_id"] == pseudonyms[6]]
    assert [(r["redcap_repeat_instrument"], r["redcap_repeat_instance"]) for r in hers] == [
        ("case_referral", "1"),
        ("case_closure", "1"),
        ("case_reopening", "1"),
        ("case_closure", "2"),
        ("children", "1"),
        ("children", "2"),
    ]
    assert {r["redcap_event_name"] for r in hers} == {"case_tracker_arm_1"}
    referral, first, reopening, second = hers[:4]
    assert (referral["needs___3"], referral["needs___1"]) == ("1", "0")
    assert referral["case_referral_date"] == "2021-04-20"
    assert (first["outcomes___1"], second["outcomes___1"], second["outcomes___2"]) == (
        "1",
        "0",
        "1",
    )
    assert second["case_closure_date"] == "2022-11-01" and reopening["reopen_reason"] == "1"
    assert second["case_closure_case_id"] == referral["case_referral_case_id"]
    assert [r["children_entry"] for r in hers[4:]] == ["1", "2"]
    # A case form's row holds its own form's fields only.
    assert referral["outcomes___1"] == "" and first["needs___1"] == ""


def test_versions_merge_into_one_form_and_codes_stay_choices(app: Flask) -> None:
    with app.app_context():
        # A third version: no css_confident, no "Often" (4) for csw_contact, and a new tick-all
        # question that offers "Prefer not to say" for the whole question.
        t1 = max((d for d in load_all() if d["key"] == "mothers_t1"), key=lambda d: d["version"])
        v3 = copy.deepcopy(t1)
        v3["version"] = 3
        for section in v3["sections"]:
            section["items"] = [i for i in section["items"] if i.get("variable") != "css_confident"]
            for item in section["items"]:
                if item.get("variable") == "csw_contact":
                    item["options"] = [o for o in item["options"] if o["code"] != 4]
        v3["sections"][-1]["items"].append(
            {
                "type": "multiple",
                "variable": "help_wanted",
                "text": {"en": "Help wanted?", "cy": "Help?"},
                "options": [
                    {"code": 1, "label": {"en": "Housing", "cy": "Tai"}},
                    {"code": 2, "label": {"en": "Money", "cy": "Arian"}},
                ],
                "offer": ["prefer_not_to_say"],
            }
        )
        sync_instruments(db.session, [v3])
        db.session.commit()
    old = {**T1, "css_confident": 3, "csw_contact": 4, "tac_hopes": "=1+1"}
    factories.complete_response(app, "TC-AAA-AAAA", "T1", old, version=1)
    factories.complete_response(
        app, "TC-BBB-BBBB", "T1", {**T1, "help_wanted": missing.PREFER_NOT_TO_SAY}, version=3
    )
    factories.complete_response(app, "TC-CCC-CCCC", "T1", {**T1, "help_wanted": [2]}, version=3)
    skipped = {**T1, "csw_contact": 1, "csw_relationship": missing.NOT_APPLICABLE}
    factories.complete_response(app, "TC-DDD-DDDD", "T1", skipped, version=2)
    archive = export_zip(app, "redcap")
    data = {r["record_id"]: r for r in _check_importable(archive)}
    dictionary = {f["Variable / Field Name"]: f for f in _table(archive, DICTIONARY_FILE)}
    assert {"css_confident", "help_wanted"} <= set(dictionary)
    assert {dictionary[n]["Form Name"] for n in ("css_confident", "help_wanted", "css_trust")} == {
        "mothers"
    }
    assert "4" in _codes(dictionary["csw_contact"])  # an older version's code
    a, b, c, d = (data[p] for p in ("TC-AAA-AAAA", "TC-BBB-BBBB", "TC-CCC-CCCC", "TC-DDD-DDDD"))
    assert (a["css_confident"], a["csw_contact"], a["wave_version"]) == ("3", "4", "1")
    assert a["tac_hopes"] == "'=1+1"  # formula-safe, as in the CSV files
    # Prefer not to say for the whole question: REDCap's column for the code -2.
    assert (b["help_wanted___1"], b["help_wanted___2"], b["help_wanted____2"]) == ("0", "0", "1")
    assert (c["help_wanted___1"], c["help_wanted___2"], c["help_wanted____2"]) == ("0", "1", "0")
    assert a["help_wanted___1"] == ""  # not asked in her version
    # Skipped by its show-if: blank, as REDCap leaves a field its branching logic hides.
    assert d["csw_relationship"] == "" and d["csw_contact"] == "1"


def test_the_filters_apply(app: Flask) -> None:
    case_data.twelve_cases(app)
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, dt.date(2026, 1, 10), site="send")
    factories.complete_response(
        app, "TC-BBB-BBBB", "T1", T1, dt.date(2026, 1, 10), site="eastwood_park"
    )
    archive = export_zip(app, "redcap", ExportFilters(site="send"))
    data = _check_importable(archive)
    assert {r["wave_site"] for r in data if r["redcap_event_name"] == "t1_arm_1"} == {"send"}
    assert len({r["case_referral_case_id"] for r in data if r["case_referral_case_id"]}) == 6
    about = archive.read("about.txt").decode("utf-8")
    assert "Filter: site: send" in about


def test_a_third_wave_is_an_event_of_its_own(three_wave_app: Flask) -> None:
    app = three_wave_app
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, dt.date(2025, 1, 10))
    factories.complete_response(app, "TC-AAA-AAAA", "T3", {"css_trust": 5}, dt.date(2026, 1, 10))
    archive = export_zip(app, "redcap")
    data = _check_importable(archive)
    assert [(r["redcap_event_name"], r["css_trust"]) for r in data] == [
        ("t1_arm_1", "4"),
        ("t3_arm_1", "5"),
    ]
    events = {r["unique_event_name"] for r in _table(archive, DESIGNATION_FILE)}
    assert events == {"t1_arm_1", "t2_arm_1", "t3_arm_1", "case_tracker_arm_1"}
    assert "t3_arm_1" in archive.read("readme.txt").decode("utf-8")


def test_merged_fields_keep_every_version_s_choices() -> None:
    """A field in several versions keeps the first's place and wording and gains the codes only
    the others have; a yes/no another version offered "Don't know" for becomes a radio."""
    merged = MergedDictionary()

    def field(name: str, kind: str, choices: str = "") -> dict[str, str]:
        return {
            "Variable / Field Name": name,
            "Form Name": "f",
            "Field Type": kind,
            "Choices, Calculations, OR Slider Labels": choices,
        }

    merged.add([field("a", "radio", "1, One | 2, Two"), field("b", "yesno")])
    merged.add(
        [
            field("a", "radio", "1, Uno | 3, Tres"),
            field("new", "text"),
            field("b", "radio", "1, Yes | 0, No | -1, Don't know"),
            field("c", "checkbox", "1, X"),
        ]
    )
    merged.add([field("c", "checkbox", "1, X | 2, Y"), field("a", "checkbox", "9, Nine")])
    rows = {r["Variable / Field Name"]: r for r in merged.rows}
    assert [r["Variable / Field Name"] for r in merged.rows] == ["a", "new", "b", "c"]
    assert rows["a"]["Choices, Calculations, OR Slider Labels"] == "1, One | 2, Two | 3, Tres"
    assert (rows["b"]["Field Type"], _codes(rows["b"])) == ("radio", ["1", "0", "-1"])
    assert _codes(rows["c"]) == ["1", "2"]
