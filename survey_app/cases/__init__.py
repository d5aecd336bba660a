"""The case tracker's pages: the caseworker's cases and forms, and a read-only view of
every case for researchers. Business logic lives in survey_app/services/cases.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user

from ..auth import sessions
from ..models import Role
from ..services import followup

bp = Blueprint("cases", __name__)


bp.before_request(sessions.staff_page)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    authenticated = current_user.is_authenticated
    return {
        "fmt_date": followup.format_date,
        "is_caseworker": authenticated and current_user.role == Role.CASEWORKER,
    }


# The pages register on ``bp`` when imported.
from . import editing, pages  # noqa: E402, F401
