"""When a participant's follow-up (T2) falls due.

Pure functions over dates decide a participant's T2 status; the query functions list
participants with their T1 and T2 completion dates in one statement, and filter by status in
SQL (so that pagination counts the right rows) by turning "T1 + N months <= day" into
"T1 <= a cutoff date" computed here, which works the same on SQLite and PostgreSQL.

The baseline is the study's first wave and the follow-up its second (T1 and T2 in
study.yaml); the follow-up window comes from that wave's window_start/end_months."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import aliased

from ..models import COMPLETE, Participant, Response, Site, Wave
from ..models._types import DbSession

NOT_YET_DUE = "not_yet_due"
DUE = "due"
OVERDUE = "overdue"
DONE = "done"
WITHDRAWN = "withdrawn"
NO_T1 = "no_t1"

# List filters: "due" is due now or overdue, as a fieldworker chasing T2s wants them.
FILTERS: dict[str, str] = {
    "due": "Due now or overdue",
    "soon": "Falling due in the next 30 days",
    "overdue": "Overdue",
}
SOON_DAYS = 30
PER_PAGE = 50


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months: the same day of the month, or the month's last day when it is shorter
    (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def latest_start(day: dt.date, months: int) -> dt.date:
    """The latest date d with add_months(d, months) <= day.

    add_months never decreases as d grows, so "add_months(t1, m) <= day" is exactly
    "t1 <= latest_start(day, m)": a plain date comparison the database can do. Going back
    ``months`` may land early when month ends are clamped (28 Feb back to 28 Aug, though
    29-31 Aug also reach 28 Feb), so step forward while the next day still qualifies."""
    candidate = add_months(day, -months)
    while add_months(candidate + dt.timedelta(days=1), months) <= day:
        candidate += dt.timedelta(days=1)
    return candidate


def format_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Window:
    """The follow-up window in months after the baseline, both ends included."""

    start_months: int
    end_months: int

    @classmethod
    def of(cls, wave: Wave) -> Window:
        start = wave.window_start_months
        if start is None:
            start = wave.offset_months
        end = wave.window_end_months if wave.window_end_months is not None else start
        return cls(start, max(start, end))


@dataclass(frozen=True)
class FollowUp:
    status: str
    due_from: dt.date | None = None
    due_until: dt.date | None = None

    @property
    def label(self) -> str:
        if self.status == DUE and self.due_from is not None:
            return f"due from {format_date(self.due_from)}"
        return {
            NOT_YET_DUE: "not yet due",
            OVERDUE: "overdue",
            DONE: "done",
            WITHDRAWN: "withdrawn",
            NO_T1: "no T1",
        }[self.status]

    @property
    def needs_chasing(self) -> bool:
        return self.status in (DUE, OVERDUE)


def t2_status(
    *,
    t1_on: dt.date | None,
    t2_on: dt.date | None,
    withdrawn: bool,
    today: dt.date,
    window: Window,
) -> FollowUp:
    """The T2 status of one participant. Withdrawal comes first (nobody chases her), then a
    completed T2 (even one without a T1), then the window counted from the T1 date."""
    if withdrawn:
        return FollowUp(WITHDRAWN)
    if t2_on is not None:
        return FollowUp(DONE)
    if t1_on is None:
        return FollowUp(NO_T1)
    due_from = add_months(t1_on, window.start_months)
    due_until = add_months(t1_on, window.end_months)
    if today < due_from:
        status = NOT_YET_DUE
    elif today <= due_until:
        status = DUE
    else:
        status = OVERDUE
    return FollowUp(status, due_from, due_until)


# --- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Waves:
    baseline: Wave
    followup: Wave

    @property
    def window(self) -> Window:
        return Window.of(self.followup)


class NoFollowUpWave(LookupError):
    pass


def study_waves(session: DbSession) -> Waves:
    waves = session.scalars(select(Wave).order_by(Wave.position).limit(2)).all()
    if len(waves) < 2:
        raise NoFollowUpWave("The study has no follow-up wave: add one to study.yaml.")
    return Waves(waves[0], waves[1])


@dataclass(frozen=True)
class Row:
    pseudonym: str
    site_name: str
    registered_on: dt.date
    t1_on: dt.date | None
    t2_on: dt.date | None
    followup: FollowUp


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class DueCounts:
    due_now: int
    soon: int
    overdue: int


def _completed(wave: Wave) -> tuple[Any, ColumnElement[bool]]:
    # The partial unique index allows one live response per participant and wave, so this
    # outer join adds at most one row per participant.
    alias = aliased(Response)
    on = and_(
        alias.participant_id == Participant.id,
        alias.wave_id == wave.id,
        alias.status == COMPLETE,
        alias.voided_at.is_(None),
    )
    return alias, on


def _conditions(
    waves: Waves, today: dt.date, t1_on: ColumnElement[dt.date], t2_on: ColumnElement[dt.date]
) -> dict[str, ColumnElement[bool]]:
    window = waves.window
    open_ = and_(Participant.withdrawn_at.is_(None), t2_on.is_(None), t1_on.is_not(None))
    started = t1_on <= latest_start(today, window.start_months)
    overdue = t1_on <= latest_start(today - dt.timedelta(days=1), window.end_months)
    soon = and_(
        t1_on > latest_start(today, window.start_months),
        t1_on <= latest_start(today + dt.timedelta(days=SOON_DAYS), window.start_months),
    )
    return {
        "due": and_(open_, started),
        "due_now": and_(open_, started, ~overdue),
        "soon": and_(open_, soon),
        "overdue": and_(open_, overdue),
    }


def participants_page(
    session: DbSession,
    *,
    today: dt.date,
    site_id: int | None = None,
    status: str | None = None,
    pseudonym: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of participants, newest first, with T1 and T2 dates and the T2 status, in
    one statement: a subquery picks the page's participants (joining the responses only
    when a status filter needs them) with the total counted alongside by a window function,
    and only those rows are joined to their site and responses. Joining first and paging
    after would join every participant on every page."""
    if status is not None and status not in FILTERS:
        raise ValueError(f"unknown status filter {status!r}")
    waves = study_waves(session)
    order = (Participant.created_at.desc(), Participant.id.desc())
    chosen = select(Participant.id, func.count().over().label("total")).select_from(Participant)
    if site_id is not None:
        chosen = chosen.where(Participant.site_id == site_id)
    if pseudonym is not None:  # a search by ID (services.participants.search)
        chosen = chosen.where(Participant.pseudonym == pseudonym)
    if status is not None:
        t1, t1_on_join = _completed(waves.baseline)
        t2, t2_on_join = _completed(waves.followup)
        chosen = (
            chosen.outerjoin(t1, t1_on_join)
            .outerjoin(t2, t2_on_join)
            .where(_conditions(waves, today, t1.completed_on, t2.completed_on)[status])
        )
    page_of = chosen.order_by(*order).limit(per_page).offset((page - 1) * per_page).subquery()
    t1, t1_on_join = _completed(waves.baseline)
    t2, t2_on_join = _completed(waves.followup)
    query = (
        select(
            Participant.pseudonym,
            Site.name,
            Participant.created_at,
            Participant.withdrawn_at,
            t1.completed_on,
            t2.completed_on,
            page_of.c.total,
        )
        .select_from(page_of)
        .join(Participant, Participant.id == page_of.c.id)
        .join(Site, Site.id == Participant.site_id)
        .outerjoin(t1, t1_on_join)
        .outerjoin(t2, t2_on_join)
        .order_by(*order)
    )
    window = waves.window
    found = session.execute(query).all()
    rows = []
    for pseudonym, site_name, created_at, withdrawn_at, t1_on, t2_on, _total in found:
        rows.append(
            Row(
                pseudonym=pseudonym,
                site_name=site_name,
                registered_on=created_at.date(),
                t1_on=t1_on,
                t2_on=t2_on,
                followup=t2_status(
                    t1_on=t1_on,
                    t2_on=t2_on,
                    withdrawn=withdrawn_at is not None,
                    today=today,
                    window=window,
                ),
            )
        )
    return Page(rows=rows, number=page, per_page=per_page, total=found[0][-1] if found else 0)


def due_counts(session: DbSession, *, today: dt.date) -> DueCounts:
    """How many T2s are due now (in the window), falling due soon, and overdue."""
    waves = study_waves(session)
    t1, t1_on_join = _completed(waves.baseline)
    t2, t2_on_join = _completed(waves.followup)
    conditions = _conditions(waves, today, t1.completed_on, t2.completed_on)
    counts = [
        func.coalesce(func.sum(case((conditions[name], 1), else_=0)), 0)
        for name in ("due_now", "soon", "overdue")
    ]
    row = session.execute(
        select(*counts).select_from(Participant).outerjoin(t1, t1_on_join).outerjoin(t2, t2_on_join)
    ).one()
    return DueCounts(due_now=int(row[0]), soon=int(row[1]), overdue=int(row[2]))
