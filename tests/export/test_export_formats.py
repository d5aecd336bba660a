"""The REDCap, Data Package and Stata exports from the export page and the command line: the
same filters, the same audit entry, and a clear refusal of an unknown format."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyreadstat
import pytest
from flask import Flask
from flask.testing import FlaskClient
from frictionless import validate
from sqlalchemy import select

from survey_app.export.filters import ExportFilters
from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests import factories
from tests.flows import Auth, csrf_token, export_zip

T1 = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1, "css_trust": 4}
# Each format's file name ending and a file its zip holds.
NEW_FORMATS = {
    "redcap": ("-redcap.zip", "redcap_data.csv"),
    "datapackage": ("-datapackage.zip", "datapackage.json"),
    "dta": ("-stata.zip", "mothers_linked.dta"),
}


@pytest.mark.parametrize("fmt", sorted(NEW_FORMATS))
def test_a_researcher_downloads_each_format_filtered_and_audited(
    app: Flask, client: FlaskClient, auth: Auth, fmt: str
) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1, site="send")
    factories.complete_response(app, "TC-BBB-BBBB", "T1", T1, site="eastwood_park")
    auth.login("researcher")
    page = client.get("/research/export")
    assert f'value="{fmt}"' in page.get_data(as_text=True)
    reply = client.post(
        "/research/export",
        data={"csrf_token": csrf_token(page), "format": fmt, "site": "eastwood_park"},
    )
    assert reply.status_code == 200
    suffix, inside = NEW_FORMATS[fmt]
    assert reply.headers["Content-Disposition"].endswith(suffix)
    data = reply.data
    reply.close()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert inside in archive.namelist()
    text = b"".join(archive.read(n) for n in archive.namelist())  # .dta text is UTF-8 too
    assert b"TC-BBB-BBBB" in text and b"TC-AAA-AAAA" not in text
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "export"))
        assert event is not None
        assert (event.detail["format"], event.detail["site"]) == (fmt, "eastwood_park")


def test_an_unknown_format_gets_the_form_again_with_400(client: FlaskClient, auth: Auth) -> None:
    auth.login("researcher")
    page = client.get("/research/export")
    reply = client.post(
        "/research/export", data={"csrf_token": csrf_token(page), "format": "spss7"}
    )
    body = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "Not a valid choice" in body


@pytest.mark.parametrize("fmt", sorted(NEW_FORMATS))
def test_the_export_command_writes_each_format(app: Flask, tmp_path: Path, fmt: str) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", T1)
    out = tmp_path / f"export{NEW_FORMATS[fmt][0]}"
    result = app.test_cli_runner().invoke(args=["export", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert NEW_FORMATS[fmt][1] in zipfile.ZipFile(out).namelist()
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "export"))
        assert event is not None and event.detail["format"] == fmt


def test_the_export_command_refuses_an_unknown_format(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "export.zip"
    result = app.test_cli_runner().invoke(args=["export", "--format", "spss7", "--out", str(out)])
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.output
    assert not out.exists()


@pytest.mark.parametrize("fmt", sorted(NEW_FORMATS))
def test_an_export_with_nothing_in_it_still_opens(app: Flask, tmp_path: Path, fmt: str) -> None:
    """Filters that leave no mother and no case (the staff questionnaire only): every file is
    written, with its header, and reads back."""
    factories.link_response(app, "prison_staff", {"contact_purpose": [2]})
    archive = export_zip(app, fmt, ExportFilters(versions=frozenset({"prison_staff:2"})))
    archive.extractall(tmp_path)
    if fmt == "dta":
        frame, _ = pyreadstat.read_dta(str(tmp_path / "mothers_linked.dta"))
        assert len(frame) == 0 and "participant_id" in frame.columns
        staff, _ = pyreadstat.read_dta(str(tmp_path / "prison_staff.dta"))
        assert staff.loc[0, "contact_purpose___2"] == 1
    elif fmt == "datapackage":
        report = validate(tmp_path / "datapackage.json")
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    else:
        lines = (tmp_path / "redcap_data.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("record_id,redcap_event_name,") and len(lines) == 1
