"""Who may read and write cases: the role checks of the case pages."""

from __future__ import annotations

from flask_login import current_user

from ..auth.roles import role_required
from ..extensions import db
from ..models import Role
from ..services import cases as ops

# Only she writes case forms; researchers and admins read them.
caseworker_only = role_required(Role.CASEWORKER, only=True)


def readable_sites() -> list[int] | None:
    """The current user's readable site ids; None for all."""
    return ops.readable_site_ids(db.session, current_user._get_current_object())
