"""Tables 8 to 13: the anonymous-link questionnaires of prison staff and community
practitioners. Staff are grouped by the prison they say they work in (``prison``), or by
the link's site when they did not say; an all-sites Total column is always there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from ..charts.counts import cell_points, columns_chart, rows_chart
from ..charts.percent import percent_chart
from ..data import Answered, Questionnaires, ReportData, code_of, codes_of, period_of
from ..grid import CrossTab, Link, RowKey, counts_with_total, crosstab_rows, n_shown, ordered, pct
from ..model import Cell, ReportTable, Row

NOT_ANSWERED = "Not answered"
PRISON_NOT_GIVEN = "Prison not given"
OUTSIDE_PERIODS = "Outside the study periods"


def options(q: Questionnaires, variable: str) -> list[str]:
    item = q.item(variable)
    return [o.label["en"] for o in item.options] if item else []


def answer_label(q: Questionnaires, variable: str, a: Answered, default: str) -> str:
    item = q.item(variable)
    code = code_of(a.answers, variable)
    if item is None or code is None:
        return default
    return next((o.label["en"] for o in item.options if o.code == code), default)


def prison_of(data: ReportData, a: Answered) -> str:
    """The prison she or he answered; else the link's site; else "Prison not given"."""
    fallback = data.site_name(a.site) if a.site else PRISON_NOT_GIVEN
    return answer_label(data.staff, "prison", a, fallback)


def prison_columns(data: ReportData) -> list[str]:
    seen = [prison_of(data, a) for a in data.staff.answered]
    wanted = options(data.staff, "prison") + [s.name for s in data.study.sites]
    return ordered(wanted, seen, keep_all=False)


def not_asked(q: Questionnaires, variables: Sequence[str]) -> list[str]:
    notes = []
    for variable in variables:
        versions = q.versions_without(variable)
        if versions:
            listed = ", ".join(str(v) for v in versions)
            notes.append(f"{variable}: not asked in version {listed}")
    return notes


def _table(
    key: str,
    title: str,
    header: str,
    columns: Sequence[str],
    body: list[tuple[str, list[Cell], str]],
    notes: Sequence[str],
    n: int,
    threshold: int,
    extra_columns: Sequence[str] = ("Total",),
) -> ReportTable:
    return ReportTable(
        key=key,
        title=title,
        columns=(header, *columns, *extra_columns),
        rows=tuple(Row(label, tuple(cells), kind) for label, cells, kind in body),
        notes=(
            *notes,
            f"n = {n_shown(n, threshold)}" if n else "n = 0: no questionnaires match the filters",
        ),
    )


def _crosstab(
    key: str,
    title: str,
    data: ReportData,
    q: Questionnaires,
    row_of: Callable[[Answered], RowKey],
    rows: Sequence[RowKey],
    col_of: Callable[[Answered], str],
    columns: Sequence[str],
    *,
    header: str = "",
    total_label: str = "Total",
    percent_column: bool = False,
    variables: Sequence[str] = (),
    link: Link | None = None,
) -> ReportTable:
    pairs = [(row_of(a), col_of(a)) for a in q.answered]
    row_keys = list(rows) + [r for r in dict.fromkeys(p[0] for p in pairs) if r not in rows]
    cols = ordered(columns, [p[1] for p in pairs], keep_all=True)
    body = crosstab_rows(
        row_keys,
        cols,
        pairs,
        data.threshold,
        total_label=total_label,
        percent_column=percent_column,
        name=f"Table {key}",
        link=link,
    )
    extra = ("Total", "%") if percent_column else ("Total",)
    notes = not_asked(q, variables)
    return _table(key, title, header, cols, body, notes, len(pairs), data.threshold, extra)


def staff_count(role: str | None, prison: str | None) -> str:
    """The link of the count of staff in a role (None: all) at a prison (None: all): the same
    count in Tables 8, 9 and 11."""
    return f"staff in {role or 'any role'} at {prison or 'any prison'}"


def practitioners_answered(period: str | None) -> str:
    """The link of the practitioners' questionnaires in a period (None: all): the same count
    in Tables 1 and 13."""
    return f"practitioners' questionnaires in {period or 'any period'}"


def table_8(data: ReportData) -> ReportTable:
    q = data.staff
    return _crosstab(
        "8",
        "Table 8: Profile of prison staff who submitted a valid questionnaire",
        data,
        q,
        lambda a: (None, answer_label(q, "role_level", a, NOT_ANSWERED)),
        [(None, label) for label in options(q, "role_level")],
        lambda a: prison_of(data, a),
        prison_columns(data),
        total_label="Total respondents",
        variables=("role_level", "prison"),
        link=lambda row, col: staff_count(row[1] if row else None, col),
    )


def answered_by_any(q: Questionnaires, variable: str) -> bool:
    return any(code_of(a.answers, variable) is not None for a in q.answered)


def _all_staff(data: ReportData, key: str, title: str, variable: str) -> ReportTable:
    """One question's answers for all staff together (the report's pie chart): n and %,
    the total tied to Table 8's. By prison it would tie each prison's total to Table 8's
    too, and make the release hide more of Tables 8 and 9."""
    q = data.staff
    labels = [*options(q, variable), NOT_ANSWERED]
    found = [answer_label(q, variable, a, NOT_ANSWERED) for a in q.answered]
    body = [[found.count(label)] for label in labels]
    table = CrossTab(
        body,
        data.threshold,
        total_col=False,
        n_cols=1,
        name=f"Table {key}",
        labels=([*labels, "Total respondents"], ["n"]),
        links={(len(labels), 0): staff_count(None, None)},
    )
    cells, grid, hidden = table.rendered()
    total = grid[-1][0]
    rows = [
        Row(
            label,
            (cells[i][0], pct(grid[i][0], total, hidden[i][0] or hidden[-1][0])),
            "total" if i == len(labels) else "data",
        )
        for i, label in enumerate([*labels, "Total respondents"])
    ]
    points = cell_points([[(cells[i][0], cells[-1][0])] for i in range(len(labels))])
    chart = percent_chart(
        title,
        "bars",
        labels,
        ["All staff"],
        points,
        data.threshold,
        "% of all staff",
    )
    item = q.item(variable)
    return ReportTable(
        key,
        title,
        ("", "n", "%"),
        tuple(rows),
        (
            f"The question: {item.text['en']}" if item else f"{variable}: not asked",
            "All prison staff together; % of all staff, rounded half up.",
            f"n = {n_shown(total, data.threshold)}",
        ),
        chart,
    )


def staff_department(data: ReportData) -> ReportTable | None:
    """The report's second Figure 8: the staff's departments. Left out when no one answered
    (a table of Not answered alone)."""
    if not answered_by_any(data.staff, "department"):
        return None
    n = n_shown(len(data.staff.answered), data.threshold)
    table = _all_staff(
        data,
        "8-department",
        f"Figure 8 (prison staff): Current department of the {n} respondents",
        "department",
    )
    note = "Numbered 8 in the 2023 report, which has a Figure 8 of the cases too."
    return replace(table, notes=(note, *table.notes))


def staff_based_in_prison(data: ReportData) -> ReportTable | None:
    """Quoted in the report's text: 'the TaC Social Workers should be based within the
    prison'. Left out when no one answered."""
    q = data.staff
    if not answered_by_any(q, "based_in_prison"):
        return None
    yes = sum(code_of(a.answers, "based_in_prison") == 1 for a in q.answered)
    answered = sum(code_of(a.answers, "based_in_prison") is not None for a in q.answered)
    return _all_staff(
        data,
        "staff-based",
        "Prison staff who think it important that the TaC social worker is based at the "
        f"prison: {n_shown(yes, data.threshold)} of {n_shown(answered, data.threshold)} "
        "who answered",
        "based_in_prison",
    )


def table_9(data: ReportData) -> ReportTable:
    q = data.staff
    table = _crosstab(
        "9",
        "Table 9: Reported contact frequency between prison staff and the TaC social worker",
        data,
        q,
        lambda a: (None, answer_label(q, "contact_frequency", a, NOT_ANSWERED)),
        [(None, label) for label in options(q, "contact_frequency")],
        lambda a: answer_label(q, "role_level", a, "Role not given"),
        options(q, "role_level"),
        percent_column=True,
        variables=("contact_frequency", "role_level"),
        link=lambda row, col: staff_count(col, None) if row is None else None,
    )
    # Each role a bar (then all staff): how often, as % of those in the role.
    chart = columns_chart(table, data.threshold, "% of staff in the role", len(table.columns) - 3)
    return replace(table, chart=chart)


def table_10(data: ReportData) -> ReportTable:
    """Purpose of contact (tick all that apply) by prison, with n per column: the cells are
    ticks, so columns do not add up to n."""
    q, threshold = data.staff, data.threshold
    item = q.item("contact_purpose")
    columns = prison_columns(data)
    answered = [(prison_of(data, a), codes_of(a.answers, "contact_purpose")) for a in q.answered]
    answered_lists = [(col, codes) for col, codes in answered if codes is not None]
    choices = list(item.options) if item else []
    cells = [
        [sum(o.code in codes for col, codes in answered_lists if col == c) for c in columns]
        for o in choices
    ]
    table = CrossTab(cells, threshold, total_row=False)
    shown_cells, _grid, _hidden = table.rendered()
    ns = [sum(col == c for col, _ in answered_lists) for c in columns] + [len(answered_lists)]
    # The n of each prison and their total: one line of counts. Where every respondent
    # answered, a prison's n is Table 8's count of its staff: tied as one count.
    staff = [sum(prison_of(data, a) == c for a in q.answered) for c in columns]
    everyone = [n == s for n, s in zip(ns, [*staff, len(q.answered)], strict=True)]
    shown_ns = counts_with_total(
        ns,
        threshold,
        name="Table 10 n",
        links={
            j: staff_count(None, c) for j, c in enumerate([*columns, None]) if everyone[j] and ns[j]
        },
    )
    names = [*columns, "Total"]
    title = "Table 10: Purpose of contact between prison staff and the TaC social worker"
    rows = [Row(o.label["en"], tuple(row)) for o, row in zip(choices, shown_cells, strict=True)]
    return ReportTable(
        key="10",
        title=title,
        columns=("", *(f"{name} (n={n})" for name, n in zip(names, shown_ns, strict=True))),
        rows=tuple(rows),
        notes=(
            *not_asked(q, ["contact_purpose"]),
            "Tick all that apply: a column's cells do not add up to its n.",
            f"n = {shown_ns[-1]}" if answered_lists else "n = 0",
        ),
        # Ticks are not shares of one whole: bars side by side, each % of its prison's n.
        chart=percent_chart(
            title,
            "grouped",
            [r.label for r in rows],
            names,
            cell_points(
                [[(cell, n) for cell, n in zip(r.cells, shown_ns, strict=True)] for r in rows]
            ),
            threshold,
            "% of staff who ticked it",
        ),
    )


def table_11(data: ReportData) -> ReportTable:
    q = data.staff
    roles = options(q, "role_level")
    prisons = prison_columns(data)
    table = _crosstab(
        "11",
        "Table 11: Reported involvement of the TaC social worker in the ACCT process",
        data,
        q,
        lambda a: (
            answer_label(q, "role_level", a, NOT_ANSWERED) + ":",
            prison_of(data, a),
        ),
        [(f"{role}:", prison) for role in roles for prison in prisons],
        lambda a: answer_label(q, "acct_involvement", a, NOT_ANSWERED),
        ["Yes", "No"],
        header=(item.text["en"] if (item := q.item("acct_involvement")) else ""),
        variables=("acct_involvement", "role_level"),
        # A row's total is Table 8's count of the role at the prison: one count.
        link=lambda row, col: (
            staff_count(row[0][:-1] if row[0] else None, row[1])
            if row and col is None
            else staff_count(None, None)
            if row is None and col is None
            else None
        ),
    )
    return _with_rows_chart(data, table)


def role_group(q: Questionnaires, a: Answered) -> str:
    """The report's three roles: leaders, frontline staff of the OMU, other frontline."""
    level = code_of(a.answers, "role_level")
    if level == 1:
        return "Leader/manager"
    if level == 2:
        return "OMU staff" if code_of(a.answers, "department") == 1 else "Other frontline role"
    return "Role not given"


def table_12(data: ReportData) -> ReportTable:
    q = data.staff
    groups = ["Leader/manager", "OMU staff", "Other frontline role"]
    table = _crosstab(
        "12",
        "Table 12: Responses regarding level of qualification for the role",
        data,
        q,
        lambda a: (prison_of(data, a) + ":", role_group(q, a)),
        [(f"{prison}:", g) for prison in prison_columns(data) for g in groups],
        lambda a: answer_label(q, "qualification", a, NOT_ANSWERED),
        options(q, "qualification"),
        variables=("qualification", "role_level", "department"),
    )
    return _with_rows_chart(data, table)


def _with_rows_chart(data: ReportData, table: ReportTable) -> ReportTable:
    """Each row (a role or group in a prison, then all staff) a bar of its answers' %."""
    chart = rows_chart(table, data.threshold, "% of staff in the row", len(table.columns) - 2)
    return replace(table, chart=chart)


def table_13(data: ReportData) -> ReportTable:
    q = data.practitioners
    periods = [p.label for p in data.study.periods]
    return _crosstab(
        "13",
        "Table 13: Participant overview for community practitioner survey",
        data,
        q,
        lambda a: (None, answer_label(q, "practitioner_role", a, NOT_ANSWERED)),
        [(None, label) for label in options(q, "practitioner_role")],
        lambda a: period_of(a.date, data.study.periods) or OUTSIDE_PERIODS,
        periods,
        variables=("practitioner_role",),
        link=lambda row, col: practitioners_answered(col) if row is None else None,
    )


def link_tables(data: ReportData) -> list[ReportTable]:
    built = [
        table_8(data),
        staff_department(data),
        table_9(data),
        table_10(data),
        table_11(data),
        table_12(data),
        staff_based_in_prison(data),
        table_13(data),
    ]
    return [t for t in built if t is not None]
