"""Account operations: creating users and checking logins. They flush; callers commit."""

from __future__ import annotations

from sqlalchemy import func, select

from ..models import Role, User, record_audit
from ..models.types import DbSession
from ..user_errors import UserError
from .passwords import hash_password, needs_rehash, password_problem, verify_password


class AccountError(UserError, ValueError):
    pass


class WrongPassword(AccountError):
    """The current password given was not right (throttled like a login)."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: DbSession, email: str, password: str, role: Role | str, actor_id: int | None = None
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("That is not an email address.")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"Unknown role {role!r}: use {', '.join(Role)}.") from None
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"A user with email {email} already exists.")
    user = User(email=email, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    record_audit(
        session,
        kind="user.created",
        actor_id=actor_id,
        target=f"user:{user.id}",
        detail={"role": role.value},
    )
    session.flush()
    return user


def authenticate(session: DbSession, email: str, password: str) -> User | None:
    """The user if the email and password match an active account; else None (one answer for
    unknown email and wrong password)."""
    user: User | None = session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        record_audit(
            session,
            kind="login.failed",
            actor_id=user.id if user else None,
            detail={"known_account": user is not None},
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_audit(session, kind="login.succeeded", actor_id=user.id)
    return user


def user_count(session: DbSession) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


USER_ACTIONS = ("deactivate", "activate", "reset-totp", "unlock-totp")


def change_user(session: DbSession, user: User, action: str, actor_id: int) -> None:
    """An admin's change to an account; every change is audited, and deactivation ends the
    account's sessions at once."""
    from . import totp

    if action not in USER_ACTIONS:
        raise AccountError(f"Unknown action {action!r}.")
    if action == "deactivate" and user.id == actor_id:
        raise AccountError("You cannot deactivate your own account.")
    if action == "deactivate":
        user.active = False
        user.revoke_sessions()
        record_audit(session, "user.deactivated", actor_id=actor_id, target=f"user:{user.id}")
    elif action == "activate":
        user.active = True
        record_audit(session, "user.activated", actor_id=actor_id, target=f"user:{user.id}")
    elif action == "unlock-totp":
        totp.unlock(session, user, actor_id)
    else:
        totp.reset(session, user, actor_id)
    session.flush()


def change_password(session: DbSession, user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; every session of the account is
    revoked (the caller starts a fresh one for this browser)."""
    if not verify_password(user.password_hash, current):
        raise WrongPassword("Your current password is not right.")
    _replace_password(session, user, new, kind="user.password_changed", actor_id=user.id)


def set_password(session: DbSession, user: User, new: str) -> None:
    """An operator's reset from the command line (a lost password): no current password, every
    session of the account ended, audited without an actor (the server's operator)."""
    _replace_password(session, user, new, kind="user.password_set", actor_id=None)


def _replace_password(
    session: DbSession, user: User, new: str, *, kind: str, actor_id: int | None
) -> None:
    problem = password_problem(new)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    user.revoke_sessions()
    record_audit(session, kind=kind, actor_id=actor_id, target=f"user:{user.id}")
    session.flush()
