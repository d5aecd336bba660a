"""Publication releases attacked as an outside reader would: the shown cells read back, the
relations a reader knows written here (rows and columns add up to their totals, the same
count in two tables, a whole study and its periods, what a mark says), and an LP of the test's own (scipy's
linprog, not the module's audit) giving the least and greatest value of every hidden cell.
A release passes when no hidden cell is pinned and every hidden count under 5 could be 0 or 5."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from flask import Flask
from scipy.optimize import linprog

from survey_app.export.filters import ExportFilters
from survey_app.extensions import db
from survey_app.report import grid
from survey_app.report.model import Report, ReportTable
from survey_app.report.tables import build_report
from tests import case_data, factories
from tests.flows import Auth

CONSENT = {"consent_info_sheet": 1, "consent_take_part": 1}
T = 5
Where = tuple[str, int, int]  # table, row, column


class Attacker:
    """Known cells, unknown cells and linear relations sum(parts) == total."""

    def __init__(self) -> None:
        self.known: dict[Where, float] = {}
        self.unknown: list[Where] = []
        self.relations: list[tuple[list[Where], Where]] = []
        self.marks: dict[Where, str] = {}

    def read(self, name: str, cells: Sequence[Sequence[Any]]) -> None:
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                if isinstance(cell, str):  # any mark: "[c]" or the old "<5"
                    self.unknown.append((name, r, c))
                    self.marks[(name, r, c)] = cell
                elif isinstance(cell, int):
                    self.known[(name, r, c)] = cell

    def crosstab(self, name: str, cells: Sequence[Sequence[Any]]) -> None:
        """Every row adds up to its last cell, every column to its last row."""
        self.read(name, cells)
        rows, cols = len(cells), len(cells[0])
        for r in range(rows):
            self.relations.append(([(name, r, c) for c in range(cols - 1)], (name, r, cols - 1)))
        for c in range(cols):
            self.relations.append(([(name, r, c) for r in range(rows - 1)], (name, rows - 1, c)))

    def same(self, a: Where, b: Where) -> None:
        self.relations.append(([a], b))

    def intervals(self) -> dict[Where, tuple[float, float]]:
        index = {w: i for i, w in enumerate(self.unknown)}
        a_eq, b_eq = [], []
        for parts, total in self.relations:
            row, rhs = np.zeros(len(index)), 0.0
            for w, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
                if w in index:
                    row[index[w]] += sign
                elif w in self.known:
                    rhs -= sign * self.known[w]
                else:
                    break
            else:
                if row.any():
                    a_eq.append(row)
                    b_eq.append(rhs)
        # What the marks say: "<5" a count from 1 to 4; beside it, "[c]" one of 5 or more.
        small = any(m.startswith("<") for m in self.marks.values())
        bounds_of = [
            (1, T - 1) if self.marks[w].startswith("<") else (T, None) if small else (0, None)
            for w in index
        ]
        out = {}
        for w, i in index.items():
            bounds = []
            for sign in (1.0, -1.0):
                c = np.zeros(len(index))
                c[i] = sign
                res = linprog(
                    c,
                    A_eq=np.array(a_eq) if a_eq else None,
                    b_eq=np.array(b_eq) if b_eq else None,
                    bounds=bounds_of,
                )
                bounds.append(np.inf if res.status == 3 else sign * res.fun)
            out[w] = (round(bounds[0], 6), round(bounds[1], 6))
        return out


def broken(attacker: Attacker, truth: dict[Where, int]) -> list[tuple[Where, int, Any]]:
    """Hidden cells the attacker pins, or (under 5) tells from 0 or from 5."""
    bad = []
    for w, (low, high) in attacker.intervals().items():
        n = truth[w]
        if low == high or (n < T and (low > 0 or high < T)):
            bad.append((w, n, (low, high)))
    return bad


def protected_grid(body: list[list[int]]) -> tuple[list[list[Any]], list[list[int]]]:
    shown, full, _hidden = grid.CrossTab(body, T).rendered()
    return shown, full


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([[4, 4], [6, 7]], id="two small counts summing to 8"),
        pytest.param([[1, 1, 1, 1, 5], [9, 9, 9, 9, 9]], id="a total of 9"),
        pytest.param([[1, 5], [9, 9]], id="small | secondary | 6"),
        pytest.param([[2, 0, 2], [8, 9, 10]], id="a zero completing a line"),
        pytest.param([[3, 2], [10, 16]], id="one small count"),
    ],
)
def test_a_table_with_totals_gives_no_hidden_count_away(body: list[list[int]]) -> None:
    shown, full = protected_grid(body)
    attacker = Attacker()
    attacker.crosstab("t", shown)
    truth = {("t", r, c): n for r, row in enumerate(full) for c, n in enumerate(row)}
    assert attacker.unknown
    assert broken(attacker, truth) == []


def test_one_mark_for_every_hidden_cell() -> None:
    shown, _full = protected_grid([[1, 5], [9, 9]])
    assert {c for row in shown for c in row if isinstance(c, str)} == {"[c]"}


def _cells(t: ReportTable) -> list[list[Any]]:
    return [list(r.cells) for r in t.rows if r.kind != "heading"]


def _truth(name: str, plain: ReportTable) -> dict[Where, int]:
    return {(name, r, c): n for r, row in enumerate(_cells(plain)) for c, n in enumerate(row)}


def _table(report: Report, key: str) -> ReportTable:
    return next(t for t in report.tables if t.key == key)


def _report(app: Flask, publication: bool, **kw: Any) -> Report:
    with app.app_context():
        return build_report(db.session, ExportFilters(publication=publication), **kw)


# (prison code, role code) -> staff; Send has 1 manager, 3 frontline.
STAFF = {(1, 1): 1, (1, 2): 3, (2, 1): 5, (2, 2): 7}


def add_staff(app: Flask, dates: Sequence[dt.date] = (dt.date(2022, 1, 10),)) -> None:
    for i, ((prison, role), n) in enumerate(STAFF.items()):
        for j in range(n):
            factories.link_response(
                app,
                "prison_staff",
                {**CONSENT, "prison": prison, "role_level": role, "acct_involvement": 1 + j % 2},
                site=None,
                completed_on=dates[(i + j) % len(dates)],
            )


def test_table_11_does_not_undo_table_8(app: Flask) -> None:
    add_staff(app)
    shown, plain = _report(app, True), _report(app, False)
    attacker = Attacker()
    t8, t11 = _table(shown, "8"), _table(shown, "11")
    attacker.crosstab("8", _cells(t8))
    attacker.crosstab("11", _cells(t11))
    truth = _truth("8", _table(plain, "8")) | _truth("11", _table(plain, "11"))
    # Table 11's rows: each role at each prison, in Table 8's order; a row's total is the
    # count of Table 8.
    roles, prisons = len(_cells(t8)) - 1, len(_cells(t8)[0]) - 1
    for r in range(roles):
        for p in range(prisons):
            attacker.same(("11", r * prisons + p, len(_cells(t11)[0]) - 1), ("8", r, p))
    assert attacker.unknown
    assert broken(attacker, truth) == []


def test_the_whole_study_minus_year_1_gives_nothing_back(app: Flask) -> None:
    add_staff(app, (dt.date(2022, 1, 10), dt.date(2022, 8, 10)))
    shown = _report(app, True, by_period=True)
    plain = _report(app, False, by_period=True)
    attacker, truth = Attacker(), {}
    keys = ["8", "8-year-1", "8-year-2"]
    for key in keys:
        attacker.crosstab(key, _cells(_table(shown, key)))
        truth |= _truth(key, _table(plain, key))
    whole = _cells(_table(shown, "8"))
    for r, row in enumerate(whole):
        for c in range(len(row)):
            attacker.relations.append(([("8-year-1", r, c), ("8-year-2", r, c)], ("8", r, c)))
    assert attacker.unknown
    assert broken(attacker, truth) == []


def test_report_audit_prints_each_hidden_cell_with_its_interval_not_its_value(
    app: Flask,
) -> None:
    add_staff(app)
    result = app.test_cli_runner().invoke(args=["report", "audit"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    send_manager = next(line for line in lines if line.startswith("Table 8: Management"))
    assert send_manager.endswith("]") and "[0, " in send_manager  # the reader's interval
    assert "NOT PROTECTED" not in result.output
    assert "cells hidden in" in lines[-1]


def test_tables_2_and_3_do_not_undo_table_1(app: Flask) -> None:
    case_data.twelve_cases(app)  # 12 cases: 6 started in Year 1, 5 in Year 2, 1 after
    shown, plain = _report(app, True), _report(app, False)
    attacker, truth = Attacker(), {}
    # Count columns only (Table 2's 2 and 6 are percentages); Table 1 and Supplementary
    # table E count cases once in their totals, so only their first columns add up.
    counted = {"1": (), "case-forms": (0, 1), "2": (0, 1, 3, 4, 5), "3": range(6)}
    for key, columns in counted.items():
        cells = _cells(_table(shown, key))
        attacker.read(key, cells)
        truth |= _truth(key, _table(plain, key))
        for c in columns:
            attacker.relations.append(
                ([(key, r, c) for r in range(len(cells) - 1)], (key, len(cells) - 1, c))
            )
    for r, row in enumerate(_cells(_table(shown, "1"))):  # periods add up to the total
        last = len(row) - 1
        attacker.relations.append(([("1", r, c) for c in range(last)], ("1", r, last)))
    # A period's new cases: Table 1's first row, E's referrals in it, Table 2's or 3's total.
    attacker.same(("case-forms", 0, 1), ("2", len(_cells(_table(shown, "2"))) - 1, 0))
    attacker.same(("case-forms", 1, 1), ("3", len(_cells(_table(shown, "3"))) - 1, 0))
    attacker.same(("1", 0, 0), ("case-forms", 0, 1))
    attacker.same(("1", 0, 1), ("case-forms", 1, 1))
    assert attacker.unknown
    assert broken(attacker, truth) == []


def test_figure_6_is_pooled_across_prisons_in_a_publication_release(app: Flask) -> None:
    case_data.twelve_cases(app)
    plain = _table(_report(app, False), "fig-6")
    pooled = _table(_report(app, True), "fig-6")
    assert plain.columns[1:3] == ("HMP Send n", "HMP Send %")
    assert pooled.columns == ("", "Total n", "Total %")
    assert [r.label for r in pooled.rows] == [r.label for r in plain.rows]
    assert pooled.rows[-1].cells == (12, 100)
    assert pooled.chart is not None and [s.name for s in pooled.chart.series] == ["All sites"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("site=send", "Figure 6 is published for all sites together only"),
        ("date_from=2021-04-01&date_to=2022-06-29", "dates must be one whole study period"),
        ("versions=prison_staff:1", "choose no questionnaire version"),
    ],
)
def test_a_publication_release_refuses_filters_that_could_be_subtracted(
    app: Flask, auth: Auth, query: str, words: str
) -> None:
    case_data.twelve_cases(app)
    auth.login("researcher")
    page = auth.client.get(f"/research/report?publication=y&{query}")
    assert page.status_code == 409
    assert words in page.get_data(as_text=True)
    # A whole period and no site is a release.
    whole = auth.client.get(
        "/research/report?publication=y&date_from=2021-04-01&date_to=2022-06-30"
    )
    assert whole.status_code == 200


def test_the_report_download_refuses_a_release_that_fails_its_audit(
    app: Flask, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey_app.disclosure.release import Release
    from tests.flows import csrf_token

    add_staff(app)
    auth.login("researcher")
    page = auth.client.get("/research/report")
    # As if the audit could not protect Table 8 (the greedy search hides grids throughout
    # before that, so real data rarely gets here).
    monkeypatch.setattr(Release, "failed_grids", property(lambda self: ["Table 8"]))
    reply = auth.client.post(
        "/research/report/download", data={"csrf_token": csrf_token(page), "publication": "y"}
    )
    assert reply.status_code == 409
    assert "could not protect Table 8" in reply.get_data(as_text=True)
    plain = auth.client.post("/research/report/download", data={"csrf_token": csrf_token(page)})
    assert plain.status_code == 200  # not a publication release: no audit to fail
    plain.close()
