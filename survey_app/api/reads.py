"""What the API's lists read, as plain data (no Flask): participants with their wave status,
complete responses, cases and their sent forms. Each list is in a fixed order with a key that
continues it (the cursor's position), so that walking the pages sees each row once even while
new rows arrive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..kinds import CaseFormStatus, ResponseStatus
from ..models import Case, CaseForm, InstrumentVersion, Link, Participant, Response
from ..models import Wave as WaveRow
from ..models.types import DbSession
from ..services import followup


@dataclass(frozen=True)
class Slice:
    """One page of a list: its items, and the position after the last (None: no more)."""

    items: list[dict[str, Any]]
    next_position: list[Any] | None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# --- participants -----------------------------------------------------------------------------


def participant_item(row: followup.Row) -> dict[str, Any]:
    return {
        "id": row.pseudonym,
        "site": row.site_name,
        "registered_on": _iso(row.registered_on),
        "baseline_completed_on": _iso(row.baseline_on),
        "declined_recontact": row.declined_recontact,
        "followups": [
            {
                "wave": f.wave,
                "status": f.status,
                "due_from": _iso(f.due_from),
                "due_until": _iso(f.due_until),
            }
            for f in row.followups
        ],
        "in_progress": [
            {"wave": d.wave, "saved_on": _iso(d.saved_on), "page": d.page, "pages": d.pages}
            for d in row.drafts
        ],
    }


def participants(
    session: DbSession,
    *,
    today: dt.date,
    site_id: int | None,
    status: str | None,
    wave: str | None,
    limit: int,
    after: Sequence[Any] | None,
) -> Slice:
    """Newest first, as the participants page lists them; the position is (created_at, id)."""
    before = (dt.datetime.fromisoformat(after[0]), int(after[1])) if after else None
    page = followup.participants_page(
        session,
        today=today,
        site_id=site_id,
        status=status,
        wave=wave,
        per_page=limit,
        before=before,
    )
    items = [participant_item(row) for row in page.rows]
    more = page.total > len(page.rows)
    if not (more and page.rows):
        return Slice(items, None)
    last = session.execute(
        select(Participant.created_at, Participant.id).where(
            Participant.pseudonym == page.rows[-1].pseudonym
        )
    ).one()
    return Slice(items, [last.created_at.isoformat(), last.id])


# --- responses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseFilters:
    instrument: str | None = None
    wave: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def response_item(response: Response) -> dict[str, Any]:
    participant, link = response.participant, response.link
    site = participant.site if participant else (link.site if link else None)
    return {
        "id": response.id,
        "instrument": response.instrument_version.key,
        "version": response.instrument_version.version,
        "channel": str(response.channel),
        "wave": response.wave.code if response.wave else None,
        "participant": participant.pseudonym if participant else None,
        "site": site.code if site else None,
        "language": response.language,
        "completed_on": _iso(response.completed_on),
        "flags": dict(response.flags or {}),
        "answers": dict(response.answers or {}),
    }


def responses(
    session: DbSession, filters: ResponseFilters, *, limit: int, after: Sequence[Any] | None
) -> Slice:
    """Complete, live responses by completion date, then id; the position is (date, id)."""
    query = (
        select(Response)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .outerjoin(WaveRow, WaveRow.id == Response.wave_id)
        .options(
            joinedload(Response.instrument_version),
            joinedload(Response.wave),
            joinedload(Response.participant).joinedload(Participant.site),
            joinedload(Response.link).joinedload(Link.site),
        )
        .where(Response.status == ResponseStatus.COMPLETE, Response.voided_at.is_(None))
    )
    if filters.instrument is not None:
        query = query.where(InstrumentVersion.key == filters.instrument)
    if filters.wave is not None:
        query = query.where(WaveRow.code == filters.wave)
    if filters.date_from is not None:
        query = query.where(Response.completed_on >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(Response.completed_on <= filters.date_to)
    if after:
        day, last_id = dt.date.fromisoformat(after[0]), str(after[1])
        query = query.where(
            or_(
                Response.completed_on > day,
                and_(Response.completed_on == day, Response.id > last_id),
            )
        )
    found = list(
        session.scalars(query.order_by(Response.completed_on, Response.id).limit(limit + 1))
    )
    page = found[:limit]
    items = [response_item(r) for r in page]
    if len(found) <= limit:
        return Slice(items, None)
    last = page[-1]
    return Slice(items, [_iso(last.completed_on), last.id])


# --- cases ------------------------------------------------------------------------------------


def form_item(form: CaseForm, *, answers: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": form.id,
        "kind": form.kind,
        "instrument": form.instrument_version.key,
        "version": form.instrument_version.version,
        "form_date": _iso(form.form_date),
        "revision": form.revision,
        "sent_at": form.submitted_at.isoformat() if form.submitted_at else None,
    }
    if answers:
        item["answers"] = dict(form.answers or {})
    return item


def sent_forms(case: Case) -> list[CaseForm]:
    """Its sent forms by date, then the order they were sent (drafts are unsent work)."""
    sent = [f for f in case.forms if f.status == CaseFormStatus.SUBMITTED]
    return sorted(sent, key=lambda f: (f.form_date or dt.date.max, f.id))


def case_item(case: Case, *, answers: bool = False) -> dict[str, Any]:
    return {
        "id": case.id,
        "participant": case.participant.pseudonym,
        "site": case.site.code,
        "status": case.status,
        "opened_on": _iso(case.opened_on),
        "closed_on": _iso(case.closed_on),
        "forms": [form_item(f, answers=answers) for f in sent_forms(case)],
    }


def cases(
    session: DbSession,
    site_ids: list[int] | None,
    *,
    status: str | None,
    limit: int,
    after: Sequence[Any] | None,
) -> Slice:
    """The cases of these sites (None: every site) by id; the position is the last id."""
    query = select(Case).options(
        selectinload(Case.forms).joinedload(CaseForm.instrument_version),
        joinedload(Case.participant),
        joinedload(Case.site),
    )
    if site_ids is not None:
        query = query.where(Case.site_id.in_(site_ids))
    if status is not None:
        query = query.where(Case.status == status)
    if after:
        query = query.where(Case.id > int(after[0]))
    found = list(session.scalars(query.order_by(Case.id).limit(limit + 1)).unique())
    page = found[:limit]
    items = [case_item(c) for c in page]
    return Slice(items, [page[-1].id] if len(found) > limit else None)
