"""The case tracker's rules: which sites a caseworker covers, and the life of a case (a
referral opens it, updates follow while it is open, a closure closes it, a re-opening opens
it again). Operations flush; the request or the command commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from ..models import Site, User, UserSite
from ..models._types import DbSession


class CaseError(ValueError):
    """Something the caseworker can put right; ``status`` is the HTTP status to answer."""

    status = 409

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


def grant_sites(session: DbSession, user: User, sites: Iterable[Site]) -> None:
    """Grant ``sites`` to a caseworker (in addition to those she has)."""
    if user.role != "caseworker":
        raise CaseError("Only a caseworker account is granted sites.", 422)
    have = set(granted_site_ids(session, user))
    for site in sites:
        if site.id not in have:
            session.add(UserSite(user_id=user.id, site_id=site.id))
            have.add(site.id)
    session.flush()


def revoke_sites(session: DbSession, user: User) -> None:
    session.execute(delete(UserSite).where(UserSite.user_id == user.id))


def granted_site_ids(session: DbSession, user: User) -> list[int]:
    return list(session.scalars(select(UserSite.site_id).where(UserSite.user_id == user.id)))


def readable_site_ids(session: DbSession, user: User) -> list[int] | None:
    """The sites whose cases ``user`` may read: None for every site (researchers, admins)."""
    if user.role == "caseworker":
        return granted_site_ids(session, user)
    if user.has_role("researcher"):
        return None
    return []
