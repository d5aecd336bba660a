"""The participant flow: a small study made by hand, its counts stated here, on the Report
page (table and SVG diagram), in the workbook's Report sheet, and in publication mode through
the disclosure control (every hidden count protected by the release's audit)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from flask import Flask
from sqlalchemy import select

from survey_app.export.filters import ExportFilters
from survey_app.extensions import db
from survey_app.models import Participant, Site, Wave
from survey_app.report.flow_diagram import diagram
from survey_app.services import declines
from survey_app.services import participants as participant_ops
from survey_app.services.recontact import restore
from tests import factories
from tests.flows import Auth, Clock, csrf_token
from tests.report_steps import cells, report_of, table

D = dt.date.fromisoformat
T1 = D("2025-06-01")  # T2's window: 2025-11-01 to 2026-02-01; the clock says 2026-03-15
YES, NO = {"consent_recontact": 1}, {"consent_recontact": 0}


def _decline(app: Flask, site: str, wave: str, pseudonym: str | None = None) -> None:
    with app.app_context():
        site_row = db.session.scalar(select(Site).where(Site.code == site))
        wave_row = db.session.scalar(select(Wave).where(Wave.code == wave))
        who = (
            db.session.scalar(select(Participant).where(Participant.pseudonym == pseudonym))
            if pseudonym
            else None
        )
        assert site_row is not None and wave_row is not None
        declines.at_kiosk(db.session, site=site_row, wave=wave_row, participant=who, draft=None)
        db.session.commit()


def _withdraw(app: Flask, pseudonym: str, mode: str) -> None:
    with app.app_context():
        who = db.session.scalar(select(Participant).where(Participant.pseudonym == pseudonym))
        assert who is not None
        participant_ops.withdraw(db.session, who, mode, "She asked to leave.", None)
        db.session.commit()


def small_study(app: Flask) -> dict[str, str]:
    """At Send: A (T2 in its window), B (T2 outside it), C (said no to being asked again),
    D (T1 left unfinished), F (withdrawn after T1, answers kept), one decline at T1. At
    Eastwood Park: G (declined at T2), H (due, not seen), I (T1 in January: not yet due),
    J (withdrawn, answers deleted), two declines at T1."""
    ids: dict[str, str] = {}
    for name in "ABCDF":
        [ids[name]] = factories.participants(app, 1, "send")
    for name in "GHIJ":
        [ids[name]] = factories.participants(app, 1, "eastwood_park")
    for name in "ABFGH":
        site = "send" if name in "ABF" else "eastwood_park"
        factories.complete_response(app, ids[name], "T1", YES, T1, site=site)
    factories.complete_response(app, ids["C"], "T1", NO, T1)
    factories.complete_response(app, ids["I"], "T1", YES, D("2026-01-10"), site="eastwood_park")
    factories.complete_response(app, ids["J"], "T1", YES, T1, site="eastwood_park")
    factories.draft_response(app, ids["D"], "T1", 2, 7, T1)
    factories.complete_response(app, ids["A"], "T2", {}, D("2025-12-01"))
    factories.complete_response(app, ids["B"], "T2", {}, D("2026-03-01"))
    _withdraw(app, ids["F"], participant_ops.WITHDRAW_KEEP)
    _withdraw(app, ids["J"], participant_ops.WITHDRAW_DELETE)
    _decline(app, "send", "T1")
    _decline(app, "eastwood_park", "T1")
    _decline(app, "eastwood_park", "T1")
    _decline(app, "eastwood_park", "T2", ids["G"])
    return ids


EXPECTED = [
    ("Approached at T1 (declined + consented)", (6, 6, 12)),
    ("Declined at T1", (1, 2, 3)),
    ("Consented (T1 started)", (5, 4, 9)),
    ("T1 not completed (left unfinished, or withdrawn with her answers deleted)", (1, 1, 2)),
    ("T1 complete", (4, 3, 7)),
    ("Six months after the start of support (T2)", ()),
    ("Withdrawn before T2", (1, 0, 1)),
    ("Declined to be asked again (at T1)", (1, 0, 1)),
    ("T2 not yet due", (0, 1, 1)),
    ("T2 due", (2, 2, 4)),
    ("Declined at T2", (0, 1, 1)),
    ("Not seen at T2", (0, 1, 1)),
    ("T2 complete in its window", (1, 0, 1)),
    ("T2 complete outside its window", (1, 0, 1)),
]


def test_flow_counts_each_stage_by_site_and_in_total(app: Flask, clock: Clock) -> None:
    small_study(app)
    flow = table(report_of(app), "flow")
    assert flow.columns == ("Stage", "HMP Send", "HMP Eastwood Park", "Total")
    assert cells(flow) == EXPECTED


def test_a_mother_who_asked_to_take_part_again_falls_due(app: Flask, clock: Clock) -> None:
    ids = small_study(app)
    with app.app_context():
        who = db.session.scalar(select(Participant).where(Participant.pseudonym == ids["C"]))
        assert who is not None
        restore(db.session, who, "She asked her caseworker.", None)
        db.session.commit()
    rows = dict(cells(table(report_of(app), "flow")))
    assert rows["Declined to be asked again (at T1)"] == (0, 0, 0)
    assert rows["T2 due"] == (3, 2, 5)
    assert rows["Not seen at T2"] == (1, 1, 2)


def test_the_site_filter_keeps_that_site_only(app: Flask, clock: Clock) -> None:
    small_study(app)
    flow = table(report_of(app, ExportFilters(site="send")), "flow")
    assert flow.columns == ("Stage", "HMP Send", "Total")
    assert [r for r in cells(flow) if r[1]] == [(label, (n[0], n[0])) for label, n in EXPECTED if n]


def test_the_report_page_draws_the_flow_as_accessible_svg(
    app: Flask, auth: Auth, clock: Clock
) -> None:
    small_study(app)
    auth.login("researcher")
    html = auth.client.get("/research/report").get_data(as_text=True)
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram"')
    svg = html[start : html.index("</svg>", start)]
    assert 'role="img"' in svg and 'aria-labelledby="flow-title flow-desc"' in svg
    assert '<title id="flow-title">Participant flow' in svg
    assert "Approached at T1 (declined + consented): 12;" in svg  # the description
    assert ">T2 complete outside its window: 1</text>" in svg
    assert ">HMP Send 6, HMP Eastwood Park 6</text>" in svg
    assert 'font-family="system-ui' in svg and "@import" not in svg and "url(http" not in svg
    assert 'id="table-flow"' in html


def test_the_workbook_report_sheet_holds_the_flow(app: Flask, auth: Auth, clock: Clock) -> None:
    small_study(app)
    auth.login("researcher")
    page = auth.client.get("/research/report")
    reply = auth.client.post("/research/report/download", data={"csrf_token": csrf_token(page)})
    body = reply.data
    reply.close()
    assert reply.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(body))["Report"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("Participant flow"))
    assert rows[start + 1][:4] == ("Stage", "HMP Send", "HMP Eastwood Park", "Total")
    assert rows[start + 2][:4] == ("Approached at T1 (declined + consented)", 6, 6, 12)
    assert rows[start + 15][:4] == ("T2 complete outside its window", 1, 0, 1)


def test_publication_hides_small_counts_and_the_totals_do_not_undo_it(
    app: Flask, clock: Clock
) -> None:
    small_study(app)
    report = report_of(app, ExportFilters(publication=True, threshold=5))
    flow = table(report, "flow")
    shown = [c for _label, row in cells(flow) for c in row]
    # Every count here but the zeros and the 6s, 7, 9 and 12 is under 5: none is shown.
    assert not [c for c in shown if isinstance(c, int) and 0 < c < 5]
    assert "[c]" in shown
    assert report.release is not None
    audited = [entry for entry in report.release.report() if entry[0] == "Participant flow"]
    assert audited and all(ok for *_where, ok in audited)
    assert "Participant flow" not in report.release.failed_grids


def test_a_third_wave_has_its_own_boxes_from_the_same_t1_completers(
    three_wave_app: Flask, clock: Clock
) -> None:
    """A answered T2 in its window and not T3; B skipped T2 and answered T3 in its window
    (T1 on 1 December 2024: T3's window is 1 November 2025 to 1 February 2026)."""
    app = three_wave_app
    start = D("2024-12-01")
    [a, b] = factories.participants(app, 2, "send")
    for pseudonym in (a, b):
        factories.complete_response(app, pseudonym, "T1", YES, start)
    factories.complete_response(app, a, "T2", {}, D("2025-06-01"))
    factories.complete_response(app, b, "T3", {}, D("2025-12-01"))
    flow = table(report_of(app), "flow")
    rows = cells(flow)
    assert flow.columns == ("Stage", "HMP Send", "Total")
    assert rows[4] == ("T1 complete", (2, 2))
    t3 = rows[rows.index(("Twelve months after the start of support (T3)", ())) + 1 :]
    assert t3 == [
        ("Withdrawn before T3", (0, 0)),
        ("Declined to be asked again (at T1)", (0, 0)),
        ("T3 not yet due", (0, 0)),
        ("T3 due", (2, 2)),
        ("Declined at T3", (0, 0)),
        ("Not seen at T3", (1, 1)),
        ("T3 complete in its window", (1, 1)),
        ("T3 complete outside its window", (0, 0)),
    ]
    assert dict(rows)["Not seen at T2"] == (1, 1)
    drawn = str(diagram(flow))
    assert ">T3 due: 2</text>" in drawn and ">T2 due: 2</text>" in drawn
