"""What the API's endpoints read: the same figures as the pages and files they stand beside
(wave statuses, a caseworker's own prisons, the codebook, every export format, the report's
tables through the disclosure control), each call audited and limited per token."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.export.codebook import CODEBOOK_HEADER
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.extensions import db
from survey_app.models import AuditEvent, Response, Wave
from survey_app.report.tables import build_report
from survey_app.services.followup import Window, add_months
from tests import factories, flows
from tests.case_data import add_case, twelve_cases
from tests.flows import Clock

Call = Callable[..., Any]


def caller(app: Flask, role: str, **kw: Any) -> tuple[Call, int]:
    """A GET with a new token of a new account of ``role``; the account's id."""
    owner = (
        factories.caseworker(app, **kw)
        if role == "caseworker"
        else factories.user(app, role, f"{role}-{kw.get('n', 0)}@example.org")
    )
    token = factories.api_token(app, owner.id)
    client = app.test_client()

    def get(url: str, **query: Any) -> Any:
        return client.get(url, query_string=query, headers={"Authorization": f"Bearer {token}"})

    return get, owner.id


def _t2_window(app: Flask) -> Window:
    with app.app_context():
        wave = db.session.scalar(select(Wave).where(Wave.code == "T2"))
        assert wave is not None
        return Window.of(wave)


def test_participants_carry_their_status_at_each_follow_up_and_the_due_list_filters_them(
    app: Flask, clock: Clock
) -> None:
    window = _t2_window(app)
    due_one, later_one, new_one = factories.participants(app, 3)
    done = clock.day - dt.timedelta(days=31 * window.start_months + 5)
    factories.complete_response(app, due_one, "T1", {"consent_take_part": 1}, done)
    factories.complete_response(app, later_one, "T1", {"consent_take_part": 1}, clock.day)
    get, _ = caller(app, "fieldworker")
    rows = {r["id"]: r for r in get("/api/v1/participants").get_json()["data"]}
    [t2] = rows[due_one]["followups"]
    assert t2["wave"] == "T2"
    assert t2["status"] == "due"
    assert t2["due_from"] == add_months(done, window.start_months).isoformat()
    assert rows[due_one]["baseline_completed_on"] == done.isoformat()
    assert rows[later_one]["followups"][0]["status"] == "not_yet_due"
    assert rows[new_one]["followups"][0]["status"] == "no_baseline"
    assert "answers" not in str(rows)  # a fieldworker reads IDs and dates only
    due = get("/api/v1/participants", status="due", wave="T2").get_json()["data"]
    assert [r["id"] for r in due] == [due_one]
    counts = get("/api/v1/due").get_json()["data"]
    assert counts["total"]["due_now"] == 1
    assert counts["by_wave"][0]["wave"] == "T2"
    one = get(f"/api/v1/participants/{due_one.lower().replace('-', '')}").get_json()["data"]
    assert one == rows[due_one]
    assert get("/api/v1/participants/TC-AAA-AAAA").status_code == 404


def test_responses_are_the_complete_live_ones_with_their_answers(app: Flask) -> None:
    first, second, third = factories.participants(app, 3)
    kept = factories.complete_response(app, first, "T1", {"consent_take_part": 1, "age_band": 3})
    voided = factories.complete_response(app, second, "T1", {"consent_take_part": 1})
    factories.draft_response(app, third, "T1", 2, 7, dt.date(2026, 1, 5))
    with app.app_context():
        row = db.session.get(Response, voided)
        assert row is not None
        row.voided_at = dt.datetime(2026, 1, 20)
        db.session.commit()
    get, _ = caller(app, "researcher")
    [only] = get("/api/v1/responses").get_json()["data"]
    assert only["id"] == kept
    assert only["participant"] == first
    assert only["answers"] == {"consent_take_part": 1, "age_band": 3}
    assert (only["instrument"], only["wave"], only["channel"], only["site"]) == (
        "mothers_t1", "T1", "kiosk", "send",
    )  # fmt: skip
    assert get("/api/v1/responses", wave="T2").get_json()["data"] == []


def test_a_caseworker_reads_her_prisons_cases_only_and_each_form_read_is_audited(
    app: Flask,
) -> None:
    mine = add_case(app, "send", [("referral", "2022-01-10", {"needs": [1, 2]})])
    theirs = add_case(app, "eastwood_park", [("referral", "2022-02-10", {"needs": [3]})])
    get, user_id = caller(app, "caseworker", sites=("send",))
    listed = get("/api/v1/cases").get_json()["data"]
    assert [c["participant"] for c in listed] == [mine]
    assert "answers" not in listed[0]["forms"][0]
    assert get("/api/v1/cases", site="eastwood_park").status_code == 403
    researcher_get, _ = caller(app, "researcher")
    every = {c["participant"]: c["id"] for c in researcher_get("/api/v1/cases").get_json()["data"]}
    assert set(every) == {mine, theirs}
    assert get(f"/api/v1/cases/{every[theirs]}").status_code == 403
    case = get(f"/api/v1/cases/{every[mine]}").get_json()["data"]
    [referral] = case["forms"]
    assert referral["answers"]["needs"] == [1, 2]
    with app.app_context():
        read = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "case_form.viewed")
        ).all()
        assert [(e.actor_id, e.target) for e in read] == [(user_id, f"case_form:{referral['id']}")]


def test_the_codebook_has_the_export_s_columns_and_every_variable(app: Flask) -> None:
    get, _ = caller(app, "researcher")
    rows = get("/api/v1/codebook").get_json()["data"]
    assert all(set(r) == set(CODEBOOK_HEADER) for r in rows)
    sheet = flows.rows(flows.workbook(app), "Codebook")
    # Blank cells of the sheet are empty strings in JSON.
    assert [{k: v or "" for k, v in r.items()} for r in sheet] == [
        {k: v or "" for k, v in r.items()} for r in rows
    ]
    assert "consent_take_part" in {r["variable"] for r in rows}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_export_format_downloads_as_the_export_page_makes_it_and_is_audited(
    app: Flask, fmt: str
) -> None:
    [pseudonym] = factories.participants(app, 1)
    factories.complete_response(app, pseudonym, "T1", {"consent_take_part": 1})
    get, user_id = caller(app, "researcher")
    reply = get(f"/api/v1/exports/{fmt}", site="send")
    body = reply.get_data()
    reply.close()
    assert reply.status_code == 200
    assert reply.mimetype == FORMATS[fmt].mimetype
    disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and FORMATS[fmt].suffix in disposition
    if fmt in ("csv", "sav", "xlsx"):
        assert zipfile.ZipFile(io.BytesIO(body)).namelist()  # xlsx is a zip too
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")).all()
        assert (event.actor_id, event.target) == (user_id, fmt)
        assert event.detail["site"] == "send" and event.detail["through"] == "api"


def _cells(tables: list[dict[str, Any]]) -> list[Any]:
    return [c for t in tables for r in t["rows"] for c in r["cells"]]


def test_the_report_is_a_publication_release_by_default_as_the_page_builds_it(app: Flask) -> None:
    twelve_cases(app)
    get, _ = caller(app, "researcher")
    published = get("/api/v1/report").get_json()["data"]
    with app.app_context():
        page = build_report(db.session, ExportFilters(publication=True, threshold=5))
    assert [t["key"] for t in published["tables"]] == [t.key for t in page.tables]
    assert _cells(published["tables"]) == [c for t in page.tables for r in t.rows for c in r.cells]
    assert "[c]" in _cells(published["tables"])
    plain = get("/api/v1/report", publication="0").get_json()["data"]
    assert "[c]" not in _cells(plain["tables"])
    refused = get("/api/v1/report", **{"from": "2021-05-01"})
    assert refused.status_code == 409
    assert "whole study period" in refused.get_json()["error"]["message"]


def test_every_call_is_audited_refused_ones_too_without_the_token(app: Flask) -> None:
    get, user_id = caller(app, "fieldworker")
    assert get("/api/v1/due").status_code == 200
    assert get("/api/v1/responses").status_code == 403
    assert get("/api/v1/participants", limit="x").status_code == 400
    stranger = app.test_client().get(
        "/api/v1/due", headers={"Authorization": "Bearer sat_not-a-token"}
    )
    assert stranger.status_code == 401
    with app.app_context():
        calls = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "api.call").order_by(AuditEvent.id)
        ).all()
        seen = [(e.actor_id, e.target, e.detail["status"]) for e in calls]
        assert seen == [
            (user_id, "/api/v1/due", 200),
            (user_id, "/api/v1/responses", 403),
            (user_id, "/api/v1/participants", 400),
            (None, "/api/v1/due", 401),
        ]
        assert not any("sat_" in str(e.detail) for e in calls)


def test_calls_are_limited_per_token(make_app: Callable[..., Flask]) -> None:
    limited = make_app(API_RATE_LIMIT="3 per minute")
    first, _ = caller(limited, "researcher")
    second, _ = caller(limited, "fieldworker", n=1)
    assert [first("/api/v1/due").status_code for _ in range(3)] == [200, 200, 200]
    refused = first("/api/v1/due")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["status"] == 429
    assert second("/api/v1/due").status_code == 200  # another token has its own count


def test_a_client_s_cookie_is_neither_read_nor_set(app: Flask, client: FlaskClient) -> None:
    get, _ = caller(app, "researcher")
    client.set_cookie("session", "forged-or-stale")
    owner = factories.user(app, "admin")
    token = factories.api_token(app, owner.id)
    reply = client.get("/api/v1/due", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200
    assert "Set-Cookie" not in reply.headers
    assert "Cookie" not in reply.headers.get("Vary", "")
