"""A study with a third wave (tests/fixtures/three_waves: T3 twelve months after T1, window
11 to 14 months, with its own mothers' questionnaire): follow-up statuses per wave on the
research pages, the export's columns, linkage values, codebook and About sheet, and a mother
answering T1, T2 and T3 on the kiosk."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey_app.downloads.export_workbook import build_export
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.extensions import db
from survey_app.services.followup import add_months
from tests import factories
from tests.flows import (
    PASSWORD,
    Auth,
    Clock,
    complete_wave,
    csrf_token,
    enter_id,
    list_rows,
    past_consent,
    past_notice,
    register,
    responses,
    submit_form,
    switch_wave,
    text_of,
    unlock,
)

D = dt.date
TODAY = D(2026, 3, 15)
T1 = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1, "css_trust": 4}


@pytest.fixture
def client(three_wave_app: Flask) -> FlaskClient:
    return three_wave_app.test_client()


@pytest.fixture
def auth(three_wave_app: Flask, client: FlaskClient) -> Auth:
    return Auth(three_wave_app, client)


def _done(app: Flask, pseudonym: str, wave: str, on: dt.date) -> None:
    factories.complete_response(app, pseudonym, wave, T1, on)


@pytest.fixture
def cohort(three_wave_app: Flask, clock: Clock) -> dict[str, str]:
    """Participants in different states at T2 and T3 on TODAY."""
    app = three_wave_app
    clock.set(TODAY)
    made = {name: register(app) for name in "abcdefg"}
    for name, t1_on, t2_on, t3_on in [
        ("a", D(2025, 4, 1), D(2025, 10, 1), None),  # T2 done; T3 window opened 1 March
        ("b", D(2025, 4, 1), None, None),  # T2 overdue; T3 due
        ("c", D(2024, 12, 1), D(2025, 6, 1), D(2025, 12, 1)),  # all done
        ("d", D(2025, 4, 20), D(2025, 10, 1), None),  # T3 opens on 20 March: soon
        ("e", D(2026, 1, 10), None, None),  # neither due yet
        ("g", D(2024, 12, 1), D(2025, 6, 1), None),  # T3 window closed on 1 February
    ]:
        for wave, on in (("T1", t1_on), ("T2", t2_on), ("T3", t3_on)):
            if on is not None:
                _done(app, made[name], wave, on)
    return made  # f: registered only


def test_the_list_shows_a_status_and_a_window_per_follow_up_wave(
    client: FlaskClient, auth: Auth, cohort: dict[str, str]
) -> None:
    auth.login("fieldworker")
    body = client.get("/research/participants").get_data(as_text=True)
    header = text_of(body.split("<thead>")[1].split("</thead>")[0])
    assert header == "ID Site Registered T1 date T2 T2 window T3 T3 window In progress"
    listed = {name: list_rows(body)[pseudonym] for name, pseudonym in cohort.items()}
    assert {row[-1] for row in listed.values()} == {"—"}  # no draft in this cohort
    rows = {name: row[2:-1] for name, row in listed.items()}
    assert rows == {
        "a": ["1 Apr 2025", "done", "—", "due from 1 Mar 2026", "1 Mar 2026 – 1 Jun 2026"],
        "b": [
            "1 Apr 2025",
            "overdue",
            "1 Sep 2025 – 1 Dec 2025",
            "due from 1 Mar 2026",
            "1 Mar 2026 – 1 Jun 2026",
        ],
        "c": ["1 Dec 2024", "done", "—", "done", "—"],
        "d": ["20 Apr 2025", "done", "—", "not yet due", "20 Mar 2026 – 20 Jun 2026"],
        "e": [
            "10 Jan 2026",
            "not yet due",
            "10 Jun 2026 – 10 Sep 2026",
            "not yet due",
            "10 Dec 2026 – 10 Mar 2027",
        ],
        "f": ["—", "no T1", "—", "no T1", "—"],
        "g": ["1 Dec 2024", "done", "—", "overdue", "1 Nov 2025 – 1 Feb 2026"],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=due", {"a", "b", "g"}),
        ("status=due&wave=T2", {"b"}),
        ("status=due&wave=T3", {"a", "b", "g"}),
        ("status=overdue", {"b", "g"}),
        ("status=overdue&wave=T3", {"g"}),
        ("status=soon", {"d"}),
        ("status=soon&wave=T2", set()),
        ("wave=T3", set("abcdefg")),
    ],
)
def test_the_due_lists_filter_by_status_at_any_or_one_follow_up_wave(
    client: FlaskClient, auth: Auth, cohort: dict[str, str], query: str, expected: set[str]
) -> None:
    auth.login("fieldworker")
    reply = client.get(f"/research/participants?{query}")
    assert reply.status_code == 200
    assert set(list_rows(reply.get_data(as_text=True))) == {cohort[n] for n in expected}


def test_a_wave_that_is_not_a_follow_up_is_refused(client: FlaskClient, auth: Auth) -> None:
    auth.login("fieldworker")
    for wave in ("T1", "T9"):
        reply = client.get(f"/research/participants?status=due&wave={wave}")
        assert reply.status_code == 400, wave
        assert "Please choose one of the waves listed." in reply.get_data(as_text=True)


def test_the_dashboard_counts_follow_ups_in_total_and_per_wave(
    client: FlaskClient, auth: Auth, cohort: dict[str, str]
) -> None:
    auth.login("researcher")
    body = client.get("/research/").get_data(as_text=True)
    assert "<h2>Follow-up (T2, T3)</h2>" in body
    # Participants with a follow-up in that state at any wave: a and b; d; b and g.
    assert '<span class="figure" id="due-now">2</span>' in body
    assert '<span class="figure" id="due-soon">1</span>' in body
    assert '<span class="figure" id="overdue">2</span>' in body
    table = body.split('id="due-by-wave"')[1].split("</table>")[0]
    by_wave = {
        wave: text_of(table.split(f'id="due-{wave.lower()}">')[1].split("</tr>")[0])
        for wave in ("T2", "T3")
    }
    assert by_wave == {
        # due now, soon, overdue, declined recontact (none in this study file's waves)
        "T2": "T2: Six months after the start of support 0 0 1 0",
        "T3": "T3: Twelve months after the start of support 2 1 1 0",
    }
    assert 'href="/research/participants?status=overdue&amp;wave=T3"' in table


def test_her_page_shows_her_status_at_each_follow_up_wave(
    client: FlaskClient, auth: Auth, cohort: dict[str, str]
) -> None:
    auth.login("fieldworker")
    body = client.get(f"/research/participants/{cohort['b']}").get_data(as_text=True)
    facts = text_of(body.split('<dl class="facts">')[1].split("</dl>")[0])
    assert "T2 overdue (window 1 Sep 2025 – 1 Dec 2025)" in facts
    assert "T3 due from 1 Mar 2026 (window 1 Mar 2026 – 1 Jun 2026)" in facts


# --- the export -----------------------------------------------------------------------------


def _workbook(app: Flask) -> openpyxl.Workbook:
    with app.app_context():
        built = build_export(db.session, ExportFilters(), made_by="tester@example.org")
        out = io.BytesIO()
        FORMATS["xlsx"].write(built, out)
    out.seek(0)
    return openpyxl.load_workbook(out)


def _sheet(book: openpyxl.Workbook, name: str) -> list[dict[str, Any]]:
    header, *values = book[name].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in values]


def test_the_linked_sheet_has_a_column_group_and_a_linkage_value_per_wave(
    three_wave_app: Flask,
) -> None:
    app = three_wave_app
    for pseudonym, waves in [
        ("TC-AAA-AAAA", ("T1", "T2", "T3")),
        ("TC-BBB-BBBB", ("T1", "T3")),
        ("TC-CCC-CCCC", ("T1",)),
        ("TC-DDD-DDDD", ("T2", "T3")),
    ]:
        for n, wave in enumerate(waves):
            _done(app, pseudonym, wave, add_months(D(2025, 1, 10), 6 * n))
    book = _workbook(app)
    linked = {r["participant_id"]: r for r in _sheet(book, "Mothers (linked)")}
    assert {p: r["linkage"] for p, r in linked.items()} == {
        "TC-AAA-AAAA": "t1+t2+t3",
        "TC-BBB-BBBB": "t1+t3",
        "TC-CCC-CCCC": "t1",
        "TC-DDD-DDDD": "t2+t3",
    }
    header = list(next(book["Mothers (linked)"].iter_rows(values_only=True)))
    assert header[:5] == ["participant_id", "site", "linkage", "t1_date", "t1_version"]
    last = {p: max(i for i, h in enumerate(header) if h.startswith(p)) for p in ("t1_", "t2_")}
    assert last["t1_"] < header.index("t2_date") < last["t2_"] < header.index("t3_date")
    assert linked["TC-BBB-BBBB"]["t3_css_trust"] == 4
    assert linked["TC-BBB-BBBB"]["t2_css_trust"] is None
    assert linked["TC-BBB-BBBB"]["t3_date"].date() == D(2025, 7, 10)
    codebook = list(book["Codebook"].iter_rows(values_only=True))
    assert codebook[1][1] == (
        "participant_id, site, linkage, t1_date, t1_version, t2_date, t2_version, t3_date, "
        "t3_version, wave, response_id, date, version, link_site, flags"
    )
    trust = {r[6]: r for r in codebook if r[0] == "css_trust"}
    assert set(trust) == {"T1", "T2", "T3"} and trust["T3"][2] == "mothers_t3"
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Linked sheet"] == (
        "one row per participant; T1 variables as t1_<variable>, T2 as t2_<variable>, "
        "T3 as t3_<variable>"
    )
    assert about["Linkage"] == (
        "the waves answered, their codes in lower case joined by +, e.g. t1 = T1 only; "
        "t1+t3 = T1 and T3; t1+t2+t3 = T1, T2 and T3"
    )
    long = _sheet(book, "Mothers (long)")
    assert [r["wave"] for r in long if r["participant_id"] == "TC-AAA-AAAA"] == ["T1", "T2", "T3"]


# --- the kiosk, end to end ------------------------------------------------------------------


def test_a_mother_answers_t1_t2_and_t3_on_the_kiosk_and_the_export_links_them(
    three_wave_app: Flask, client: FlaskClient, auth: Auth, clock: Clock
) -> None:
    app = three_wave_app
    pseudonym = register(app)
    clock.set(D(2026, 1, 12))
    unlock(auth, client, "T1")
    done = complete_wave(app, client, pseudonym, "mothers_t1", css_trust="4")
    assert done.headers["Location"] == "/kiosk/thanks"

    clock.advance(months=6)  # 12 July 2026: T2 is due
    switch_wave(client, "T2")
    done = complete_wave(app, client, pseudonym, "mothers_t2", css_trust="3")
    assert done.headers["Location"] == "/kiosk/thanks"

    clock.advance(months=6)  # 12 January 2027: T3 is due
    client.get("/kiosk/exit")
    submit_form(client, "/kiosk/exit", {"password": PASSWORD})
    setup = client.get("/kiosk/").get_data(as_text=True)
    assert '<option value="T3">T3: Twelve months after the start of support</option>' in setup
    assert submit_form(client, "/kiosk/", {"site": "send", "wave": "T3"}).status_code == 302
    assert "(T3)" in client.get("/kiosk/start").get_data(as_text=True)
    done = complete_wave(app, client, pseudonym, "mothers_t3", css_trust="2")
    assert done.headers["Location"] == "/kiosk/thanks"
    stored = responses(app)
    assert sorted((r.completed_on, r.flags) for r in stored) == [
        (D(2026, 1, 12), {}),
        (D(2026, 7, 12), {}),
        (D(2027, 1, 12), {}),
    ]
    # A second T3 is refused, as a second T1 is.
    again = enter_id(client, pseudonym)
    assert again.status_code == 422 and "T3 for this ID was already completed" in again.text

    researcher = app.test_client()
    Auth(app, researcher).login("researcher")
    row = list_rows(researcher.get("/research/participants").get_data(as_text=True))[pseudonym]
    assert row[2:] == ["12 Jan 2026", "done", "—", "done", "—", "—"]
    page = researcher.get("/research/export")
    reply = researcher.post(
        "/research/export", data={"csrf_token": csrf_token(page), "format": "xlsx", "site": ""}
    )
    assert reply.status_code == 200
    data = reply.data
    reply.close()
    book = openpyxl.load_workbook(io.BytesIO(data))
    [linked] = _sheet(book, "Mothers (linked)")
    assert linked["participant_id"] == pseudonym and linked["linkage"] == "t1+t2+t3"
    assert [linked[f"t{n}_css_trust"] for n in (1, 2, 3)] == [4, 3, 2]
    assert [linked[f"t{n}_date"].date() for n in (1, 2, 3)] == [
        D(2026, 1, 12),
        D(2026, 7, 12),
        D(2027, 1, 12),
    ]
    assert linked["t3_version"] == 1
    waves = [(r["wave"], r["css_trust"]) for r in _sheet(book, "Mothers (long)")]
    assert waves == [("T1", 4), ("T2", 3), ("T3", 2)]
    assert {r["wave"] for r in _sheet(book, "WAI scores")} == {"T1", "T2", "T3"}


@pytest.mark.parametrize(
    ("earlier", "missing", "flags"),
    [
        (["T1"], "T2", {"t3_without_t2": True}),
        ([], "T1 or T2", {"t3_without_t1": True, "t3_without_t2": True}),
    ],
)
def test_t3_with_an_earlier_wave_missing_names_every_missing_wave(
    three_wave_app: Flask,
    client: FlaskClient,
    auth: Auth,
    earlier: list[str],
    missing: str,
    flags: dict[str, bool],
) -> None:
    app = three_wave_app
    pseudonym = register(app)
    for wave in earlier:
        _done(app, pseudonym, wave, D(2025, 1, 10))
    unlock(auth, client, "T3")
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/notice"
    notice = client.get("/kiosk/notice").get_data(as_text=True)
    assert f"This ID has no completed {missing}. You can go on" in notice
    past_notice(client)
    past_consent(app, client, "mothers_t3")  # her draft is stored once she agrees
    [draft] = [r for r in responses(app) if r.status == "in_progress"]
    # (T1 long before today: the window flag is tested in test_followup_window.py)
    assert {
        k: v for k, v in draft.flags.items() if not k.endswith("_outside_window") and k != "draft"
    } == flags
