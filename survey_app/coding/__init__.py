"""Coding open answers into themes: the study's codebook, coding pages for any open question
(questionnaires' text items, the case tracker's notes and closure summaries), two coders and
their agreement, and counts per theme for the report and the workbook. Researchers and admins
only (survey_app/access.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..auth import sessions
from ..services import followup

bp = Blueprint("coding", __name__)

bp.before_request(sessions.staff_page)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"fmt_date": followup.format_date}


# The pages register on ``bp`` when imported.
from . import codebook_pages, coding_pages, counts_pages, exchange_pages  # noqa: E402, F401
