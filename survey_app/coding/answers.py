"""The open questions that can be coded and their answers, read as the export reads them:
complete, not voided questionnaires (a withdrawal that deleted her answers leaves none) and
sent case forms. An answer is shown with its question and the respondent's site only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..instruments import model
from ..kinds import Audience, CaseFormStatus, ResponseStatus
from ..models import Case, CaseForm, InstrumentVersion, Link, Participant, Response
from ..models.types import DbSession

TEXT_TYPES = ("short_text", "long_text")
SITE_NOT_GIVEN = "Site not given"
# The item some questionnaires ask for the prison the respondent works in (the report's
# tables group staff by it): its label beats the link's site.
PRISON_ITEM = "prison"


@dataclass(frozen=True)
class Question:
    instrument_key: str
    variable: str
    instrument_title: str
    text: str
    audience: Audience

    @property
    def is_case_form(self) -> bool:
        return self.audience == Audience.CASEWORKER


@dataclass(frozen=True)
class Answer:
    """One answer to code. ``respondent`` groups the answers of one person (a response, or a
    case for case forms) for the counts; ``export_id`` and ``wave`` name the row the export
    already has for it (a pseudonym and wave, a link response's ID, a case form's number)."""

    ref: str
    text: str
    site: str
    respondent: str
    export_id: str
    wave: str = ""


def questions(session: DbSession) -> list[Question]:
    """Every text item of every published instrument, worded as its latest version words it."""
    found: dict[tuple[str, str], Question] = {}
    versions = session.scalars(
        select(InstrumentVersion).order_by(InstrumentVersion.key, InstrumentVersion.version)
    )
    for version in versions:
        parsed = model.from_version(version)
        for item in parsed.questions():
            if item.type in TEXT_TYPES and item.variable is not None:
                found[(version.key, item.variable)] = Question(
                    version.key, item.variable, version.title, item.text["en"], version.audience
                )
    return sorted(found.values(), key=lambda q: (q.is_case_form, q.instrument_title, q.variable))


def question(session: DbSession, instrument_key: str, variable: str) -> Question | None:
    return next(
        (
            q
            for q in questions(session)
            if (q.instrument_key, q.variable) == (instrument_key, variable)
        ),
        None,
    )


def _text(answers: dict[str, Any] | None, variable: str) -> str | None:
    value = (answers or {}).get(variable)
    return value if isinstance(value, str) and value.strip() else None


def answers(session: DbSession, q: Question) -> list[Answer]:
    """The question's answers that say something, in a stable order. Read once a request (the
    session's ``info`` lives as long as the request's session): a page asks several times."""
    cache: dict[tuple[str, str], list[Answer]] = session.info.setdefault("coding_answers", {})
    key = (q.instrument_key, q.variable)
    if key not in cache:
        found = _case_answers(session, q) if q.is_case_form else _response_answers(session, q)
        cache[key] = list(found)
    return cache[key]


def _response_answers(session: DbSession, q: Question) -> Iterator[Answer]:
    query = (
        select(Response)
        .join(InstrumentVersion)
        .where(
            InstrumentVersion.key == q.instrument_key,
            Response.status == ResponseStatus.COMPLETE,
            Response.voided_at.is_(None),
        )
        .options(
            selectinload(Response.link).selectinload(Link.site),
            selectinload(Response.participant).selectinload(Participant.site),
            selectinload(Response.wave),
        )
        .order_by(Response.completed_on, Response.id)
    )
    for response in session.scalars(query):
        text = _text(response.answers, q.variable)
        if text is not None:
            yield _response_answer(response, text)


def _response_answer(response: Response, text: str) -> Answer:
    ref, site = f"r{response.id}", _site_of(response)
    if response.participant is not None and response.wave is not None:
        return Answer(ref, text, site, ref, response.participant.pseudonym, response.wave.code)
    return Answer(ref, text, site, ref, response.id)


def _site_of(response: Response) -> str:
    parsed = model.from_version(response.instrument_version)
    item = parsed.item(PRISON_ITEM)
    code = (response.answers or {}).get(PRISON_ITEM)
    if item is not None and item.options:
        label = next((o.label["en"] for o in item.options if o.code == code), None)
        if label is not None:
            return label
    if response.participant is not None:
        return response.participant.site.name
    if response.link is not None and response.link.site is not None:
        return response.link.site.name
    return SITE_NOT_GIVEN


def _case_answers(session: DbSession, q: Question) -> Iterator[Answer]:
    query = (
        select(CaseForm)
        .join(InstrumentVersion)
        .where(
            InstrumentVersion.key == q.instrument_key, CaseForm.status == CaseFormStatus.SUBMITTED
        )
        .options(selectinload(CaseForm.case).selectinload(Case.site))
        .order_by(CaseForm.form_date, CaseForm.id)
    )
    for form in session.scalars(query):
        text = _text(form.answers, q.variable)
        if text is not None:
            yield Answer(f"f{form.id}", text, form.case.site.name, f"c{form.case_id}", str(form.id))


def answer(session: DbSession, q: Question, ref: str) -> Answer | None:
    """One answer by its reference, if it is still there to code (None: withdrawn, voided,
    deleted or emptied since)."""
    return next((a for a in answers(session, q) if a.ref == ref), None)
