"""The case tracker: which sites a caseworker covers, and each mother's cases with their
forms. A case joins her questionnaires through her participant row only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..kinds import CaseFormKind, CaseFormStatus, CaseStatus
from .instruments import InstrumentVersion
from .participants import Participant
from .study import Site
from .types import JSONType, enum_type, utcnow
from .users import User


class UserSite(db.Model):  # type: ignore[name-defined,misc]
    """A site granted to a caseworker: she sees and writes the cases of these sites only."""

    __tablename__ = "user_sites"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)

    site: Mapped[Site] = relationship()


# The kind and status columns bring their own CHECKs (enum_type); these name their values in
# the other constraints and the partial indexes.
_NEW, _OPEN, _CLOSED = CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.CLOSED
_DRAFT, _SUBMITTED = CaseFormStatus.DRAFT, CaseFormStatus.SUBMITTED
_LIVE_CASE = f"status IN ('{_NEW}', '{_OPEN}')"
_ONE_REFERRAL = f"kind = '{CaseFormKind.REFERRAL}'"
_ONE_DRAFT = f"status = '{_DRAFT}'"
REASON_MAX = 500


class Case(db.Model):  # type: ignore[name-defined,misc]
    """A mother's episode of support at one site."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(enum_type(CaseStatus, "status", 10), default=_NEW)
    opened_on: Mapped[dt.date | None] = mapped_column()
    closed_on: Mapped[dt.date | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant] = relationship()
    site: Mapped[Site] = relationship()
    forms: Mapped[list[CaseForm]] = relationship(
        back_populates="case", order_by="CaseForm.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(f"(status = '{_CLOSED}') = (closed_on IS NOT NULL)", name="closed_on"),
        CheckConstraint(f"status = '{_NEW}' OR opened_on IS NOT NULL", name="opened_on"),
        # One live case per mother: a second referral while one is open is refused here.
        Index(
            "uq_cases_participant_live",
            "participant_id",
            unique=True,
            sqlite_where=text(_LIVE_CASE),
            postgresql_where=text(_LIVE_CASE),
        ),
    )


class CaseForm(db.Model):  # type: ignore[name-defined,misc]
    """One form of a case. A draft is saved page by page; a submitted form holds its current
    revision, and every submitted revision is kept in ``case_form_revisions``."""

    __tablename__ = "case_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CaseFormKind] = mapped_column(enum_type(CaseFormKind, "kind", 12))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))
    form_date: Mapped[dt.date | None] = mapped_column()
    status: Mapped[CaseFormStatus] = mapped_column(
        enum_type(CaseFormStatus, "status", 10), default=_DRAFT
    )
    # 0 while a draft; n once the n-th revision is submitted (a correction adds one).
    revision: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column()

    case: Mapped[Case] = relationship(back_populates="forms")
    instrument_version: Mapped[InstrumentVersion] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"(status = '{_SUBMITTED}') = (revision >= 1)", name="revision"),
        CheckConstraint(
            f"status = '{_DRAFT}' OR (form_date IS NOT NULL AND submitted_at IS NOT NULL)",
            name="submitted",
        ),
        # One referral per case, and one draft at a time.
        Index(
            "uq_case_forms_referral",
            "case_id",
            unique=True,
            sqlite_where=text(_ONE_REFERRAL),
            postgresql_where=text(_ONE_REFERRAL),
        ),
        Index(
            "uq_case_forms_draft",
            "case_id",
            unique=True,
            sqlite_where=text(_ONE_DRAFT),
            postgresql_where=text(_ONE_DRAFT),
        ),
    )

    @property
    def is_draft(self) -> bool:
        return self.status == _DRAFT


class CaseFormRevision(db.Model):  # type: ignore[name-defined,misc]
    """A submitted revision of a form, never changed: who sent it, when, and its content."""

    __tablename__ = "case_form_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("case_forms.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column()
    form_date: Mapped[dt.date] = mapped_column()
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Why a correction was made (revision 2 on); None on a first sending.
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))

    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("form_id", "revision", name="uq_case_form_revisions_form_revision"),
        CheckConstraint("revision >= 1", name="revision"),
    )


class CaseCorrection(db.Model):  # type: ignore[name-defined,misc]
    """A correction of a submitted form in progress, saved page by page: one per person and
    form, made on ``base_revision``. Sending it adds the next revision."""

    __tablename__ = "case_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("case_forms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    base_revision: Mapped[int] = mapped_column()
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    form: Mapped[CaseForm] = relationship()

    __table_args__ = (UniqueConstraint("form_id", "user_id", name="uq_case_corrections_form_user"),)


class CaseTransfer(db.Model):  # type: ignore[name-defined,misc]
    """A case moved to another prison with its mother (her pseudonym's site moves too): the
    forms stay on the case, so the receiving prison reads its whole history."""

    __tablename__ = "case_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    to_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    transferred_on: Mapped[dt.date] = mapped_column()
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    from_site: Mapped[Site] = relationship(foreign_keys=[from_site_id])
    to_site: Mapped[Site] = relationship(foreign_keys=[to_site_id])
    by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("from_site_id <> to_site_id", name="other_site"),)
