"""Anonymous links: creating, closing and finding them by token."""

from __future__ import annotations

import datetime as dt
import io
import re

import segno
from sqlalchemy import select

from ..instruments.publish import latest_version
from ..models import Audience, Link, Site, record_audit
from ..models.types import DbSession, utcnow
from ..user_errors import UserError

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class LinkError(UserError, ValueError):
    pass


def create(
    session: DbSession,
    instrument_key: str,
    site: Site | None = None,
    closes_on: dt.date | None = None,
    actor_id: int | None = None,
) -> Link:
    version = latest_version(session, instrument_key)
    if version is None:
        raise LinkError(f"No published instrument {instrument_key!r}.")
    if version.audience == Audience.MOTHER:
        raise LinkError("Mothers answer on the kiosk, not through anonymous links.")
    if version.audience == Audience.CASEWORKER:
        raise LinkError("Case forms are written on the case pages, not through anonymous links.")
    link = Link(
        instrument_key=instrument_key, site=site, closes_on=closes_on, created_by_id=actor_id
    )
    session.add(link)
    session.flush()
    record_audit(
        session,
        kind="link.created",
        actor_id=actor_id,
        target=f"link:{link.id}",
        detail={"instrument": instrument_key, "site": site.code if site else None},
    )
    session.flush()
    return link


def close(session: DbSession, link: Link, actor_id: int | None = None) -> None:
    if link.closed_at is None:
        link.closed_at = utcnow()
        record_audit(session, kind="link.closed", actor_id=actor_id, target=f"link:{link.id}")
        session.flush()


def reopen(session: DbSession, link: Link, today: dt.date, actor_id: int | None = None) -> None:
    """Take answers again through a link that was closed (by mistake, or for a second round).
    One past its closing date stays closed: that date was chosen, so a new link is clearer."""
    if link.closed_at is None:
        raise LinkError("That link is open already.")
    if link.closes_on is not None and link.closes_on < today:
        raise LinkError(
            f"That link's closing date ({link.closes_on.day} {link.closes_on:%b %Y}) has passed:"
            " create a new link."
        )
    link.closed_at = None
    record_audit(session, kind="link.reopened", actor_id=actor_id, target=f"link:{link.id}")
    session.flush()


def qr_svg(address: str) -> bytes:
    """A link's full address as a QR code, an SVG file (black on white, with the quiet zone
    around it) that prints sharp at any size on a poster or a flyer."""
    out = io.BytesIO()
    segno.make(address, error="m").save(
        out, kind="svg", scale=4, dark="#000", light="#fff", title="QR code of " + address
    )
    return out.getvalue()


def by_token(session: DbSession, token: str) -> Link | None:
    """The link with this token; None for unknown or malformed tokens (both answer 404)."""
    if not _TOKEN.match(token):
        return None
    return session.scalar(select(Link).where(Link.token == token))
