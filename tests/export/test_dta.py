"""The Stata files read back with pyreadstat, as a Stata user's script would: labels, types,
dates as dates, and names and labels that Stata allows."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import pyreadstat
from flask import Flask

from survey_app.export.dta import stata_names
from survey_app.extensions import db
from survey_app.instruments import missing
from survey_app.instruments.loader import load_all
from survey_app.instruments.publish import sync_instruments
from tests import case_data, factories
from tests.flows import export_zip

T1 = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1, "css_trust": 4}
LONG = "a_variable_name_far_longer_than_stata_allows"


def test_dta_files_read_back_with_labels_types_and_dates(app: Flask, tmp_path: Path) -> None:
    pseudonyms = case_data.twelve_cases(app)
    answers = {**T1, "css_willing": missing.PREFER_NOT_TO_SAY, "tac_hopes": "=1+1 é"}
    factories.complete_response(app, "TC-AAA-AAAA", "T1", answers, dt.date(2026, 1, 10))
    factories.complete_response(app, "TC-AAA-AAAA", "T2", {"css_trust": 2}, dt.date(2026, 7, 1))
    archive = export_zip(app, "dta")
    archive.extractall(tmp_path)
    frame, meta = pyreadstat.read_dta(str(tmp_path / "mothers_linked.dta"))
    row = frame.iloc[0]
    assert row["participant_id"] == "TC-AAA-AAAA"
    assert (row["t1_css_trust"], row["t2_css_trust"], row["t1_css_willing"]) == (4, 2, -2)
    assert row["t1_tac_hopes"] == "=1+1 é"  # a .dta is not a spreadsheet: the text as given
    assert row["t1_date"] == dt.date(2026, 1, 10) and row["t2_date"] == dt.date(2026, 7, 1)
    assert meta.original_variable_types["t1_date"] == "%td"
    assert meta.readstat_variable_types["t1_css_trust"] == "double"
    assert meta.readstat_variable_types["participant_id"] == "string"
    labels = meta.column_names_to_labels
    assert labels["t1_css_trust"] == "I can trust Children's Social Services to help my family."
    assert meta.variable_value_labels["t1_css_trust"][4] == "Agree"
    assert meta.variable_value_labels["t1_css_willing"][-2] == "Prefer not to say"
    # Stata's limits: 32 characters a name, 80 a label (cut ones in full in about.txt).
    assert all(len(name) <= 32 for name in frame.columns)
    assert all(len(label or "") <= 80 for label in labels.values())
    about = archive.read("about.txt").decode("utf-8")
    long_label = (
        "How supported do you feel in your role as a mother by professionals inside the prison?"
    )
    assert labels["t1_support_inside"] == long_label[:77].rstrip() + "..."
    assert f"mothers_linked.dta: t1_support_inside: {long_label}" in about
    assert "Filter: site: all" in about and "mvdecode" in about

    forms, forms_meta = pyreadstat.read_dta(str(tmp_path / "case_forms_long.dta"))
    assert forms_meta.original_variable_types["sent_at"] == "%tc"
    assert isinstance(forms.loc[0, "sent_at"], dt.datetime)
    assert forms.loc[0, "date"] == dt.date(2021, 5, 10)
    cases, _ = pyreadstat.read_dta(str(tmp_path / "cases.dta"))
    assert len(cases) == 12 and pseudonyms[6] in set(cases["participant_id"])


def test_a_long_name_is_shortened_uniquely_and_said(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        t1 = max((d for d in load_all() if d["key"] == "mothers_t1"), key=lambda d: d["version"])
        v3 = copy.deepcopy(t1)
        v3["version"] = 3
        v3["sections"][-1]["items"] += [
            {
                "type": "single",
                "variable": f"{LONG}_1",
                "text": {"en": "Choose 1", "cy": "Dewis 1"},
                "options": [
                    {"code": 1, "label": {"en": "One", "cy": "Un"}},
                    {"code": 2, "label": {"en": "Two", "cy": "Dau"}},
                ],
            },
            {
                "type": "integer",
                "variable": f"{LONG}_2",
                "text": {"en": "Count 2", "cy": "Cyfrif 2"},
                "min": 0,
                "max": 99,
            },
        ]
        sync_instruments(db.session, [v3])
        db.session.commit()
    factories.complete_response(
        app, "TC-AAA-AAAA", "T1", {**T1, f"{LONG}_1": 2, f"{LONG}_2": 8}, version=3
    )
    archive = export_zip(app, "dta")
    archive.extractall(tmp_path)
    about = archive.read("about.txt").decode("utf-8")
    for file, prefix in (("mothers_long.dta", ""), ("mothers_linked.dta", "t1_")):
        frame, meta = pyreadstat.read_dta(str(tmp_path / file))
        # Each shortened name is said in about.txt: "<file>: <Stata name> is <name>".
        said = dict(
            re.findall(rf"Stata name shortened to 32 characters: {file}: (\w+) is (\w+)", about)
        )
        short = {name: stata for stata, name in said.items()}
        first, second = short[f"{prefix}{LONG}_1"], short[f"{prefix}{LONG}_2"]
        assert first != second and all(len(n) <= 32 for n in frame.columns)
        assert (frame.loc[0, first], frame.loc[0, second]) == (2, 8)
        assert meta.variable_value_labels[first] == {1: "One", 2: "Two"}
        assert meta.column_names_to_labels[second] == "Count 2"


def test_stata_names() -> None:
    names = stata_names(["in", "2nd", "x" * 40, "x" * 40 + "y", "str12", "ok"])
    assert names == {
        "in": "v_in",
        "2nd": "v_2nd",
        "x" * 40: "x" * 32,
        "x" * 40 + "y": "x" * 30 + "_2",
        "str12": "v_str12",
        "ok": "ok",
    }
    # Twelve labelled columns: label sets named <name>0 ... <name>11, so 30 characters at most.
    labelled = {f"{'y' * 40}{n}" for n in range(12)}
    shortened = stata_names(sorted(labelled) + ["z" * 40], labelled)
    assert {len(v) for k, v in shortened.items() if k in labelled} == {30}
    assert len(set(shortened.values())) == 13 and shortened["z" * 40] == "z" * 32
