"""When a participant's follow-up waves fall due.

The baseline is the study's first wave; every later wave is a follow-up with its own window
(window_start/end_months after the baseline, in the study file). Pure functions over dates
decide a participant's status at each follow-up wave; the query functions list participants
with their completion dates in one statement, and filter by status in SQL (so that
pagination counts the right rows) by turning "baseline + N months <= day" into
"baseline <= a cutoff date" computed here, which works the same on SQLite and PostgreSQL."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, false, func, not_, or_, select
from sqlalchemy.orm import aliased

from ..models import Participant, Response, ResponseStatus, Site, Wave
from ..models.types import DbSession
from ..study import current_study
from .drafts import Draft, draft_of

NOT_YET_DUE = "not_yet_due"
DUE = "due"
OVERDUE = "overdue"
DONE = "done"
WITHDRAWN = "withdrawn"
DECLINED_RECONTACT = "declined_recontact"
NO_BASELINE = "no_baseline"

# List filters: "due" is due now or overdue, as a fieldworker chasing follow-ups wants them.
FILTERS: dict[str, str] = {
    "due": "Due now or overdue",
    "soon": "Falling due in the next 30 days",
    "overdue": "Overdue",
    "declined": "Declined to be asked again",
}
SOON_DAYS = 30
DUE_FIGURES = ("due_now", "soon", "overdue", "declined")  # the dashboard's figures, in order
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
class FollowUpWave:
    """A wave after the baseline, with the window in which it falls due."""

    id: int
    code: str
    label: str
    baseline: str  # the baseline wave's code
    window: Window

    @classmethod
    def of(cls, wave: Wave, baseline: Wave) -> FollowUpWave:
        return cls(wave.id, wave.code, wave.label, baseline.code, Window.of(wave))


@dataclass(frozen=True)
class FollowUp:
    """One participant's status at one follow-up wave."""

    wave: str
    baseline: str
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
            DECLINED_RECONTACT: "declined recontact",
            NO_BASELINE: f"no {self.baseline}",
        }[self.status]

    @property
    def needs_chasing(self) -> bool:
        return self.status in (DUE, OVERDUE)


def status_of(
    wave: FollowUpWave,
    *,
    baseline_on: dt.date | None,
    done_on: dt.date | None,
    withdrawn: bool,
    today: dt.date,
    declined_recontact: bool = False,
) -> FollowUp:
    """Her status at one follow-up wave. Withdrawal comes first (nobody chases her), then a
    completed response at that wave (even one without a baseline), then her "no" to being
    asked again (nobody chases her either), then the wave's window counted from the
    baseline date."""
    if withdrawn:
        return FollowUp(wave.code, wave.baseline, WITHDRAWN)
    if done_on is not None:
        return FollowUp(wave.code, wave.baseline, DONE)
    if declined_recontact:
        return FollowUp(wave.code, wave.baseline, DECLINED_RECONTACT)
    if baseline_on is None:
        return FollowUp(wave.code, wave.baseline, NO_BASELINE)
    due_from = add_months(baseline_on, wave.window.start_months)
    due_until = add_months(baseline_on, wave.window.end_months)
    if today < due_from:
        status = NOT_YET_DUE
    elif today <= due_until:
        status = DUE
    else:
        status = OVERDUE
    return FollowUp(wave.code, wave.baseline, status, due_from, due_until)


@dataclass(frozen=True)
class WindowCheck:
    """Where a follow-up taken today falls against its window from her baseline date."""

    baseline: str
    baseline_on: dt.date
    wave: str
    due_from: dt.date
    due_until: dt.date
    today: dt.date

    @property
    def inside(self) -> bool:
        return self.due_from <= self.today <= self.due_until

    @property
    def text(self) -> str:
        return (
            f"{self.baseline} was on {format_date(self.baseline_on)}; the {self.wave} window is "
            f"{format_date(self.due_from)} to {format_date(self.due_until)}."
        )


def window_check(
    wave: FollowUpWave, baseline: str, baseline_on: dt.date, today: dt.date
) -> WindowCheck:
    return WindowCheck(
        baseline,
        baseline_on,
        wave.code,
        add_months(baseline_on, wave.window.start_months),
        add_months(baseline_on, wave.window.end_months),
        today,
    )


def months_between(start: dt.date, end: dt.date) -> float:
    """Months from ``start`` to ``end``, to one decimal (an average month of 365.25/12 days)."""
    return round((end - start).days / (365.25 / 12), 1)


def in_window(wave: Wave, baseline_on: dt.date, on: dt.date) -> bool:
    window = Window.of(wave)
    return (
        add_months(baseline_on, window.start_months)
        <= on
        <= add_months(baseline_on, window.end_months)
    )


# --- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveSchedule:
    """The study's waves in order: the first is the baseline, every later one a follow-up."""

    baseline: Wave
    followups: tuple[FollowUpWave, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(w.code for w in self.followups)

    @property
    def all_ids(self) -> tuple[tuple[int, str], ...]:
        """(id, code) of every wave, the baseline first."""
        return ((self.baseline.id, self.baseline.code), *((w.id, w.code) for w in self.followups))

    def statuses(
        self,
        *,
        baseline_on: dt.date | None,
        done_on: Mapping[str, dt.date | None],
        withdrawn: bool,
        today: dt.date,
        declined_recontact: bool = False,
    ) -> tuple[FollowUp, ...]:
        """Her status at each follow-up wave; ``done_on`` maps wave codes to completion dates."""
        return tuple(
            status_of(
                wave,
                baseline_on=baseline_on,
                done_on=done_on.get(wave.code),
                withdrawn=withdrawn,
                today=today,
                declined_recontact=declined_recontact,
            )
            for wave in self.followups
        )


def study_waves(session: DbSession) -> WaveSchedule:
    waves = session.scalars(select(Wave).order_by(Wave.position)).all()
    if not waves:
        raise LookupError("The study's waves are not published: run `instruments sync`.")
    first, *later = waves
    return WaveSchedule(first, tuple(FollowUpWave.of(wave, first) for wave in later))


@dataclass(frozen=True)
class Row:
    pseudonym: str
    site_name: str
    registered_on: dt.date
    baseline_on: dt.date | None
    followups: tuple[FollowUp, ...]
    drafts: tuple[Draft, ...] = ()  # waves in progress, in wave order
    declined_recontact: bool = False


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    number: int
    per_page: int
    total: int
    waves: WaveSchedule

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class DueCounts:
    due_now: int
    soon: int
    overdue: int
    declined: int = 0  # declined to be asked again: never chased


@dataclass(frozen=True)
class Due:
    """Participants with a follow-up due now, soon or overdue: at any wave, and per wave."""

    total: DueCounts
    by_wave: tuple[tuple[FollowUpWave, DueCounts], ...]


_Query = Select[*tuple[Any, ...]]  # a select of any columns


@dataclass(frozen=True)
class _Completed:
    """Completion-date columns of a query joined to the responses it needs."""

    baseline_on: ColumnElement[dt.date]
    done_on: dict[str, ColumnElement[dt.date]]
    declined_recontact: ColumnElement[bool]


@functools.cache
def _response_alias(name: str) -> Any:
    """The response table under this alias, made once per process: building an ORM alias of a
    wide model costs about a millisecond, and a list page joins up to six."""
    return aliased(Response, name=name)


def _join_live(query: _Query, wave_id: int, status: str, name: str) -> tuple[_Query, Any]:
    """Outer-join each participant's live (not voided) response with this status at a wave,
    under the alias ``name`` (unique within the statement); the query and the alias."""
    alias = _response_alias(name)
    query = query.outerjoin(
        alias,
        and_(
            alias.participant_id == Participant.id,
            alias.wave_id == wave_id,
            alias.status == status,
            alias.voided_at.is_(None),
        ),
    )
    return query, alias


def _join_completed(
    query: _Query, waves: WaveSchedule, prefix: str, only: str | None = None
) -> tuple[_Query, _Completed]:
    """Outer-join the complete, live response at the baseline and at each follow-up wave (or
    at ``only``), under aliases named from ``prefix`` and the wave's place. The partial
    unique index allows one live response per participant and wave, so each join adds at
    most one row per participant."""
    dates: list[ColumnElement[dt.date]] = []
    aliases: list[Any] = []
    wave_ids = [waves.baseline.id] + [w.id for w in waves.followups if only in (None, w.code)]
    for place, wave_id in enumerate(wave_ids):
        query, alias = _join_live(query, wave_id, ResponseStatus.COMPLETE, f"{prefix}_done{place}")
        dates.append(alias.completed_on)
        aliases.append(alias)
    codes = [w.code for w in waves.followups if only in (None, w.code)]
    return query, _Completed(
        dates[0], dict(zip(codes, dates[1:], strict=True)), declined_recontact(aliases[0])
    )


def declined_recontact(baseline: Any) -> ColumnElement[bool]:
    """She answered "no" to being asked again on her (joined, complete, live) baseline
    response, and no researcher has recorded that she asked to take part again. Never NULL,
    so that its negation is safe where no baseline was joined."""
    rule = current_study().recontact
    if rule is None:
        return false()
    answer = baseline.answers[rule.variable].as_integer()
    # The answer is read once (coalesce, not "IS NULL OR !="): every figure of the dashboard's
    # count repeats this condition, and reading the JSON is most of its cost on SQLite.
    return and_(
        Participant.recontact_restored_at.is_(None),
        func.coalesce(answer == rule.declined, false()),
    )


def _conditions(
    wave: FollowUpWave,
    today: dt.date,
    completed: _Completed,
) -> dict[str, ColumnElement[bool]]:
    window = wave.window
    baseline_on = completed.baseline_on
    open_ = and_(
        Participant.withdrawn_at.is_(None),
        completed.done_on[wave.code].is_(None),
        baseline_on.is_not(None),
        not_(completed.declined_recontact),
    )
    started = baseline_on <= latest_start(today, window.start_months)
    overdue = baseline_on <= latest_start(today - dt.timedelta(days=1), window.end_months)
    soon = and_(
        baseline_on > latest_start(today, window.start_months),
        baseline_on <= latest_start(today + dt.timedelta(days=SOON_DAYS), window.start_months),
    )
    return {
        "due": and_(open_, started),
        "due_now": and_(open_, started, ~overdue),
        "soon": and_(open_, soon),
        "overdue": and_(open_, overdue),
        # Left out of every figure above: shown apart, so that nobody chases her.
        "declined": and_(
            Participant.withdrawn_at.is_(None),
            completed.done_on[wave.code].is_(None),
            completed.declined_recontact,
        ),
    }


def _at_any_wave(
    waves: WaveSchedule, today: dt.date, completed: _Completed, name: str
) -> ColumnElement[bool]:
    """Condition ``name`` at any of the joined follow-up waves."""
    found = [
        _conditions(wave, today, completed)[name]
        for wave in waves.followups
        if wave.code in completed.done_on
    ]
    return or_(*found) if found else false()


def participants_page(
    session: DbSession,
    *,
    today: dt.date,
    site_id: int | None = None,
    status: str | None = None,
    wave: str | None = None,
    pseudonym: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    waves: WaveSchedule | None = None,
    before: tuple[dt.datetime, int] | None = None,
) -> Page:
    """One page of participants, newest first, with the baseline date and the status at each
    follow-up wave, in one statement: a subquery picks the page's participants (joining the
    responses only when a status filter needs them) with the total counted alongside, and
    only those rows are joined to their site and responses. Joining first and paging after would join every participant on every page. A status filter
    matches a status at any follow-up wave, or at ``wave`` alone. ``waves``: the study's, if
    the caller has them already. ``before``: only participants after (created_at, id) in the
    list's order, for the API's cursor (a page counted from there, its total the rest)."""
    if status is not None and status not in FILTERS:
        raise ValueError(f"unknown status filter {status!r}")
    waves = waves or study_waves(session)
    if wave is not None and wave not in waves.codes:
        raise ValueError(f"unknown follow-up wave {wave!r}")
    chosen = _pick_page(waves, today, site_id, status, wave, pseudonym)
    if before is not None:
        at, last_id = before
        chosen = chosen.where(
            or_(
                Participant.created_at < at,
                and_(Participant.created_at == at, Participant.id < last_id),
            )
        )
    if status is None:
        # Counted by a subquery run once, so that the page is read from the created_at index
        # and its LIMIT stops early: a count(*) over() window builds every row first.
        total: Any = (
            select(func.count()).select_from(chosen.order_by(None).subquery()).scalar_subquery()
        )
    else:
        # A status filter joins every participant's responses whatever is done, and a window
        # counts them in that one pass (a subquery would make a second; see bench/research.py).
        total = func.count().over()
    chosen = chosen.add_columns(total.label("total")).limit(per_page)
    rows, total_found = _rows(
        session, chosen.offset((page - 1) * per_page).subquery(), waves, today
    )
    return Page(rows=rows, number=page, per_page=per_page, total=total_found, waves=waves)


_NEWEST_FIRST = (Participant.created_at.desc(), Participant.id.desc())


def _pick_page(
    waves: WaveSchedule,
    today: dt.date,
    site_id: int | None,
    status: str | None,
    wave: str | None,
    pseudonym: str | None = None,
) -> _Query:
    """The IDs of the participants that match, in list order."""
    chosen: _Query = select(Participant.id).select_from(Participant)
    if site_id is not None:
        chosen = chosen.where(Participant.site_id == site_id)
    if pseudonym is not None:  # a search by ID (services.participants.search)
        chosen = chosen.where(Participant.pseudonym == pseudonym)
    if status is not None:
        chosen, completed = _join_completed(chosen, waves, "chosen", only=wave)
        chosen = chosen.where(_at_any_wave(waves, today, completed, status))
    return chosen.order_by(*_NEWEST_FIRST)


def _rows(
    session: DbSession, page_of: Subquery, waves: WaveSchedule, today: dt.date
) -> tuple[list[Row], int]:
    """The page's participants with their site, completion dates and statuses; the total."""
    query, codes = _page_query(page_of, waves)
    found = session.execute(query.order_by(*_NEWEST_FIRST)).all()
    rows = [_row(record, codes, waves, today) for record in found]
    return rows, found[0].total if found else 0


def _page_query(page_of: Subquery, waves: WaveSchedule) -> tuple[_Query, list[str]]:
    """The select of the page's rows, and the wave codes of its completion dates in order."""
    query = (
        select(
            Participant.pseudonym,
            Site.name,
            Participant.created_at,
            Participant.withdrawn_at,
            page_of.c.total,
        )
        .select_from(page_of)
        .join(Participant, Participant.id == page_of.c.id)
        .join(Site, Site.id == Participant.site_id)
    )
    query, completed = _join_completed(query, waves, "row")
    codes = list(completed.done_on)
    query = query.add_columns(
        completed.declined_recontact, completed.baseline_on, *completed.done_on.values()
    )
    # Drafts, joined for this page's participants only (one live response per wave).
    for place, (wave_id, _code) in enumerate(waves.all_ids):
        query, draft = _join_live(query, wave_id, ResponseStatus.IN_PROGRESS, f"row_draft{place}")
        query = query.add_columns(draft.started_on, draft.flags)
    return query, codes


def _row(record: Any, codes: list[str], waves: WaveSchedule, today: dt.date) -> Row:
    """One participant's row from a row of ``_page_query``."""
    pseudonym, site_name, created_at, withdrawn_at, _total, declined, baseline_on, *rest = record
    done, started = rest[: len(codes)], rest[len(codes) :]
    drafts = tuple(
        draft_of(code, started[2 * i + 1], started[2 * i])
        for i, (_id, code) in enumerate(waves.all_ids)
        if started[2 * i] is not None and withdrawn_at is None
    )
    return Row(
        pseudonym=pseudonym,
        site_name=site_name,
        registered_on=created_at.date(),
        baseline_on=baseline_on,
        followups=waves.statuses(
            baseline_on=baseline_on,
            done_on=dict(zip(codes, done, strict=True)),
            withdrawn=withdrawn_at is not None,
            today=today,
            declined_recontact=bool(declined),
        ),
        drafts=drafts,
        declined_recontact=bool(declined),
    )


def due_counts(session: DbSession, *, today: dt.date) -> Due:
    """How many participants have a follow-up due now (in its window), falling due soon, or
    overdue: at any follow-up wave, and at each, in one statement."""
    waves = study_waves(session)
    query, completed = _join_completed(select().select_from(Participant), waves, "due")
    groups: list[dict[str, ColumnElement[bool]]] = [
        {name: _at_any_wave(waves, today, completed, name) for name in DUE_FIGURES}
    ]
    for wave in waves.followups:
        groups.append(_conditions(wave, today, completed))
    sums = [
        func.coalesce(func.sum(case((group[name], 1), else_=0)), 0)
        for group in groups
        for name in DUE_FIGURES
    ]
    row = session.execute(query.add_columns(*sums)).one()
    counts = [
        DueCounts(*(int(n) for n in row[i : i + len(DUE_FIGURES)]))
        for i in range(0, len(row), len(DUE_FIGURES))
    ]
    return Due(total=counts[0], by_wave=tuple(zip(waves.followups, counts[1:], strict=True)))
