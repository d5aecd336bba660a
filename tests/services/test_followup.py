"""The follow-up date logic: calendar months and the window's boundaries, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.models import Wave
from survey_app.services import followup
from survey_app.services.followup import FollowUpWave, Window, add_months, latest_start, status_of

D = dt.date
WINDOW = Window(start_months=5, end_months=8)  # as in study.yaml
T2 = FollowUpWave(id=2, code="T2", label="Six months on", baseline="T1", window=WINDOW)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 8, 31), 6, D(2026, 2, 28)),  # February is shorter: its last day
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # a leap year
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 1, 31), 3, D(2026, 4, 30)),
        (D(2026, 1, 30), 5, D(2026, 6, 30)),
        (D(2026, 1, 15), 6, D(2026, 7, 15)),
        (D(2025, 11, 20), 3, D(2026, 2, 20)),  # across the year end
        (D(2025, 12, 31), 12, D(2026, 12, 31)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 10), -2, D(2025, 11, 10)),
        (D(2026, 5, 17), 0, D(2026, 5, 17)),
    ],
)
def test_add_months_counts_calendar_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize("months", [0, 1, 5, 6, 8, 12])
def test_latest_start_is_the_exact_cutoff_for_every_day(months: int) -> None:
    # Over two years with a leap day: t1 <= latest_start(day) exactly when t1 + months <= day.
    day = D(2023, 12, 25)
    while day <= D(2025, 3, 5):
        cutoff = latest_start(day, months)
        assert add_months(cutoff, months) <= day, (day, months, cutoff)
        assert add_months(cutoff + dt.timedelta(days=1), months) > day, (day, months, cutoff)
        day += dt.timedelta(days=1)


def test_latest_start_takes_in_all_the_clamped_month_ends() -> None:
    # 29, 30 and 31 August all reach 28 February six months on.
    assert latest_start(D(2026, 2, 28), 6) == D(2025, 8, 31)
    assert latest_start(D(2026, 2, 27), 6) == D(2025, 8, 27)
    assert latest_start(D(2026, 3, 30), 1) == D(2026, 2, 28)


def _status(
    t1: dt.date | None, today: dt.date, t2_on: dt.date | None = None, withdrawn: bool = False
) -> followup.FollowUp:
    return status_of(T2, baseline_on=t1, done_on=t2_on, withdrawn=withdrawn, today=today)


def test_the_window_boundaries_are_included() -> None:
    t1 = D(2026, 1, 31)  # window 30 June .. 30 September (month ends clamped)
    assert _status(t1, D(2026, 6, 29)).status == followup.NOT_YET_DUE
    on_first_day = _status(t1, D(2026, 6, 30))
    assert on_first_day.status == followup.DUE
    assert on_first_day.due_from == D(2026, 6, 30) and on_first_day.due_until == D(2026, 9, 30)
    assert _status(t1, D(2026, 9, 30)).status == followup.DUE
    assert _status(t1, D(2026, 10, 1)).status == followup.OVERDUE


def test_labels() -> None:
    t1 = D(2025, 8, 31)
    assert _status(t1, D(2026, 1, 30)).label == "not yet due"
    assert _status(t1, D(2026, 1, 31)).label == "due from 31 Jan 2026"
    assert _status(t1, D(2026, 4, 30)).label == "due from 31 Jan 2026"
    assert _status(t1, D(2026, 5, 1)).label == "overdue"
    assert _status(None, D(2026, 5, 1)).label == "no T1"
    assert _status(t1, D(2026, 5, 1), t2_on=D(2026, 2, 2)).label == "done"
    assert _status(t1, D(2026, 5, 1), withdrawn=True).label == "withdrawn"


def test_withdrawal_comes_first_then_a_done_t2_then_a_missing_t1() -> None:
    today = D(2026, 5, 1)
    assert _status(None, today, t2_on=D(2026, 1, 1), withdrawn=True).status == followup.WITHDRAWN
    assert _status(None, today, t2_on=D(2026, 1, 1)).status == followup.DONE
    assert _status(None, today).status == followup.NO_BASELINE
    assert not _status(None, today).needs_chasing
    assert _status(D(2025, 1, 1), today).needs_chasing


def test_six_months_from_the_end_of_august_is_the_end_of_february() -> None:
    six = FollowUpWave(id=2, code="T2", label="", baseline="T1", window=Window(6, 6))
    status = status_of(
        six, baseline_on=D(2025, 8, 31), done_on=None, withdrawn=False, today=D(2026, 2, 28)
    )
    assert status.status == followup.DUE and status.due_from == D(2026, 2, 28)
    before = status_of(
        six, baseline_on=D(2025, 8, 31), done_on=None, withdrawn=False, today=D(2026, 2, 27)
    )
    assert before.status == followup.NOT_YET_DUE


def test_the_window_comes_from_the_wave() -> None:
    assert Window.of(Wave(offset_months=6, window_start_months=5, window_end_months=8)) == WINDOW
    # Without a window the wave's offset is the one day it is due.
    assert Window.of(Wave(offset_months=6)) == Window(6, 6)


def test_format_date() -> None:
    assert followup.format_date(D(2026, 3, 5)) == "5 Mar 2026"
