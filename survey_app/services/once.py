"""A withdrawal or a void is made once, however often it is sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ..models import Participant, Response
from ..models.types import DbSession, utcnow
from ..user_errors import UserError


def stamp_once(
    session: DbSession,
    row: Participant | Response,
    stamp: str,
    values: dict[str, Any],
    already: str,
    error: type[UserError],
) -> None:
    """Set the empty timestamp column ``stamp`` to now, with ``values``, in one guarded
    update, so that two researchers doing it at once record it once. When it was set
    already, ``error`` says ``already`` and the day it was."""
    model = type(row)
    done = session.execute(
        update(model)
        .where(model.id == row.id, getattr(model, stamp).is_(None))
        .values({stamp: utcnow(), **values})
        .execution_options(synchronize_session="fetch")
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.refresh(row)
        when = getattr(row, stamp)
        raise error(already + (f" (on {when.day} {when:%b %Y})." if when else "."))
