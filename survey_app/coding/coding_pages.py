"""The coding pages of one open question: its answers and who codes them, one answer at a
time with tick boxes for the themes, and for a question coded twice the coders' agreement and
the settling of their differences."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..auth.roles import role_required
from ..extensions import db
from ..models import Coding, CodingQuestion, Role, User
from ..models.coding import SLOT_A, SLOT_B, SLOT_SETTLED
from . import agreement, answers, bp, codebook, codings
from .answers import Answer, Question
from .forms import CodersForm, CodingFormBase, coding_form

# The keys that tick the first themes: digits, then letters (shown beside each theme).
SHORTCUTS = "123456789" + "abcdefghijklmnopqrstuvwxyz"


def _question_or_404(instrument_key: str, variable: str) -> Question:
    found = answers.question(db.session, instrument_key, variable)
    if found is None:
        abort(404)
    return found


def _researchers() -> list[User]:
    return [
        u
        for u in db.session.scalars(select(User).where(User.active).order_by(User.email))
        if u.role in (Role.RESEARCHER, Role.ADMIN)
    ]


@bp.route("/questions/<instrument_key>/<variable>", methods=["GET", "POST"])
@role_required(Role.RESEARCHER)
def question(instrument_key: str, variable: str) -> ResponseReturnValue:
    q = _question_or_404(instrument_key, variable)
    cq = codings.coding_question(db.session, q)
    form = CodersForm(data={"coder_a": cq.coder_a_id or 0, "coder_b": cq.coder_b_id or 0})
    people = [SelectChoice("0", "No one (coded once)")] + [
        SelectChoice(str(u.id), u.email) for u in _researchers()
    ]
    form.coder_a.choices = form.coder_b.choices = people
    error, status = None, 200
    if form.validate_on_submit():
        chosen = [
            db.session.get(User, n) if n else None for n in (form.coder_a.data, form.coder_b.data)
        ]
        try:
            codings.set_double(db.session, cq, chosen[0], chosen[1], actor_id=current_user.id)
        except codings.CodingError as exc:
            error, status = str(exc), exc.status
        else:
            flash("Who codes this question is saved.", "status")
            return redirect(
                url_for("coding.question", instrument_key=instrument_key, variable=variable)
            )
    elif form.errors:
        error, status = "Please choose researchers from the lists.", 422
    found = answers.answers(db.session, q)
    return render_template(
        "coding/question.html",
        q=q,
        cq=cq,
        form=form,
        error=error,
        answers=found,
        counted=codings.counted(db.session, cq, found),
        mine=_my_codings(cq),
        can_code=not cq.is_double or current_user.id in (cq.coder_a_id, cq.coder_b_id),
    ), status


def _my_codings(cq: CodingQuestion) -> dict[str, Any]:
    try:
        slot = codings.slot_of(cq, current_user)
    except codings.CodingError:
        return {}
    return codings.codings(db.session, cq, slot)


def _coding_page(
    q: Question,
    cq: CodingQuestion,
    slot: str,
    answer: Answer | None,
    form: CodingFormBase | None = None,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    found = answers.answers(db.session, q)
    mine = codings.codings(db.session, cq, slot)
    themes = codebook.live_themes(db.session)
    existing = mine.get(answer.ref) if answer else None
    pair = _pair(cq, answer) if slot == SLOT_SETTLED and answer else None
    if answer is not None and form is None:
        form = coding_form(themes)(formdata=None, data=_prefill(answer, existing, pair))
    return render_template(
        "coding/code.html",
        q=q,
        cq=cq,
        slot=slot,
        answer=answer,
        number=[a.ref for a in found].index(answer.ref) + 1 if answer else None,
        form=form,
        themes=themes,
        shortcuts=dict(zip([t.id for t in themes], SHORTCUTS, strict=False)),
        progress=codings.progress(found, mine),
        existing=existing,
        pair=pair,
        error=error,
    ), status


def _pair(cq: CodingQuestion, answer: Answer) -> tuple[Coding, Coding] | None:
    """The two coders' codings of an answer, shown side by side when settling."""
    first = codings.codings(db.session, cq, SLOT_A).get(answer.ref)
    second = codings.codings(db.session, cq, SLOT_B).get(answer.ref)
    return (first, second) if first and second else None


def _prefill(
    answer: Answer, existing: Coding | None, pair: tuple[Coding, Coding] | None
) -> dict[str, Any]:
    """The form as saved; a coding to settle starts from the themes both coders gave."""
    data: dict[str, Any] = {"answer": answer.ref, "version": existing.version if existing else 0}
    marks = existing.marks if existing else []
    if existing is None and pair is not None:
        agreed = pair[0].theme_ids & pair[1].theme_ids
        marks = [m for m in [*pair[0].marks, *pair[1].marks] if m.theme_id in agreed]
    data["themes"] = sorted({m.theme_id for m in marks})
    data.update({f"quote_{m.theme_id}": m.quote or "" for m in marks if m.quote})
    return data


@bp.route("/questions/<instrument_key>/<variable>/code", methods=["GET", "POST"])
@role_required(Role.RESEARCHER)
def code(instrument_key: str, variable: str) -> ResponseReturnValue:
    q = _question_or_404(instrument_key, variable)
    cq = codings.coding_question(db.session, q)
    slot = codings.slot_of(cq, current_user)
    if request.method == "POST":
        return _save(q, cq, slot)
    wanted = request.args.get("answer", "")[:40]
    found = answers.answers(db.session, q)
    if wanted:
        answer = next((a for a in found if a.ref == wanted), None)
        if answer is None:
            return _gone(q, cq, slot)
    else:
        answer = codings.next_uncoded(found, codings.codings(db.session, cq, slot), None)
    return _coding_page(q, cq, slot, answer)


def _gone(q: Question, cq: CodingQuestion, slot: str) -> ResponseReturnValue:
    return _coding_page(
        q,
        cq,
        slot,
        None,
        error="This answer is no longer there to code: it was withdrawn or voided (or emptied) "
        "since. It is left out of the coding and of the counts.",
        status=410,
    )


def _save(q: Question, cq: CodingQuestion, slot: str) -> ResponseReturnValue:
    themes = codebook.live_themes(db.session)
    form = coding_form(themes)()
    ref = (form.answer.data or "")[:40]
    answer = answers.answer(db.session, q, ref)
    if answer is None:
        return _gone(q, cq, slot)
    if not form.validate():
        return _coding_page(q, cq, slot, answer, form, "Please check the parts marked below.", 422)
    ticks = codings.Ticks(
        frozenset(form.themes.data or []),
        {t.id: form.quote_field(t.id).data or "" for t in themes},
        form.version.data,
    )
    try:
        codings.save(db.session, cq, answer, slot, current_user, ticks)
    except codings.CodingConflict as exc:
        db.session.rollback()
        return _conflict_page(q, cq, slot, answer, form, str(exc))
    except codings.CodingError as exc:
        return _coding_page(q, cq, slot, answer, form, str(exc), exc.status)
    if slot == SLOT_SETTLED:
        flash("The settled coding is saved.", "status")
        return redirect(
            url_for("coding.agreement_page", instrument_key=q.instrument_key, variable=q.variable)
        )
    nxt = codings.next_uncoded(
        answers.answers(db.session, q), codings.codings(db.session, cq, slot), answer.ref
    )
    flash("Coding saved.", "status")
    # The next answer not coded yet; none left, the page says every answer is coded.
    return redirect(
        url_for(
            "coding.code",
            instrument_key=q.instrument_key,
            variable=q.variable,
            answer=nxt.ref if nxt else None,
        )
    )


def _conflict_page(
    q: Question, cq: CodingQuestion, slot: str, answer: Answer, form: CodingFormBase, message: str
) -> ResponseReturnValue:
    """Her ticks stay on the page; the version is the saved one's, so saving again now
    replaces theirs knowingly."""
    saved = codings.codings(db.session, cq, slot).get(answer.ref)
    form.version.data = saved.version if saved else 0
    form.version.raw_data = [str(form.version.data)]
    return _coding_page(q, cq, slot, answer, form, message, 409)


def _double_or_404(q: Question) -> CodingQuestion:
    cq = codings.coding_question(db.session, q)
    if not cq.is_double:
        abort(404)
    return cq


@bp.route("/questions/<instrument_key>/<variable>/agreement")
@role_required(Role.RESEARCHER)
def agreement_page(instrument_key: str, variable: str) -> ResponseReturnValue:
    q = _question_or_404(instrument_key, variable)
    cq = _double_or_404(q)
    found = answers.answers(db.session, q)
    refs = [a.ref for a in found]
    first, second = codings.codings(db.session, cq, SLOT_A), codings.codings(db.session, cq, SLOT_B)
    progress = (codings.progress(found, first), codings.progress(found, second))
    # Blind until both have finished: neither sees how the other coded any answer before.
    both_done = progress[0].done and progress[1].done
    themes = codebook.live_themes(db.session)
    settled = codings.codings(db.session, cq, SLOT_SETTLED)
    names = {t.id: t.name for t in themes}
    return render_template(
        "coding/agreement.html",
        q=q,
        cq=cq,
        progress=progress,
        both_done=both_done,
        per_theme=agreement.per_theme(themes, first, second, refs) if both_done else [],
        disagreements=agreement.disagreements(first, second, refs) if both_done else [],
        settled=settled,
        theme_names=lambda ids: ", ".join(sorted(names[i] for i in ids if i in names)) or "none",
        numbers={ref: i for i, ref in enumerate(refs, start=1)},
    )


@bp.route("/questions/<instrument_key>/<variable>/settle", methods=["GET", "POST"])
@role_required(Role.RESEARCHER)
def settle(instrument_key: str, variable: str) -> ResponseReturnValue:
    q = _question_or_404(instrument_key, variable)
    cq = _double_or_404(q)
    found = answers.answers(db.session, q)
    first, second = codings.codings(db.session, cq, SLOT_A), codings.codings(db.session, cq, SLOT_B)
    if not (codings.progress(found, first).done and codings.progress(found, second).done):
        raise codings.CodingError(
            "The two coders have not both finished this question: their codings stay hidden "
            "until then, so there is nothing to settle yet.",
            409,
        )
    if request.method == "POST":
        return _save(q, cq, SLOT_SETTLED)
    answer = next((a for a in found if a.ref == request.args.get("answer", "")[:40]), None)
    if answer is None:
        return _gone(q, cq, SLOT_SETTLED)
    return _coding_page(q, cq, SLOT_SETTLED, answer)
