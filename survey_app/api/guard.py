"""Who is calling: the Bearer token read before every API view, the role each view needs,
the per-token rate limit's key, and the audit line every call leaves.

The rules of survey_app/access.py for the API ("api-fieldworker" ...) are what these checks
add up to; tests/auth/test_route_roles.py calls every API route with each role's token."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, g, request
from flask_limiter.util import get_remote_address

from ..extensions import db
from ..kinds import Role
from ..models import ApiToken, User, record_audit
from ..user_errors import UserError
from . import tokens

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC_ENDPOINTS = frozenset({"api.openapi"})  # the API's description holds nothing of anyone


class Unauthorised(UserError):
    """No valid token: a 401, with the WWW-Authenticate header the JSON error handler adds."""

    status = 401


def bearer() -> str | None:
    """The token of ``Authorization: Bearer <token>``; None when the header is absent."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorised("Send the token as 'Authorization: Bearer <token>'.")
    return secret.strip()


def rate_key() -> str:
    """Flask-Limiter's key: the token (its hash: no token is kept in the limiter's store), or
    the address for a call without one."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()
    return "api-address:" + get_remote_address()


def authenticate() -> None:
    """before_request of the API blueprint: every endpoint but the description needs a valid
    token; its owner is ``g.api_user``."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    secret = bearer()
    if secret is None:
        raise Unauthorised("This API needs a token: 'Authorization: Bearer <token>'.")
    try:
        token = tokens.check(db.session, secret)
    except tokens.TokenInvalid as exc:
        raise Unauthorised(str(exc)) from None
    g.api_token = token


def current_user() -> User:
    token: ApiToken = g.api_token
    return token.user


def requires(role: Role) -> Callable[[F], F]:
    """403 unless the token's owner holds ``role`` (or a role that includes it)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user().has_role(role):
                raise UserError(f"A {current_user().role} token may not read this.", 403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _printable(text: str, length: int) -> str:
    """As much of ``text`` as is printable (PostgreSQL refuses a NUL byte in text and JSON)."""
    return "".join(c if c.isprintable() else "?" for c in text[:length])


def audit_call(response: Response) -> Response:
    """after_request of the API blueprint: each call, refused ones included, in the audit log
    (who, which path, its answer; never the token or the query's values)."""
    token: ApiToken | None = g.get("api_token")
    g.commit_on_error = True  # a refused call is audited too (nothing else is ever written)
    record_audit(
        db.session,
        "api.call",
        actor_id=token.user_id if token is not None else None,
        target=_printable(request.path, 200),
        detail={
            "token": token.id if token is not None else None,
            "status": response.status_code,
            "parameters": sorted(_printable(name, 40) for name in request.args)[:20],
        },
    )
    return response
