"""Audit events: who did what and when. Never answer content, passwords or tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import DbSession, JSONType, utcnow


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


def record_audit(
    session: DbSession,
    kind: str,
    *,
    actor_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the session (the request handler commits it)."""
    event = AuditEvent(kind=kind, actor_id=actor_id, target=target, detail=detail or {})
    session.add(event)
    return event


class AppendOnly(RuntimeError):
    """The audit log is append-only."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper: object, _connection: object, target: AuditEvent) -> None:
    raise AppendOnly(f"audit event {target.id} cannot be changed or deleted")
