"""What a field laptop's staff pages say at the top: that this is a laptop, its site, the
bundle it runs, the sealed responses and declines it holds for the server and its last export. The
research server has no FieldInstance row and says nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from ..models import Decline
from ..models.field import FieldExport, FieldInstance, SealedResponse
from ..models.types import DbSession
from ..study import current_study


@dataclass(frozen=True)
class LaptopStatus:
    site: str
    bundle_created: dt.datetime
    waiting: int  # sealed responses not yet confirmed by the server's receipt
    declines: int  # declines not yet confirmed by it
    last_export: dt.datetime | None


def laptop_status(session: DbSession) -> LaptopStatus | None:
    instance = session.get(FieldInstance, 1)
    if instance is None:
        return None
    waiting = session.scalar(select(func.count()).select_from(SealedResponse)) or 0
    declines = session.scalar(select(func.count()).select_from(Decline)) or 0
    last = session.scalar(select(func.max(FieldExport.created_at)))
    site = current_study().site_name(instance.site_code)
    return LaptopStatus(site, instance.bundle_created, waiting, declines, last)
