"""The case tracker: which sites a caseworker covers, and each mother's cases with their
forms. A case joins her questionnaires through her participant row only."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .study import Site


class UserSite(db.Model):  # type: ignore[name-defined,misc]
    """A site granted to a caseworker: she sees and writes the cases of these sites only."""

    __tablename__ = "user_sites"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)

    site: Mapped[Site] = relationship()
