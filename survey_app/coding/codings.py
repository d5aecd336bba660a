"""Codings of one question's answers: who codes in which slot, progress, saving a coding
(themes ticked, quotes checked against the answer), and the coding that counts. No Flask;
operations flush and audit (never the text), the request commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..models import Coding, CodingMark, CodingQuestion, Theme, User, record_audit
from ..models.coding import QUOTE_MAX, SLOT_A, SLOT_B, SLOT_MAIN, SLOT_SETTLED
from ..models.types import DbSession, utcnow
from ..user_errors import UserError
from .answers import Answer, Question
from .answers import answers as answers_of


class CodingError(UserError):
    """A coding refused: the message says why and what to do."""


class CodingConflict(CodingError):
    """Someone else saved this answer's coding first; the coder's ticks are shown again."""

    status = 409


def coding_question(session: DbSession, q: Question) -> CodingQuestion:
    """The question's row, made the first time it is coded."""
    found = session.scalar(
        select(CodingQuestion).where(
            CodingQuestion.instrument_key == q.instrument_key,
            CodingQuestion.variable == q.variable,
        )
    )
    if found is None:
        found = CodingQuestion(instrument_key=q.instrument_key, variable=q.variable)
        session.add(found)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:  # made by another request at the same moment
            return coding_question(session, q)
    return found


def slot_of(cq: CodingQuestion, user: User) -> str:
    """Where ``user``'s codings of this question go; refused for a double-coded question she
    is not one of the two coders of."""
    if not cq.is_double:
        return SLOT_MAIN
    if user.id == cq.coder_a_id:
        return SLOT_A
    if user.id == cq.coder_b_id:
        return SLOT_B
    raise CodingError(
        "This question is coded twice, by its two coders only; you can see their agreement "
        "and settle their differences once both have finished.",
        403,
    )


def set_double(
    session: DbSession,
    cq: CodingQuestion,
    coder_a: User | None,
    coder_b: User | None,
    *,
    actor_id: int,
) -> None:
    """Make the question double-coded by two researchers (or single-coded: both None). Only
    before anyone has coded it: codings made one way would not count the other way."""
    if session.scalar(select(Coding.id).where(Coding.question_id == cq.id).limit(1)):
        raise CodingError(
            "This question has codings already, so who codes it cannot change now.", 409
        )
    if (coder_a is None) != (coder_b is None) or (coder_a is not None and coder_a == coder_b):
        raise CodingError("Please choose two different researchers, or neither.")
    cq.coder_a_id = coder_a.id if coder_a else None
    cq.coder_b_id = coder_b.id if coder_b else None
    session.flush()
    record_audit(
        session,
        "coding.double_set" if coder_a else "coding.double_unset",
        actor_id=actor_id,
        target=f"coding_question:{cq.id}",
    )


def codings(session: DbSession, cq: CodingQuestion, slot: str) -> dict[str, Coding]:
    found = session.scalars(select(Coding).where(Coding.question_id == cq.id, Coding.slot == slot))
    return {c.answer_ref: c for c in found}


@dataclass(frozen=True)
class Progress:
    coded: int
    total: int
    dropped: int  # codings of answers withdrawn, voided or emptied since

    @property
    def done(self) -> bool:
        return self.coded == self.total


def progress(answers: Sequence[Answer], coded: Mapping[str, Coding]) -> Progress:
    refs = {a.ref for a in answers}
    done = sum(1 for ref in coded if ref in refs)
    return Progress(done, len(refs), len(coded) - done)


def next_uncoded(
    answers: Sequence[Answer], coded: Mapping[str, Coding], after: str | None
) -> Answer | None:
    """The first answer not coded yet after ``after`` (then from the start)."""
    refs = [a.ref for a in answers]
    start = refs.index(after) + 1 if after in refs else 0
    for a in [*answers[start:], *answers[:start]]:
        if a.ref not in coded:
            return a
    return None


@dataclass(frozen=True)
class Ticks:
    """What a coder sent: the themes ticked, a quote per theme (optional), and the version of
    the coding her page was made from (0: not coded when the page opened)."""

    theme_ids: frozenset[int]
    quotes: Mapping[int, str]
    version: int


def _squash(text: str) -> str:
    return " ".join(text.split())


def checked_quotes(answer: Answer, ticks: Ticks, names: Mapping[int, str]) -> dict[int, str]:
    """Each quote, if any, must be a passage of the answer (spaces and line breaks aside) and
    belong to a ticked theme."""
    kept: dict[int, str] = {}
    whole = _squash(answer.text)
    for theme_id, quote in ticks.quotes.items():
        quote = _squash(quote)
        if not quote:
            continue
        name = names.get(theme_id, "this theme")
        if theme_id not in ticks.theme_ids:
            raise CodingError(
                f"A quote was given for “{name}”, which is not ticked: tick it or clear the quote."
            )
        if len(quote) > QUOTE_MAX or quote not in whole:
            raise CodingError(
                f"The quote for “{name}” is not a passage of this answer. Copy the words "
                "from the answer as they are written (a part of it, not a summary)."
            )
        kept[theme_id] = quote
    return kept


def save(
    session: DbSession, cq: CodingQuestion, answer: Answer, slot: str, coder: User, ticks: Ticks
) -> Coding:
    """Save one coding of one answer. A coding saved by someone else since the page opened is
    never overwritten: the save is refused with CodingConflict and nothing changes."""
    themes = _live_themes(session, ticks.theme_ids)
    quotes = checked_quotes(answer, ticks, {t.id: t.name for t in themes})
    coding = _claim(session, cq, answer.ref, slot, coder, ticks.version)
    session.execute(delete(CodingMark).where(CodingMark.coding_id == coding.id))
    session.add_all(
        CodingMark(coding_id=coding.id, theme_id=t.id, quote=quotes.get(t.id)) for t in themes
    )
    session.flush()
    session.expire(coding, ["marks"])
    record_audit(
        session,
        "coding.saved" if slot != SLOT_SETTLED else "coding.settled",
        actor_id=coder.id,
        target=f"coding_question:{cq.id}",
        detail={"answer": answer.ref, "slot": slot, "themes": len(themes)},
    )
    return coding


def _live_themes(session: DbSession, ids: frozenset[int]) -> list[Theme]:
    themes = list(session.scalars(select(Theme).where(Theme.id.in_(ids)).order_by(Theme.id)))
    if len(themes) != len(ids) or not all(t.is_live for t in themes):
        raise CodingConflict(
            "A theme you ticked was merged or deleted since the page opened. Nothing was "
            "saved: please tick the themes again on the page as it is now."
        )
    return themes


_TAKEN = (
    "Another coder saved this answer while you were coding it, so yours was not saved (nothing "
    "of theirs was lost either). Your ticks are shown below beside theirs: check and save again."
)


def _claim(
    session: DbSession, cq: CodingQuestion, ref: str, slot: str, coder: User, version: int
) -> Coding:
    """The coding row to write, taken at ``version``: made new when the page saw none (the
    unique constraint refuses a second), else raised by one guarded update."""
    if version == 0:
        made = Coding(question_id=cq.id, answer_ref=ref, slot=slot, coder_id=coder.id)
        session.add(made)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise CodingConflict(_TAKEN) from None
        return made
    moved = session.execute(
        update(Coding)
        .where(
            Coding.question_id == cq.id,
            Coding.answer_ref == ref,
            Coding.slot == slot,
            Coding.version == version,
        )
        .values(version=version + 1, coder_id=coder.id, coded_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not moved:
        raise CodingConflict(_TAKEN)
    found: Coding | None = session.scalar(
        select(Coding).where(
            Coding.question_id == cq.id, Coding.answer_ref == ref, Coding.slot == slot
        )
    )
    assert found is not None  # noqa: S101 - the update above found it
    session.refresh(found)
    return found


def counted(session: DbSession, cq: CodingQuestion, answers: Sequence[Answer]) -> dict[str, Coding]:
    """The coding that counts for each live answer: the one coding of a single-coded question;
    for a double-coded one, the settled coding, else the two coders' when they agree. Answers
    not coded yet, or whose two codings differ and are not settled, are left out."""
    refs = {a.ref for a in answers}
    if not cq.is_double:
        return {ref: c for ref, c in codings(session, cq, SLOT_MAIN).items() if ref in refs}
    first, second = codings(session, cq, SLOT_A), codings(session, cq, SLOT_B)
    settled = codings(session, cq, SLOT_SETTLED)
    result: dict[str, Coding] = {}
    for ref in refs:
        if ref in settled:
            result[ref] = settled[ref]
        elif ref in first and ref in second and first[ref].theme_ids == second[ref].theme_ids:
            result[ref] = first[ref]
    return result


@dataclass(frozen=True)
class Overview:
    """A question's line on the index: whether it is coded twice, and the answers counted."""

    cq: CodingQuestion
    counted: int
    total: int


def overview(session: DbSession, qs: Sequence[Question]) -> dict[tuple[str, str], Overview]:
    """The questions coding has started on (the others have no line yet, so the index does not
    read every answer of every questionnaire)."""
    rows = {(cq.instrument_key, cq.variable): cq for cq in session.scalars(select(CodingQuestion))}
    result = {}
    for q in qs:
        cq = rows.get((q.instrument_key, q.variable))
        if cq is not None:
            found = answers_of(session, q)
            result[(q.instrument_key, q.variable)] = Overview(
                cq, len(counted(session, cq, found)), len(found)
            )
    return result
