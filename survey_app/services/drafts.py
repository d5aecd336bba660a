"""Where a mother's unfinished questionnaire stands: the page she last saved and when.

Kept in the draft's ``flags`` JSON under ``draft`` (no schema change), written at each page
save and dropped when the response is sent, so that exports never carry it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..models import Participant, Response, ResponseStatus, Wave
from ..models.types import DbSession

FLAG = "draft"


def progress_flag(page: int, pages: int, saved_on: dt.date) -> dict[str, Any]:
    return {"page": page, "pages": pages, "saved_on": saved_on.isoformat()}


@dataclass(frozen=True)
class Draft:
    """A wave in progress: page ``page`` of ``pages`` last saved on ``saved_on``."""

    wave: str
    saved_on: dt.date
    page: int | None = None
    pages: int | None = None

    @property
    def label(self) -> str:
        where = f", page {self.page} of {self.pages}" if self.page and self.pages else ""
        return f"{self.wave} in progress{where}, saved {self.saved_on.day} {self.saved_on:%b %Y}"


def draft_of(wave: str, flags: Mapping[str, Any] | None, started_on: dt.date) -> Draft:
    """The draft's progress; one saved before pages were recorded has only its start date."""
    saved = (flags or {}).get(FLAG)
    if not isinstance(saved, Mapping):
        return Draft(wave, started_on)
    try:
        saved_on = dt.date.fromisoformat(str(saved.get("saved_on")))
    except ValueError:
        saved_on = started_on
    page, pages = saved.get("page"), saved.get("pages")
    if not (isinstance(page, int) and isinstance(pages, int)):
        page = pages = None
    return Draft(wave, saved_on, page, pages)


def draft_counts(session: DbSession) -> list[tuple[Wave, int]]:
    """Live drafts of kiosk questionnaires per wave (a withdrawn mother's left out), every
    wave listed, in the study's order."""
    counted = dict(
        session.execute(
            select(Response.wave_id, func.count(Response.id))
            .join(Participant, Participant.id == Response.participant_id)
            .where(
                Response.status == ResponseStatus.IN_PROGRESS,
                Response.voided_at.is_(None),
                Participant.withdrawn_at.is_(None),
            )
            .group_by(Response.wave_id)
        ).all()
    )
    waves = session.scalars(select(Wave).order_by(Wave.position)).all()
    return [(wave, counted.get(wave.id, 0)) for wave in waves]
