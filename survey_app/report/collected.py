"""Table 1 of the report: a summary of the data collected, by study period (Year 1, Year 2):
cases, the mothers' questionnaires per wave, the community practitioners' and the prison
staff's questionnaires. Interviews, diaries and visits are not recorded in the app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial

from .data import Answered, ReportData, period_of
from .grid import CrossTab
from .model import ReportTable, Row
from .questionnaires.link_tables import OUTSIDE_PERIODS, practitioners_answered, staff_count


def new_cases(period: str) -> str:
    """The link of a period's new cases: the same count in Table 1, Table 2 or 3 and
    Supplementary table E."""
    return f"cases referred in {period}"


def mothers_answered(wave: str | None, period: str | None) -> str:
    """The link of the mothers' questionnaires at a wave in a period (None: all): the same
    count in Tables 1 and 14a."""
    return f"mothers' questionnaires at {wave or 'any wave'} in {period or 'any period'}"


def _by_period(dates: Sequence[dt.date], data: ReportData, columns: Sequence[str]) -> list[int]:
    periods = data.study.periods
    found = [period_of(d, periods) or OUTSIDE_PERIODS for d in dates]
    return [found.count(c) for c in columns]


def _dates(answered: Sequence[Answered]) -> list[dt.date]:
    return [a.date for a in answered]


def table_1(data: ReportData) -> ReportTable:
    periods = [p.label for p in data.study.periods]
    starts = [r.date for c in data.cases if (r := c.referral)]
    everything = [
        *starts,
        *(a.date for w in data.waves for a in data.answered_at(w.code)),
        *_dates(data.practitioners.answered),
        *_dates(data.staff.answered),
    ]
    outside = any(period_of(d, data.study.periods) is None for d in everything)
    columns = [*periods, *([OUTSIDE_PERIODS] if outside else [])]
    keys: list[str | None] = [*columns, None]  # None: the total
    labels: list[str] = []
    body: list[list[int]] = []
    links: dict[tuple[int, int], str] = {}

    def add(label: str, dates: Sequence[dt.date], link: Callable[[str | None], str | None]) -> None:
        row = len(body)
        labels.append(label)
        body.append(_by_period(dates, data, columns))
        for c, key in enumerate(keys):
            if found := link(key):
                links[(row, c)] = found

    add("Case tracker (new cases)", starts, lambda k: new_cases(k) if k else None)
    for wave in data.waves:
        add(
            f"Surveys from mothers, {wave.code}",
            _dates(data.answered_at(wave.code)),
            partial(mothers_answered, wave.code),
        )
    add(
        "Surveys from community practitioners",
        _dates(data.practitioners.answered),
        practitioners_answered,
    )
    add(
        "Surveys from prison staff",
        _dates(data.staff.answered),
        lambda k: None if k else staff_count(None, None),
    )
    table = CrossTab(
        body,
        data.threshold,
        total_row=False,
        n_cols=len(columns),
        name="Table 1",
        labels=(labels, [*columns, "Total"]),
        links=links,
    )
    cells, _grid, _hidden = table.rendered()
    return ReportTable(
        "1",
        "Table 1: Summary of data collected",
        ("Data collection", *columns, "Total"),
        tuple(Row(label, tuple(row)) for label, row in zip(labels, cells, strict=True)),
        (
            "Each count in the study period of its date: a case by its referral's start date "
            "(cases with no referral are not counted), a questionnaire by the day it was "
            "completed.",
            "Interviews, activity diaries and prison visits, rows of the 2023 report's Table 1, "
            "are not recorded in this app.",
        ),
    )


def collected_tables(data: ReportData) -> list[ReportTable]:
    if data.period is not None:  # Table 1 is by period already
        return []
    return [table_1(data)]
