"""Tables 1 to 7 of the report, from the case tracker (CASE_TRACKER.md, "What the report
computes from them"): forms and cases per study period, the progression of each period's
cases, cases by study quarter of their start date, and needs, outcomes and barriers by prison.

A case's state at a date replays its forms dated on or before it, in the order they were
sent, as the case page does: a referral opens it, a closure closes it, a re-opening opens it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ...export.cases import CaseRecord
from ...study import Period
from ..data import ReportData, period_of
from ..grid import CrossTab, crosstab_rows, hide, pct, shown
from ..model import Cell, ReportTable, Row
from ..questionnaires.link_tables import OUTSIDE_PERIODS

PRE_Y1 = "Pre-Y1"
# The multiple-choice variables of Tables 5 to 7, their options' labels word for word.
CHOICE_TABLES = (
    ("5", "Table 5: Self-identified needs of mothers", "needs", False),
    ("6", "Table 6: Outcomes of closed cases", "outcomes", True),
    ("7", "Table 7: Barriers identified by TaC social workers on closed cases", "barriers", True),
)


def start_of(case: CaseRecord) -> dt.date | None:
    referral = case.referral
    return referral.date if referral else None


def open_at(case: CaseRecord, when: dt.date) -> bool:
    state = False
    for form in case.forms:
        if form.date > when:
            continue
        if form.kind in ("referral", "reopening"):
            state = True
        elif form.kind == "closure":
            state = False
    return state


def has_form(case: CaseRecord, kind: str, when: dt.date) -> bool:
    return any(f.kind == kind and f.date <= when for f in case.forms)


def quarter_of(date: dt.date, start: dt.date) -> str:
    """The study quarter of a date: Y1 Q1 is the first three months from the study start."""
    months = (date.year - start.year) * 12 + date.month - start.month
    if date.day < start.day:
        months -= 1
    if months < 0:
        return PRE_Y1
    return f"Y{months // 12 + 1} Q{months % 12 // 3 + 1}"


def _quarters_up_to(last: str) -> list[str]:
    year, quarter = (int(part[1:]) for part in last.split())
    return [f"Y{y} Q{q}" for y in range(1, year + 1) for q in range(1, 5)][
        : (year - 1) * 4 + quarter
    ]


def prisons_of(data: ReportData) -> list[tuple[str, str]]:
    """(code, name) of the study's prisons, then any other site a case is at."""
    codes = [s.code for s in data.study.sites if s.kind == "prison"]
    codes += [c.site for c in data.cases if c.site not in codes]
    return [(code, data.site_name(code)) for code in dict.fromkeys(codes)]


def _rows(labels: Sequence[str], cells: Sequence[Sequence[Cell]], total: int) -> tuple[Row, ...]:
    return tuple(
        Row(label, tuple(row), "total" if i >= total else "data")
        for i, (label, row) in enumerate(zip(labels, cells, strict=True))
    )


def new_cases(period: str) -> str:
    """The link of a period's new cases: the same count in Table 1 and Table 2 or 3."""
    return f"cases referred in {period}"


def _columns_hidden(
    grid: list[list[int]], threshold: int, labels: Sequence[str]
) -> list[list[Cell]]:
    """Cells of Table 1, whose columns (with their total row last) are each a line."""
    n_cols = len(grid[0]) if grid else 0
    lines = [[(r, c) for r in range(len(grid))] for c in range(n_cols)]
    links = {(r, 1): new_cases(label) for r, label in enumerate(labels)}
    hidden = hide(grid, lines, threshold, name="Table 1", links=links)
    return [
        [shown(n, h, threshold) for n, h in zip(row, hid, strict=True)]
        for row, hid in zip(grid, hidden, strict=True)
    ]


def table_1(data: ReportData) -> ReportTable:
    periods = data.study.periods
    labels = [p.label for p in periods]
    forms = [
        (period_of(f.date, periods) or OUTSIDE_PERIODS, c.id, f)
        for c in data.cases
        for f in c.forms
    ]
    if any(label == OUTSIDE_PERIODS for label, _, _ in forms):
        labels.append(OUTSIDE_PERIODS)
    grid = []
    for label in labels:
        mine = [(cid, f) for lab, cid, f in forms if lab == label]
        grid.append(
            [
                len(mine),
                sum(f.kind == "referral" for _, f in mine),
                len({cid for cid, _ in mine}),
            ]
        )
    grid.append([sum(r[0] for r in grid), sum(r[1] for r in grid), len(data.cases)])
    return ReportTable(
        "1",
        "Table 1: Case tracker forms and cases per study period",
        ("", "Forms sent", "New cases (referrals)", "Cases with a form"),
        _rows([*labels, "Total"], _columns_hidden(grid, data.threshold, labels), len(labels)),
        (
            "Forms by their date, each counted once (its current revision); a case counts "
            "in every period it has a form in, once in the total.",
        ),
    )


def _at(data: ReportData) -> dt.date:
    periods = data.study.periods
    return periods[-1].end if periods else dt.date.today()


def _progress(
    data: ReportData, period: Period, at: dt.date, *, earlier: bool
) -> tuple[list[str], list[list[Cell]]]:
    labels, body = [], []
    for code, name in prisons_of(data):
        cases = [c for c in data.cases if c.site == code]
        new = [c for c in cases if (s := start_of(c)) and period.start <= s <= period.end]
        row = [
            len(new),
            sum(has_form(c, "closure", at) for c in new),
            sum(has_form(c, "reopening", at) for c in new),
            sum(open_at(c, at) for c in new),
        ]
        if earlier:
            before = [c for c in cases if (s := start_of(c)) and s < period.start]
            row.append(sum(open_at(c, at) for c in before))
            row.append(sum(open_at(c, at) for c in cases))
        labels.append(name)
        body.append(row)
    width = 6 if earlier else 4
    links = {(len(body), 0): new_cases(period.label)}  # the period's total of new cases
    name = f"Table {'3' if earlier else '2'}"
    # A reader knows that each new case is closed or open at the date (closed + open = new
    # when none was re-opened and is open again: the release keeps the sums that hold), and
    # that the cases open are the period's and the earlier ones.
    sums = [[(r, 1), (r, 3), (r, 0)] for r in range(len(body) + 1)]
    if earlier:
        sums += [[(r, 3), (r, 4), (r, 5)] for r in range(len(body) + 1)]
    table = CrossTab(
        body,
        data.threshold,
        total_col=False,
        n_cols=width,
        name=name,
        links=links,
        extra_lines=sums,
    )
    cells, _grid, _hidden = table.rendered()
    return [*labels, "Total"], cells


def tables_2_3(data: ReportData) -> list[ReportTable]:
    periods = data.study.periods
    if not periods:
        return []
    at = _at(data)
    when = f"{at:%-d %B %Y}"
    labels, cells = _progress(data, periods[0], at, earlier=False)
    first = periods[0]
    tables = [
        ReportTable(
            "2",
            f"Table 2: Progression of {first.label} cases",
            (
                "",
                f"{first.label} cases ({first.start:%B %Y} to {first.end:%B %Y})",
                f"Closed by {when}",
                f"Re-opened by {when}",
                f"Open at {when}",
            ),
            _rows(labels, cells, len(labels) - 1),
            ("A case's period is that of its referral's start date.",),
        )
    ]
    if len(periods) > 1:
        last = periods[-1]
        labels, cells = _progress(data, last, at, earlier=True)
        tables.append(
            ReportTable(
                "3",
                f"Table 3: {last.label} cases",
                (
                    "",
                    f"New cases in {last.label} ({last.start:%B %Y} to {last.end:%B %Y})",
                    f"{last.label} cases closed by {when}",
                    f"{last.label} cases re-opened by {when}",
                    f"{last.label} cases open at {when}",
                    f"Earlier cases open at {when}",
                    f"Total cases open at {when}",
                ),
                _rows(labels, cells, len(labels) - 1),
                ("Open at a date: the case's forms dated on or before it, in order.",),
            )
        )
    return tables


def table_4(data: ReportData) -> ReportTable:
    start = data.study.study_start
    prisons = prisons_of(data)
    names = dict(prisons)
    pairs = [
        ((None, names[c.site]), quarter_of(s, start)) for c in data.cases if (s := start_of(c))
    ]
    seen = [q for _, q in pairs if q != PRE_Y1]
    last = max(seen, key=lambda q: tuple(int(p[1:]) for p in q.split()), default="Y1 Q1")
    columns = [PRE_Y1, *_quarters_up_to(last)]
    body = crosstab_rows([(None, n) for _, n in prisons], columns, pairs, data.threshold)
    return ReportTable(
        "4",
        "Table 4: Intervention start date of cases, by study quarter",
        ("", *columns, "Total"),
        tuple(Row(label, tuple(cells), kind) for label, cells, kind in body),
        (
            f"Quarters of the referral's start date from the study start ({start:%-d %B %Y}); "
            f"{PRE_Y1}: before it.",
        ),
    )


def _ticked(case: CaseRecord, variable: str, closed: bool) -> set[int] | None:
    """The codes a case ticked (every closure of a closed case), or None if not counted."""
    forms = case.of_kind("closure") if closed else case.of_kind("referral")
    if not forms:
        return None
    ticked: set[int] = set()
    for form in forms:
        value = form.answers.get(variable)
        if isinstance(value, list):
            ticked |= {c for c in value if isinstance(c, int)}
    return ticked


def choice_table(
    data: ReportData, key: str, title: str, variable: str, closed: bool
) -> ReportTable:
    prisons = prisons_of(data)
    options = list(data.case_options.get(variable, ()))
    counted = [(c.site, t) for c in data.cases if (t := _ticked(c, variable, closed)) is not None]
    base = [sum(site == code for site, _ in counted) for code, _ in prisons]
    body = [base] + [
        [sum(site == code and opt in t for site, t in counted) for code, _ in prisons]
        for opt, _ in options
    ]
    cells, grid, hidden = CrossTab(body, data.threshold, total_row=False).rendered()
    rows = []
    label_base = "Closed cases" if closed else "Cases with a referral"
    for i, (label, shown_row) in enumerate(
        zip([label_base, *(lab for _, lab in options)], cells, strict=True)
    ):
        out: list[Cell] = []
        for j, cell in enumerate(shown_row):
            out.append(cell)
            out.append(pct(grid[i][j], grid[0][j], hidden[i][j] or hidden[0][j]))
        rows.append(Row(label, tuple(out), "total" if i == 0 else "data"))
    heads = [h for _, name in prisons for h in (f"{name} n", f"{name} %")]
    return ReportTable(
        key,
        title,
        ("", *heads, "Total n", "Total %"),
        (rows[0], *rows[1:]),
        (f"n and % of the {label_base.lower()} at each prison; a case may tick several.",),
    )


def case_tables(data: ReportData) -> list[ReportTable]:
    if not data.cases or data.period is not None:
        return []
    tables = [table_1(data), *tables_2_3(data), table_4(data)]
    tables += [choice_table(data, *spec) for spec in CHOICE_TABLES]
    return tables
