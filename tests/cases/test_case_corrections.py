"""Corrections as auditors expect them (REDCap's "reason for change" and data history): a
reason is required, kept with the revision and audited, and the form page shows what each
revision changed, who, when and why."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, CaseCorrection, CaseForm, CaseFormRevision
from tests import case_steps as steps
from tests import factories
from tests.flows import csrf_token, register


def _corrected_referral(app: Flask, client: FlaskClient) -> tuple[str, str]:
    """A sent referral with a correction in progress (referral source changed to a
    children's social worker); the form's URL and the correction's send URL."""
    factories.caseworker(app)
    steps.log_in(client)
    case_url = steps.referral(client, register(app))
    with app.app_context():
        form = db.session.scalar(select(CaseForm))
        assert form is not None
        form_url = f"{case_url}/forms/{form.id}"
    page = client.get(form_url)
    assert client.post(f"{form_url}/correct", data={"csrf_token": csrf_token(page)}).status_code
    reply = steps.post_page(
        client,
        f"{form_url}/correction/pages/0",
        {"start_date": "2022-01-10", "referral_source": "3"},
    )
    assert reply.status_code == 302
    return form_url, f"{form_url}/correction/send"


def test_a_correction_without_a_reason_is_refused_and_kept(app: Flask, client: FlaskClient) -> None:
    form_url, send_url = _corrected_referral(app, client)
    assert "Why is the form being corrected?" in client.get(send_url).get_data(as_text=True)
    for reason, message in (
        ("", "Please say why the form is being corrected."),
        ("   ", "Please say why the form is being corrected."),
        ("x" * 501, "The reason must be at most 500 characters."),
    ):
        reply = steps.send(client, send_url, reason=reason)
        assert reply.status_code == 422, reason
        assert message in reply.get_data(as_text=True)
    with app.app_context():
        form = db.session.scalar(select(CaseForm))
        correction = db.session.scalar(select(CaseCorrection))
        assert form is not None and form.revision == 1
        assert correction is not None and correction.answers["referral_source"] == 3


def test_a_corrections_reason_is_kept_audited_and_shown_with_its_changes(
    app: Flask, client: FlaskClient
) -> None:
    form_url, send_url = _corrected_referral(app, client)
    reply = steps.send(client, send_url, reason="The OMU told me she was referred by her CSW.")
    assert reply.status_code == 302
    with app.app_context():
        revision = db.session.scalar(select(CaseFormRevision).where(CaseFormRevision.revision == 2))
        assert revision is not None
        assert revision.reason == "The OMU told me she was referred by her CSW."
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.kind == "case.form_corrected")
        )
        assert event is not None and event.detail["revision"] == 2
        assert event.detail["reason"] == revision.reason
    page = client.get(form_url).get_data(as_text=True)
    history = page.split('id="revisions"')[1]
    assert "The OMU told me she was referred by her CSW." in history
    assert (
        "Who referred her?: <del>Self-referral</del> → <ins>Children&#39;s social worker</ins>"
        in history
    )
    assert history.count("<li>") == 1  # nothing else changed
    assert "first sent" in history and "caseworker@example.org" in history


def test_the_long_sheet_holds_each_forms_revision_and_its_reason(
    app: Flask, client: FlaskClient
) -> None:
    """Read back as an analyst reads it: the workbook (openpyxl) and the SPSS file."""
    import io
    import os
    import tempfile
    import zipfile

    import pyreadstat

    from survey_app.downloads.export_workbook import build_export
    from survey_app.export.filters import ExportFilters
    from survey_app.export.formats import FORMATS
    from tests import flows

    reason = "The OMU told me she was referred by her CSW."
    _, send_url = _corrected_referral(app, client)
    assert steps.send(client, send_url, reason=reason).status_code == 302
    [row] = flows.rows(flows.workbook(app), "Case forms (long)")
    assert (row["revision"], row["correction_reason"]) == (2, reason)
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="tester@example.org")
        out = io.BytesIO()
        FORMATS["sav"].write(built, out)
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(io.BytesIO(out.getvalue())).extract("case_forms_long.sav", tmp)
        frame, meta = pyreadstat.read_sav(os.path.join(tmp, "case_forms_long.sav"))
    assert frame["revision"].tolist() == [2] and frame["correction_reason"].tolist() == [reason]
    assert meta.column_names_to_labels["correction_reason"].startswith("Reason given")
