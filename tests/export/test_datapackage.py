"""The Frictionless Data Package read back with the frictionless library, as its users read it:
it validates without error, each column comes back as its type, codes out of their enum and
the missing-data codes as missing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from flask import Flask
from frictionless import Package, validate

from survey_app.export.filters import ExportFilters
from survey_app.instruments import missing
from tests import case_data, factories
from tests.flows import export_zip

T1 = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1, "css_trust": 4}


def _package(app: Flask, tmp_path: Path, filters: ExportFilters | None = None) -> Path:
    export_zip(app, "datapackage", filters).extractall(tmp_path)
    return tmp_path / "datapackage.json"


def test_the_package_validates_and_reads_back_typed(app: Flask, tmp_path: Path) -> None:
    case_data.twelve_cases(app)
    answers = {**T1, "css_willing": missing.PREFER_NOT_TO_SAY, "tac_hopes": "=1+1"}
    factories.complete_response(app, "TC-AAA-AAAA", "T1", answers, dt.date(2026, 1, 10))
    factories.complete_response(app, "TC-AAA-AAAA", "T2", {"css_trust": 2}, dt.date(2026, 7, 1))
    factories.link_response(app, "prison_staff", {"contact_purpose": [2]})
    path = _package(app, tmp_path)
    report = validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    package = Package(path)
    linked = package.get_resource("mothers_linked")
    fields = {f.name: f for f in linked.schema.fields}
    assert fields["t1_css_trust"].type == "integer"
    assert fields["t1_css_trust"].constraints["enum"] == [1, 2, 3, 4, 5]
    assert fields["t1_css_trust"].description.startswith(
        "I can trust Children's Social Services to help my family. (1 = Strongly disagree;"
    )
    assert fields["t1_date"].type == "date" and fields["t2_months_after_t1"].type == "number"
    assert linked.schema.missing_values == ["", "-1", "-2", "-3"]
    [row] = linked.read_rows()
    assert row["participant_id"] == "TC-AAA-AAAA"
    assert (row["t1_css_trust"], row["t2_css_trust"]) == (4, 2)
    assert row["t1_css_willing"] is None  # -2: a missing value
    assert row["t1_date"] == dt.date(2026, 1, 10)
    assert row["t1_tac_hopes"] == "'=1+1"  # formula-safe, as in the CSV zip

    forms = package.get_resource("case_forms_long").read_rows()
    assert len(forms) == 24 and isinstance(forms[0]["sent_at"], dt.datetime)
    staff = package.get_resource("prison_staff").read_rows()
    assert staff[0]["contact_purpose___2"] == 1
    codebook = package.get_resource("codebook").read_rows()
    assert any(r["variable"] == "css_trust" for r in codebook)
    about = {r["item"]: r["value"] for r in package.get_resource("about").read_rows()}
    assert about["Filter: site"] == "all"
    assert {r.name for r in package.resources} >= {"cases", "children", "wai_scores"}


def test_a_code_off_its_list_fails_validation(app: Flask, tmp_path: Path) -> None:
    """The enum constraints are real: a file changed by hand to hold a code off the list is
    refused by the validator."""
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, dt.date(2026, 1, 10))
    path = _package(app, tmp_path)
    linked = tmp_path / "mothers_linked.csv"
    lines = linked.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("t1_css_trust")] = "9"
    linked.write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    report = validate(path)
    assert not report.valid
    errors = report.flatten(["fieldName", "type"])
    assert ["t1_css_trust", "constraint-error"] in errors


@pytest.mark.parametrize("site", ["send", "eastwood_park"])
def test_the_filters_apply(app: Flask, tmp_path: Path, site: str) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, site="send")
    factories.complete_response(app, "TC-BBB-BBBB", "T1", T1, site="eastwood_park")
    path = _package(app, tmp_path, ExportFilters(site=site))
    rows = Package(path).get_resource("mothers_linked").read_rows()
    assert [r["site"] for r in rows] == [site]
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
