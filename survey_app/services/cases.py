"""The case tracker's rules: which sites a caseworker covers, and the life of a case (a
referral opens it, updates follow while it is open, a closure closes it, a re-opening opens
it again). Operations flush; the request or the command commits."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from .. import pseudonyms
from ..instruments import model
from ..instruments.model import Instrument
from ..instruments.publish import latest_version
from ..kinds import parse
from ..models import (
    Case,
    CaseCorrection,
    CaseForm,
    CaseFormKind,
    CaseFormRevision,
    CaseFormStatus,
    CaseStatus,
    Participant,
    Role,
    Site,
    User,
    UserSite,
    record_audit,
)
from ..models.cases import REASON_MAX
from ..models.types import DbSession, today, utcnow
from ..study import current_study
from ..user_errors import UserError
from . import responses as response_ops


class CaseError(UserError, ValueError):
    """Something the caseworker can put right; ``status`` is the HTTP status to answer."""

    status = 409


# Who is granted sites: a caseworker reads and writes their cases; a fieldworker's laptop
# bundles are those sites' (survey_app/field/bundle.py).
SITE_ROLES = (Role.CASEWORKER, Role.FIELDWORKER)


def grant_sites(session: DbSession, user: User, sites: Iterable[Site]) -> None:
    """Grant ``sites`` to a caseworker or a fieldworker (in addition to those she has)."""
    if user.role not in SITE_ROLES:
        raise CaseError("Only caseworker and fieldworker accounts are granted sites.", 422)
    have = set(granted_site_ids(session, user))
    for site in sites:
        if site.id not in have:
            session.add(UserSite(user_id=user.id, site_id=site.id))
            have.add(site.id)
    session.flush()


def revoke_sites(session: DbSession, user: User) -> None:
    session.execute(delete(UserSite).where(UserSite.user_id == user.id))


def set_sites(session: DbSession, user: User, sites: list[Site], actor_id: int | None) -> None:
    """A caseworker's (at least one) or a fieldworker's prisons become ``sites``; audited with
    before and after. A fieldworker granted none goes in every site's laptop bundle."""
    if user.role not in SITE_ROLES:
        raise CaseError("Only caseworker and fieldworker accounts are granted prisons.", 422)
    if not sites and user.role == Role.CASEWORKER:
        raise CaseError(
            "A caseworker needs at least one prison: deactivate the account instead.", 422
        )
    before = sorted(s.code for s in session.scalars(select(Site).join(UserSite).where(
        UserSite.user_id == user.id)))  # fmt: skip
    revoke_sites(session, user)
    if sites:
        grant_sites(session, user, sites)
    after = sorted(s.code for s in sites)
    if before != after:
        record_audit(
            session, "user.sites_changed", actor_id=actor_id, target=f"user:{user.id}",
            detail={"from": before, "to": after},
        )  # fmt: skip
    session.flush()


def granted_site_ids(session: DbSession, user: User) -> list[int]:
    return list(session.scalars(select(UserSite.site_id).where(UserSite.user_id == user.id)))


def readable_site_ids(session: DbSession, user: User) -> list[int] | None:
    """The sites whose cases ``user`` may read: None for every site (researchers, admins)."""
    if user.role == Role.CASEWORKER:
        return granted_site_ids(session, user)
    if user.has_role(Role.RESEARCHER):
        return None
    return []


# ---------------------------------------------------------------------------------------------
# The life of a case

REFERRAL, UPDATE, CLOSURE, REOPENING = CaseFormKind
# Which forms may start on a case in each status.
ALLOWED_KINDS: dict[CaseStatus, tuple[CaseFormKind, ...]] = {
    CaseStatus.OPEN: (UPDATE, CLOSURE),
    CaseStatus.CLOSED: (REOPENING,),
    CaseStatus.NEW: (),
}
# The status a case must have for each kind of form to be sent.
_SENT_ON = {
    REFERRAL: CaseStatus.NEW,
    UPDATE: CaseStatus.OPEN,
    CLOSURE: CaseStatus.OPEN,
    REOPENING: CaseStatus.CLOSED,
}


def instrument_of(form: CaseForm) -> Instrument:
    return model.from_version(form.instrument_version)


def check_site(session: DbSession, user: User, site_id: int) -> None:
    if user.role != Role.CASEWORKER or site_id not in granted_site_ids(session, user):
        raise CaseError("Your account does not cover this site's cases.", 403)


def live_case(session: DbSession, participant: Participant) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.participant_id == participant.id,
            Case.status.in_((CaseStatus.NEW, CaseStatus.OPEN)),
        )
    )


def _second_case_message(existing: Case) -> str:
    since = f" since {existing.opened_on:%d %B %Y}" if existing.opened_on else ""
    return (
        f"{existing.participant.pseudonym} already has an open case{since}: "
        "add an update to it, or close it before opening another."
    )


def _new_form(session: DbSession, case: Case, kind: CaseFormKind, user: User) -> CaseForm:
    version = latest_version(session, kind.instrument_key)
    if version is None:
        raise CaseError(f"No {kind.label.lower()} form is published.", 409)
    form = CaseForm(case=case, kind=kind, instrument_version=version, answers={})
    form.created_by_id = user.id
    session.add(form)
    return form


def open_case(session: DbSession, user: User, participant: Participant) -> CaseForm:
    """A new case for her at her site, with its referral form as a draft."""
    check_site(session, user, participant.site_id)
    if participant.withdrawn_at is not None:
        raise CaseError("This participant has withdrawn from the study.", 409)
    existing = live_case(session, participant)
    if existing is not None:
        raise CaseError(_second_case_message(existing))
    case = Case(participant=participant, site_id=participant.site_id, created_by_id=user.id)
    try:
        with session.begin_nested():
            session.add(case)
            form = _new_form(session, case, REFERRAL, user)
    except IntegrityError:
        # Another caseworker opened her case a moment ago.
        existing = live_case(session, participant)
        if existing is None:
            raise
        raise CaseError(_second_case_message(existing)) from None
    return form


def start_form(session: DbSession, user: User, case: Case, raw_kind: str) -> CaseForm:
    """A draft update, closure or re-opening, if the case's status allows it."""
    check_site(session, user, case.site_id)
    kind = parse(CaseFormKind, raw_kind)
    if kind is None:
        raise CaseError("There is no such form.", 404)
    if kind not in ALLOWED_KINDS[case.status]:
        raise CaseError(_not_now(case, kind))
    draft = next((f for f in case.forms if f.is_draft), None)
    if draft is not None:
        raise CaseError(
            f"A {draft.kind.label.lower()} form is in progress on this case: "
            "send or discard it first."
        )
    if kind == REOPENING:
        other = live_case(session, case.participant)
        if other is not None:
            raise CaseError(_second_case_message(other))
    try:
        with session.begin_nested():
            form = _new_form(session, case, kind, user)
    except IntegrityError:
        raise CaseError("Another form was started on this case a moment ago.") from None
    return form


def _not_now(case: Case, kind: CaseFormKind) -> str:
    if case.status == CaseStatus.CLOSED:
        return f"This case was closed on {case.closed_on:%d %B %Y}: re-open it first."
    if case.status == CaseStatus.NEW:
        return "Send the referral form first."
    return f"This case is open: a {kind.label.lower()} form is not for an open case."


def discard_draft(session: DbSession, user: User, form: CaseForm) -> None:
    check_site(session, user, form.case.site_id)
    if not form.is_draft:
        raise CaseError("This form has been sent: it can be corrected, not discarded.")
    case = form.case
    session.delete(form)
    session.flush()
    if case.status == CaseStatus.NEW:
        session.delete(case)  # a case is nothing without its referral
        session.flush()


def merge_page(
    answers: Mapping[str, Any], instrument: Instrument, values: Mapping[str, Any]
) -> dict[str, Any]:
    """One page's answers merged into saved ones, skip logic coded (as for questionnaires)."""
    merged = dict(answers)
    for variable, value in values.items():
        if value is None:
            merged.pop(variable, None)
        else:
            merged[variable] = value
    return response_ops.code_skips(instrument, merged)


def save_draft_page(form: CaseForm, values: Mapping[str, Any]) -> None:
    if not form.is_draft:
        raise CaseError("This form has been sent: correct it instead.")
    form.answers = merge_page(form.answers or {}, instrument_of(form), values)


def form_date(form: CaseForm, answers: Mapping[str, Any]) -> dt.date | None:
    raw = answers.get(form.kind.date_variable)
    return dt.date.fromisoformat(raw) if isinstance(raw, str) else None


def _submitted(case: Case) -> list[CaseForm]:
    return [f for f in case.forms if not f.is_draft]


def date_problem(date: dt.date, on: dt.date) -> str | None:
    """Why a form date cannot be right, or None: never in the future, never before the
    service began (study.yaml's service_start; support may predate the study itself)."""
    earliest = current_study().service_start
    if date > on:
        return f"The date {date:%d %B %Y} is in the future."
    if date < earliest:
        return (
            f"The date {date:%d %B %Y} is before the service began ({earliest:%d %B %Y}): "
            "please check the year."
        )
    return None


def pre_study_note(form: CaseForm, answers: Mapping[str, Any]) -> str | None:
    """A note for a referral whose support began before the study: it is accepted, and the
    report counts it before the first study year."""
    date = form_date(form, answers) if form.kind == REFERRAL else None
    start = current_study().study_start
    if date is None or date >= start:
        return None
    return (
        f"Support began before the study started ({start:%d %B %Y}): the case is kept, and "
        "the report counts it as Pre-Y1."
    )


def check_date_order(form: CaseForm, date: dt.date) -> None:
    """A form's date is on or after the form before it and on or before the one after it (in
    the order they were sent); referrals included."""
    sent = [f for f in _submitted(form.case) if f.id != form.id]
    before = [f for f in sent if f.id < form.id]
    after = [f for f in sent if f.id > form.id]
    if before and before[-1].form_date and date < before[-1].form_date:
        previous = before[-1]
        raise CaseError(
            f"The {form.kind.label.lower()} date ({date:%d %B %Y}) is before the "
            f"{previous.kind.label.lower()} of {previous.form_date:%d %B %Y}: "
            "dates must be in order.",
            422,
        )
    if after and after[0].form_date and date > after[0].form_date:
        following = after[0]
        raise CaseError(
            f"The {form.kind.label.lower()} date ({date:%d %B %Y}) is after the "
            f"{following.kind.label.lower()} of {following.form_date:%d %B %Y}: "
            "dates must be in order.",
            422,
        )


def _complete(form: CaseForm, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dt.date]:
    instrument = instrument_of(form)
    coded = response_ops.code_skips(instrument, answers)
    if response_ops.first_missing_required(instrument, coded) is not None:
        raise CaseError("Some questions that need an answer have not been answered yet.", 422)
    date = form_date(form, coded)
    if date is None:
        raise CaseError("The form's date is missing.", 422)
    problem = date_problem(date, today())
    if problem:
        raise CaseError(problem, 422)
    check_date_order(form, date)
    return coded, date


def submit(session: DbSession, user: User, form: CaseForm, seen_revision: int) -> None:
    """Send a draft: revision 1, and the case's status follows the form."""
    check_site(session, user, form.case.site_id)
    if not form.is_draft:
        raise CaseError("This form has been sent already.")
    if seen_revision != 0:
        # A draft's send page carries revision 0: another number means the page was altered.
        raise CaseError(
            "This page was changed in another window, so nothing was sent. Please check the "
            "answers below and press Send again."
        )
    case = form.case
    if case.status != _SENT_ON[form.kind]:
        raise CaseError(_not_now(case, form.kind))
    answers, date = _complete(form, form.answers or {})
    now = utcnow()
    form.answers, form.form_date = answers, date
    form.status, form.revision, form.submitted_at = CaseFormStatus.SUBMITTED, 1, now
    session.add(
        CaseFormRevision(
            form_id=form.id, revision=1, form_date=date, answers=answers,
            changed_by_id=user.id, changed_at=now,
        )
    )  # fmt: skip
    try:
        with session.begin_nested():
            refresh_case(case)
            session.flush()
    except IntegrityError:
        other = live_case(session, case.participant)
        raise CaseError(_second_case_message(other) if other else "Refused.") from None


def refresh_case(case: Case) -> None:
    """The case's status and dates, from its sent forms in the order they were sent."""
    status, opened, closed = CaseStatus.NEW, None, None
    for form in _submitted(case):
        if form.kind == REFERRAL:
            status, opened = CaseStatus.OPEN, form.form_date
        elif form.kind == CLOSURE:
            status, closed = CaseStatus.CLOSED, form.form_date
        elif form.kind == REOPENING:
            status, closed = CaseStatus.OPEN, None
    case.status, case.opened_on, case.closed_on = status, opened, closed


# ---------------------------------------------------------------------------------------------
# Corrections: a sent form is never changed in place


def start_correction(session: DbSession, user: User, form: CaseForm) -> CaseCorrection:
    check_site(session, user, form.case.site_id)
    if form.is_draft:
        raise CaseError("This form has not been sent yet: go on with it instead.")
    mine: CaseCorrection | None = session.scalar(
        select(CaseCorrection).where(
            CaseCorrection.form_id == form.id, CaseCorrection.user_id == user.id
        )
    )
    if mine is not None:
        return mine
    correction = CaseCorrection(
        form=form, user_id=user.id, base_revision=form.revision, answers=dict(form.answers)
    )
    session.add(correction)
    session.flush()
    return correction


def save_correction_page(correction: CaseCorrection, values: Mapping[str, Any]) -> None:
    instrument = instrument_of(correction.form)
    correction.answers = merge_page(correction.answers or {}, instrument, values)


class StaleRevision(CaseError):
    """Someone else sent a correction of this form after this one began."""


def revision_answers(session: DbSession, form: CaseForm, revision: int) -> dict[str, Any]:
    row = session.scalar(
        select(CaseFormRevision).where(
            CaseFormRevision.form_id == form.id, CaseFormRevision.revision == revision
        )
    )
    return dict(row.answers) if row is not None else {}


def checked_correction_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise CaseError("Please say why the form is being corrected.", 422)
    if len(reason) > REASON_MAX:
        raise CaseError(f"The reason must be at most {REASON_MAX} characters.", 422)
    return reason


def submit_correction(
    session: DbSession, user: User, correction: CaseCorrection, seen_revision: int, reason: str
) -> CaseForm:
    """Send a correction as the form's next revision, with why, if nobody sent one since it
    began (REDCap's "reason for change")."""
    form = correction.form
    check_site(session, user, form.case.site_id)
    if seen_revision != correction.base_revision or form.revision != correction.base_revision:
        raise _stale(session, form, correction)
    reason = checked_correction_reason(reason)
    answers, date = _complete(form, correction.answers or {})
    now = utcnow()
    # A guarded update: of two corrections sent at once, one wins and the other is told.
    done = session.execute(
        update(CaseForm)
        .where(CaseForm.id == form.id, CaseForm.revision == correction.base_revision)
        .values(revision=correction.base_revision + 1, answers=answers, form_date=date)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.refresh(form)
        raise _stale(session, form, correction)
    session.add(
        CaseFormRevision(
            form_id=form.id, revision=correction.base_revision + 1, form_date=date,
            answers=answers, changed_by_id=user.id, changed_at=now, reason=reason,
        )
    )  # fmt: skip
    record_audit(
        session, "case.form_corrected", actor_id=user.id, target=form.case.participant.pseudonym,
        detail={"case": form.case_id, "form": form.id, "revision": correction.base_revision + 1,
                "reason": reason},
    )  # fmt: skip
    session.delete(correction)
    session.flush()
    session.refresh(form)
    refresh_case(form.case)
    session.flush()
    return form


def _stale(session: DbSession, form: CaseForm, correction: CaseCorrection) -> StaleRevision:
    latest = session.scalar(
        select(CaseFormRevision)
        .where(CaseFormRevision.form_id == form.id)
        .order_by(CaseFormRevision.revision.desc())
        .limit(1)
    )
    who = latest.changed_by.email if latest and latest.changed_by else "someone"
    when = f" on {latest.changed_at:%d %B %Y at %H:%M}" if latest else ""
    return StaleRevision(
        f"{who} sent a correction of this form{when} (revision {form.revision}) after yours "
        f"began on revision {correction.base_revision}. Your changes are kept: apply them to "
        "the newest revision, check the pages and send again.",
        409,
    )


def rebase_correction(session: DbSession, correction: CaseCorrection) -> None:
    """Carry her changes (what differs from the revision she began on) onto the newest one."""
    form = correction.form
    base = revision_answers(session, form, correction.base_revision)
    mine = correction.answers or {}
    changed = {k: v for k, v in mine.items() if base.get(k) != v}
    dropped = [k for k in base if k not in mine]
    answers = dict(form.answers)
    answers.update(changed)
    for key in dropped:
        answers.pop(key, None)
    correction.answers = response_ops.code_skips(instrument_of(form), answers)
    correction.base_revision = form.revision
    session.flush()


# ---------------------------------------------------------------------------------------------
# Lists


@dataclass(frozen=True)
class CaseRow:
    case: Case
    last_form: CaseForm | None
    update_due: bool


def case_list(session: DbSession, site_ids: list[int] | None, *, today: dt.date) -> list[CaseRow]:
    """The cases of these sites (None: every site), newest first, each with its last sent
    form and whether an update is due (open, and the last form older than the study says)."""
    query = (
        select(Case)
        .options(selectinload(Case.forms), joinedload(Case.participant), joinedload(Case.site))
        .order_by(Case.id.desc())
    )
    if site_ids is not None:
        query = query.where(Case.site_id.in_(site_ids))
    due_days = current_study().case_update_due_days
    rows = []
    for case in session.scalars(query).unique():
        sent = _submitted(case)
        last = sent[-1] if sent else None
        due = (
            case.status == CaseStatus.OPEN
            and last is not None
            and last.form_date is not None
            and (today - last.form_date).days >= due_days
        )
        rows.append(CaseRow(case, last, due))
    return rows


def most_chosen(
    session: DbSession, site_id: int, kind: CaseFormKind, variable: str, n: int
) -> list[int]:
    """The ``n`` codes ticked most often in ``variable`` on the site's sent forms of ``kind``
    (at least twice), most first; ties by code."""
    ticked: Counter[int] = Counter()
    forms = session.scalars(
        select(CaseForm.answers)
        .join(Case)
        .where(
            Case.site_id == site_id,
            CaseForm.kind == kind,
            CaseForm.status == CaseFormStatus.SUBMITTED,
        )
    )
    for answers in forms:
        value = answers.get(variable) if isinstance(answers, dict) else None
        if isinstance(value, list):
            ticked.update(c for c in value if isinstance(c, int))
    ranked = sorted((c for c, k in ticked.items() if k >= 2), key=lambda c: (-ticked[c], c))
    return ranked[:n]


@dataclass(frozen=True)
class CaseSearch:
    """A typed ID on the case list: ``pseudonym`` None when it is not a valid ID; her cases
    at the reader's sites; whether she is registered there without one."""

    typed: str
    pseudonym: str | None
    cases: list[Case]
    registered_here: bool


def search_cases(session: DbSession, typed: str, site_ids: list[int] | None) -> CaseSearch:
    """Her cases at these sites (None: every site), oldest first. An unknown ID and another
    prison's mother are alike: no case, not registered here."""
    try:
        pseudonym = pseudonyms.normalise(typed, current_study().pseudonym_prefix)
    except pseudonyms.InvalidPseudonym:
        return CaseSearch(typed, None, [], False)
    query = select(Case).join(Participant).where(Participant.pseudonym == pseudonym)
    here = select(Participant.id).where(Participant.pseudonym == pseudonym)
    if site_ids is not None:
        query = query.where(Case.site_id.in_(site_ids))
        here = here.where(Participant.site_id.in_(site_ids))
    cases = list(session.scalars(query.order_by(Case.id)))
    registered = bool(cases) or session.scalar(here) is not None
    return CaseSearch(typed, pseudonym, cases, registered)


def cases_of(session: DbSession, participant: Participant) -> list[Case]:
    return list(
        session.scalars(
            select(Case)
            .options(selectinload(Case.forms))
            .where(Case.participant_id == participant.id)
            .order_by(Case.id)
        )
    )


def forms_in_time_order(case: Case) -> list[CaseForm]:
    """Sent forms by date (then by the order they were sent), a draft last."""
    sent = sorted(_submitted(case), key=lambda f: (f.form_date or dt.date.max, f.id))
    return sent + [f for f in case.forms if f.is_draft]


def revisions(session: DbSession, form: CaseForm) -> list[CaseFormRevision]:
    return list(
        session.scalars(
            select(CaseFormRevision)
            .options(joinedload(CaseFormRevision.changed_by))
            .where(CaseFormRevision.form_id == form.id)
            .order_by(CaseFormRevision.revision)
        )
    )
