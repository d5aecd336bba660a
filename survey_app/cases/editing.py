"""Writing case forms: a draft page by page, sending it, discarding it; and a correction of a
sent form, page by page, sent as the form's next revision. Only a caseworker of the case's
site writes (the service checks the site where the data is written)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..extensions import db
from ..instruments.model import Instrument, Item, Option, pick
from ..models import Case, CaseCorrection, CaseForm, CaseStatus, User
from ..models.cases import REASON_MAX
from ..numbers import whole_number
from ..services import cases as ops
from ..services import responses as response_ops
from . import bp
from .access import caseworker_only
from .forms import CasePageForm, build_case_page_form, count_name
from .pages import load_case, load_form
from .summary import answer_rows

NOTICE = "No names or identifying details: not hers, her children's or anyone else's."
# A multiple choice with more options than this is a long list: a filter box, and the
# prison's most ticked options first.
LONG_LIST = 20
COMMON_SHOWN = 8


def _common_choices(target: Target, items: list[Item]) -> dict[str, list[int]]:
    return {
        item.variable: ops.most_chosen(
            db.session, target.case.site_id, target.form.kind, item.variable, COMMON_SHOWN
        )
        for item in items
        if item.variable and item.type == "multiple" and len(item.options) > LONG_LIST
    }


def _ordered(options: tuple[Option, ...], first: list[int]) -> list[Option]:
    """``options`` with the codes in ``first`` moved to the front, in that order."""
    by_code = {o.code: o for o in options}
    front = [by_code[c] for c in first if c in by_code]
    return front + [o for o in options if o.code not in first]


@dataclass(frozen=True)
class Target:
    """What a page writes to: a draft form, or a correction of a sent one."""

    case: Case
    form: CaseForm
    answers: Mapping[str, Any]
    save: Callable[[Mapping[str, Any]], None]
    page_url: Callable[[int], str]
    send_url: str
    revision: int
    correction: bool


def _draft_target(case: Case, form: CaseForm) -> Target:
    if not form.is_draft:
        abort(404)
    return Target(
        case, form, form.answers or {}, lambda v: ops.save_draft_page(form, v),
        lambda i: url_for("cases.form_page", case_id=case.id, form_id=form.id, index=i),
        url_for("cases.send_form", case_id=case.id, form_id=form.id), 0, False,
    )  # fmt: skip


def _correction(form: CaseForm) -> CaseCorrection:
    found: CaseCorrection | None = db.session.scalar(
        select(CaseCorrection).where(
            CaseCorrection.form_id == form.id, CaseCorrection.user_id == current_user.id
        )
    )
    if found is None:
        abort(404)
    return found


def _correction_target(case: Case, form: CaseForm) -> Target:
    correction = _correction(form)
    return Target(
        case, form, correction.answers or {},
        lambda v: ops.save_correction_page(correction, v),
        lambda i: url_for("cases.correction_page", case_id=case.id, form_id=form.id, index=i),
        url_for("cases.send_correction", case_id=case.id, form_id=form.id),
        correction.base_revision, True,
    )  # fmt: skip


def _visible(instrument: Instrument, answers: Mapping[str, Any]) -> list[int]:
    return response_ops.visible_sections(instrument, answers)


def _render_page(
    target: Target, index: int, form: CasePageForm | None = None, status: int = 200,
    notice: str | None = None,
) -> ResponseReturnValue:  # fmt: skip
    instrument = ops.instrument_of(target.form)
    section = instrument.sections[index]
    items = response_ops.shown_items(section, target.answers)
    if form is None:
        form = build_case_page_form(items, target.answers)
    visible = _visible(instrument, target.answers)
    return render_template(
        "cases/page.html",
        target=target,
        instrument=instrument,
        section=section,
        items=items,
        form=form,
        index=index,
        pick=pick,
        position=visible.index(index) + 1 if index in visible else 1,
        total=len(visible),
        notice=notice,
        no_names=NOTICE,
        kind_label=target.form.kind.label,
        count_name=count_name,
        long_list=LONG_LIST,
        common_choices=_common_choices(target, items),
        ordered=_ordered,
        then=_then(request.args),
    ), status


def _group_action(form: CasePageForm, action: str) -> tuple[dict[str, Any], str | None]:
    """Add or remove an entry of a repeated group: the page's answers with the change."""
    values = form.answers()
    _, verb, group, *rest = action.split(":") + [""]
    if group not in form.groups:
        abort(400, description="The page sent a button it does not have. Nothing was saved.")
    item, count = form.groups[group]
    entries = list(values.get(group) or [])
    entries += [{}] * (count - len(entries))
    label = pick(item.entry_label, "en").lower() if item.entry_label else "entry"
    if verb == "add":
        if count >= item.max_entries:
            return values, f"At most {item.max_entries} entries: a {label} cannot be added."
        entries.append({})
    elif verb == "remove" and (gone := whole_number(rest[0], high=count - 1)) is not None:
        del entries[gone]
    else:
        abort(400, description="The page sent a button it does not have. Nothing was saved.")
    values[group] = entries
    return values, None


def _then(args: Mapping[str, str]) -> str:
    return "?then=check" if args.get("then") == "check" else ""


def _date_out_of_order(form: CaseForm, page: CasePageForm) -> bool:
    """The form's date, if on this page, against the case's other sent forms: a message on
    its own question, here rather than at sending four pages later."""
    field = next((f for f in page.answer_fields if f.name == form.kind.date_variable), None)
    if field is None or not isinstance(field.answer, str):
        return False
    try:
        ops.check_date_order(form, dt.date.fromisoformat(field.answer))
    except ops.CaseError as exc:
        field.errors = [str(exc)]
        return True
    return False


def _handle(target: Target, index: int) -> ResponseReturnValue:
    instrument = ops.instrument_of(target.form)
    if not 0 <= index < len(instrument.sections):
        abort(404)
    if request.method == "GET":
        return _render_page(target, index)
    section = instrument.sections[index]
    items = response_ops.shown_items(section, target.answers)
    form = build_case_page_form(items, target.answers, formdata=request.form)
    valid = form.validate()
    if "csrf_token" in form.errors:
        form.csrf_token.errors = []
        notice = "This page was open for a long time: check the answers and press the button again."
        return _render_page(target, index, form, 400, notice)
    if form.unknown_keys(request.form.keys()):
        abort(400, description="The page sent a question that is not on it. Nothing was saved.")
    if form.tampered():
        abort(
            400, description="An answer was sent that this page does not offer. Nothing was saved."
        )
    actions = request.form.getlist("action")
    action = str(actions[-1]) if actions else "next"
    if action.startswith("group:"):
        values, problem = _group_action(form, action)
        if problem:
            # A refusal saves nothing: the page comes back as it was sent, every answer typed
            # on it still in its box.
            return _render_page(target, index, form, 422, problem)
        target.save(values)
        # Back to the entry just added (or the group after a removal), not the page's top.
        group = action.split(":")[2]
        added = len(values[group]) - 1 if action.startswith("group:add:") else None
        anchor = f"{group}-{added}" if added is not None else f"group-{group}"
        return redirect(f"{target.page_url(index)}{_then(request.args)}#{anchor}")
    short = [(item, count) for item, count in form.groups.values() if count < item.min_entries]
    if action == "next" and (not valid or short):
        notice = "Please look at the questions marked below."
        if short:
            notice = f"Please add at least {short[0][0].min_entries} entry for {pick(short[0][0].text, 'en').lower()}."
        return _render_page(target, index, form, 422, notice)
    if action == "next" and _date_out_of_order(target.form, form):
        return _render_page(target, index, form, 422, "Please look at the questions marked below.")
    target.save(form.answers())
    answers = target.answers if not target.correction else _correction(target.form).answers
    visible = _visible(instrument, answers or {})
    if action == "back":
        earlier = [i for i in visible if i < index]
        return redirect(target.page_url(earlier[-1] if earlier else index))
    if action == "save":
        flash("Saved. You can come back to this form from the case page.", "status")
        return redirect(url_for("cases.case", case_id=target.case.id))
    later = [i for i in visible if i > index]
    if request.args.get("then") == "check":  # a "Change" link of the check page
        return redirect(target.send_url)
    return redirect(target.page_url(later[0]) if later else target.send_url)


@bp.route("/<number:case_id>/forms/<number:form_id>/pages/<number:index>", methods=["GET", "POST"])
@caseworker_only
def form_page(case_id: int, form_id: int, index: int) -> ResponseReturnValue:
    case, form = _writable(case_id, form_id)
    return _handle(_draft_target(case, form), index)


@bp.route(
    "/<number:case_id>/forms/<number:form_id>/correction/pages/<number:index>",
    methods=["GET", "POST"],
)
@caseworker_only
def correction_page(case_id: int, form_id: int, index: int) -> ResponseReturnValue:
    case, form = _writable(case_id, form_id)
    return _handle(_correction_target(case, form), index)


def _writable(case_id: int, form_id: int) -> tuple[Case, CaseForm]:
    """The case and its form, for a caseworker of the case's site only."""
    case = load_case(case_id)
    form = load_form(case, form_id)
    ops.check_site(db.session, current_user._get_current_object(), case.site_id)
    return case, form


def _send(target: Target, send: Callable[[User], object]) -> ResponseReturnValue | None:
    """The review page on GET; on POST, ``send`` as this user: None once sent, else the
    review page again with the reason."""
    if request.method == "GET":
        return _review(target)
    if not FlaskForm().validate():
        return _review(target, 400, "This page was open for a long time: press Send again.")
    try:
        send(current_user._get_current_object())
    except ops.CaseError as exc:
        return _review(target, exc.status, str(exc))
    return None


def _seen_revision() -> int:
    revision = whole_number(request.form.get("revision", ""))
    if revision is None:
        abort(
            400, description="The form's revision number was missing or altered. Nothing was saved."
        )
    return revision


def _review(target: Target, status: int = 200, error: str | None = None) -> ResponseReturnValue:
    instrument = ops.instrument_of(target.form)
    first_gap = response_ops.first_missing_required(
        instrument, response_ops.code_skips(instrument, target.answers)
    )
    return render_template(
        "cases/review.html",
        target=target,
        rows=answer_rows(instrument, target.answers),
        gap_url=target.page_url(first_gap) if first_gap is not None else None,
        kind_label=target.form.kind.label,
        error=error,
        note=ops.pre_study_note(target.form, target.answers),
        visible=_visible(instrument, target.answers),
        reason=request.form.get("reason", "") if request.method == "POST" else "",
        reason_max=REASON_MAX,
        action_form=FlaskForm(),
        last_page=target.page_url(_visible(instrument, target.answers)[-1]),
    ), status


@bp.route("/<number:case_id>/forms/<number:form_id>/send", methods=["GET", "POST"])
@caseworker_only
def send_form(case_id: int, form_id: int) -> ResponseReturnValue:
    case, form = _writable(case_id, form_id)
    if not form.is_draft:
        flash("This form has been sent already.", "status")
        return redirect(url_for("cases.form_view", case_id=case.id, form_id=form.id))
    refused = _send(
        _draft_target(case, form),
        lambda user: ops.submit(db.session, user, form, _seen_revision()),
    )
    if refused is not None:
        return refused
    flash(f"{form.kind.label} form sent.", "status")
    return redirect(url_for("cases.case", case_id=case.id))


@bp.route("/<number:case_id>/forms/<number:form_id>/correction/send", methods=["GET", "POST"])
@caseworker_only
def send_correction(case_id: int, form_id: int) -> ResponseReturnValue:
    case, form = _writable(case_id, form_id)
    correction = _correction(form)
    # A stale revision is refused like any other: her correction stays as it is.
    refused = _send(
        _correction_target(case, form),
        lambda user: ops.submit_correction(
            db.session, user, correction, _seen_revision(), request.form.get("reason", "")
        ),
    )
    if refused is not None:
        return refused
    flash(f"Correction sent: this is now revision {form.revision}.", "status")
    return redirect(url_for("cases.form_view", case_id=case.id, form_id=form.id))


@bp.route("/<number:case_id>/forms/new", methods=["POST"])
@caseworker_only
def start_form(case_id: int) -> ResponseReturnValue:
    case = load_case(case_id)
    if not FlaskForm().validate():
        abort(400, description="This page was open for a long time: go back and try again.")
    form = ops.start_form(
        db.session, current_user._get_current_object(), case, request.form.get("kind", "")
    )
    db.session.flush()
    return redirect(url_for("cases.form_page", case_id=case.id, form_id=form.id, index=0))


@bp.route("/<number:case_id>/forms/<number:form_id>/discard", methods=["POST"])
@caseworker_only
def discard_form(case_id: int, form_id: int) -> ResponseReturnValue:
    case = load_case(case_id)
    form = load_form(case, form_id)
    if not FlaskForm().validate():
        abort(400, description="This page was open for a long time: go back and try again.")
    was_new = case.status == CaseStatus.NEW
    ops.discard_draft(db.session, current_user._get_current_object(), form)
    flash("The draft was discarded.", "status")
    return redirect(url_for("cases.index") if was_new else url_for("cases.case", case_id=case_id))


@bp.route("/<number:case_id>/forms/<number:form_id>/correct", methods=["POST"])
@caseworker_only
def correct_form(case_id: int, form_id: int) -> ResponseReturnValue:
    case = load_case(case_id)
    form = load_form(case, form_id)
    if not FlaskForm().validate():
        abort(400, description="This page was open for a long time: go back and try again.")
    ops.start_correction(db.session, current_user._get_current_object(), form)
    return redirect(url_for("cases.correction_page", case_id=case.id, form_id=form.id, index=0))


@bp.route("/<number:case_id>/forms/<number:form_id>/correction/rebase", methods=["POST"])
@caseworker_only
def rebase_correction(case_id: int, form_id: int) -> ResponseReturnValue:
    case, form = _writable(case_id, form_id)
    if not FlaskForm().validate():
        abort(400, description="This page was open for a long time: go back and try again.")
    ops.rebase_correction(db.session, _correction(form))
    flash(f"Your changes are now on revision {form.revision}: check the pages and send.", "status")
    return redirect(url_for("cases.correction_page", case_id=case.id, form_id=form.id, index=0))


@bp.errorhandler(ops.CaseError)
def _case_error(exc: ops.CaseError) -> ResponseReturnValue:
    return render_template("cases/error.html", message=str(exc)), exc.status
