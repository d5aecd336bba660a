"""A mother who moves prison: her case, with every form on it, moves to the other prison and
so does her pseudonym, so that one ID keeps both prisons' forms in time order. A researcher,
an admin or a caseworker of the sending prison moves it; each move is kept and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from ..models import Case, CaseForm, CaseTransfer, Role, Site, SiteKind, User, record_audit
from ..models.cases import REASON_MAX
from ..models.types import DbSession, today
from .cases import CaseError, cases_of, date_problem, granted_site_ids


def may_transfer(session: DbSession, user: User, case: Case) -> bool:
    if user.has_role(Role.RESEARCHER):
        return True
    return user.role == Role.CASEWORKER and case.site_id in granted_site_ids(session, user)


def destinations(session: DbSession, case: Case) -> list[Site]:
    """The study's other prisons, by name."""
    return list(
        session.scalars(
            select(Site)
            .where(Site.kind == SiteKind.PRISON, Site.id != case.site_id)
            .order_by(Site.name)
        )
    )


def transfer(
    session: DbSession, user: User, case: Case, to_site: str, on: dt.date, reason: str
) -> CaseTransfer:
    """Move ``case`` and its mother to the prison coded ``to_site``."""
    if not may_transfer(session, user, case):
        raise CaseError(
            "Only a researcher, an administrator or a caseworker of her prison can move her case.",
            403,
        )
    participant = case.participant
    if participant.withdrawn_at is not None:
        raise CaseError("She has withdrawn from the study: her case is not moved.", 409)
    if cases_of(session, participant)[-1].id != case.id:
        raise CaseError("Only her latest case moves with her.", 409)
    site = next((s for s in destinations(session, case) if s.code == to_site), None)
    if site is None:
        raise CaseError("Choose one of the study's other prisons.", 422)
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise CaseError(f"Please say why, in at most {REASON_MAX} characters.", 422)
    problem = date_problem(on, today())
    if problem:
        raise CaseError(problem, 422)
    moved = CaseTransfer(
        case_id=case.id, from_site_id=case.site_id, to_site_id=site.id, transferred_on=on,
        reason=reason, by_id=user.id,
    )  # fmt: skip
    session.add(moved)
    record_audit(
        session, "case.transferred", actor_id=user.id, target=participant.pseudonym,
        detail={"case": case.id, "from": case.site.code, "to": site.code, "on": on.isoformat()},
    )  # fmt: skip
    case.site_id = participant.site_id = site.id
    session.flush()
    session.refresh(case)
    return moved


def transfers_of(session: DbSession, case: Case) -> list[CaseTransfer]:
    return list(
        session.scalars(
            select(CaseTransfer).where(CaseTransfer.case_id == case.id).order_by(CaseTransfer.id)
        )
    )


def form_sites(case: Case, moves: Sequence[CaseTransfer]) -> dict[int, Site]:
    """The prison each form was written at: the case's site when the form was started."""
    sites: dict[int, Site] = {}
    for form in case.forms:
        sites[form.id] = _site_at(case, moves, form)
    return sites


def _site_at(case: Case, moves: Sequence[CaseTransfer], form: CaseForm) -> Site:
    site = moves[0].from_site if moves else case.site
    for move in moves:
        if move.at <= form.created_at:
            site = move.to_site
    return site
