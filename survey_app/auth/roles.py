"""Role checks for research-side views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from ..extensions import login_manager
from ..models import Role

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: Role, only: bool = False) -> Callable[[F], F]:
    """Log in first (redirect), then 403 unless the user holds one of ``roles`` (or higher);
    with ``only``, unless her role is one of ``roles`` itself (an admin may read case forms but
    only a caseworker writes them)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            allowed = current_user.role in roles if only else current_user.has_role(*roles)
            if not allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
