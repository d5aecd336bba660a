"""Who may read and write cases: the role checks of the case pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import Role
from ..services import cases as ops

F = TypeVar("F", bound=Callable[..., Any])


def caseworker_only(view: F) -> F:
    """Log in first (redirect), then 403 unless a caseworker: only she writes case forms."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role != Role.CASEWORKER:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def readable_sites() -> list[int] | None:
    """The current user's readable site ids; None for all."""
    return ops.readable_site_ids(db.session, current_user._get_current_object())
