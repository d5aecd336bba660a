"""The case list, a new case, the case page and a form's own page (read-only)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from .. import pseudonyms
from ..auth.roles import role_required
from ..extensions import db
from ..models import Case, CaseForm, CaseFormKind, Role, Site, record_audit
from ..models.cases import REASON_MAX
from ..models.types import today
from ..numbers import whole_number
from ..services import case_transfers as transfer_ops
from ..services import cases as ops
from ..services import participants as participant_ops
from ..study import current_study
from . import bp
from .access import caseworker_only, readable_sites
from .summary import answer_rows, changes, unknowns


class ExistingIdForm(FlaskForm):  # type: ignore[misc]
    pseudonym = StringField("Participant ID", validators=[Length(max=40)])


class NewIdForm(FlaskForm):  # type: ignore[misc]
    # Asked first, since nothing identifying is held to match her on: a mother supported at
    # another prison has an ID already, and a second one would split her records.
    elsewhere = RadioField(
        "Has she had TaC support at another prison?",
        choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes, or I am not sure")],
        validators=[InputRequired("Please answer this question.")],
    )
    site = SelectField("Prison")


class TransferForm(FlaskForm):  # type: ignore[misc]
    site = SelectField("Move her case to", validators=[InputRequired("Choose a prison.")])
    on = DateField("Date she moved", validators=[InputRequired("Please give the date.")])
    reason = TextAreaField(
        "Why is the case moving?",
        validators=[
            DataRequired("Please say why."),
            Length(max=REASON_MAX, message=f"At most {REASON_MAX} characters."),
        ],
    )


def load_case(case_id: int) -> Case:
    """The case, if this user may read it: 404 unknown, 403 another site's."""
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    sites = readable_sites()
    if sites is not None and case.site_id not in sites:
        raise ops.CaseError("Your account does not cover this site's cases.", 403)
    return case


def load_form(case: Case, form_id: int) -> CaseForm:
    form = db.session.get(CaseForm, form_id)
    if form is None or form.case_id != case.id:
        abort(404)
    return form


class CaseSearchForm(FlaskForm):  # type: ignore[misc]
    """Find a case by her ID: a GET form that changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Participant ID",
        validators=[Length(max=40, message="An ID is 11 characters: please check it.")],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


NO_CASE_HERE = "She has no case yet. A caseworker of her prison starts one with New case."


@bp.route("/")
@role_required(Role.CASEWORKER)
def index() -> ResponseReturnValue:
    site_ids = readable_sites()
    sites = None if site_ids is None else [db.session.get(Site, i) for i in site_ids]
    search = CaseSearchForm(formdata=request.args)
    found: ops.CaseSearch | None = None
    status = 200
    if search.q.data and not search.validate():
        status = 400
    elif search.q.data:
        found = ops.search_cases(db.session, search.q.data, site_ids)
        if found.pseudonym is None:
            search.q.errors = [f"{found.typed} is not a valid ID: please check it."]
            status = 400
        elif len(found.cases) == 1:  # her whole ID: her case, not a list of one
            return redirect(url_for("cases.case", case_id=found.cases[0].id))
        elif not found.cases:
            # The same words for an unknown ID and for another prison's mother.
            search.q.errors = [
                NO_CASE_HERE
                if found.registered_here
                else NOT_AT_YOUR_PRISONS
                if site_ids is not None
                else "No participant has this ID. Check it against her paper key."
            ]
            status = 404
    rows = ops.case_list(db.session, site_ids, today=today())
    if found is not None:
        rows = [row for row in rows if row.case in found.cases]
    return render_template(
        "cases/index.html",
        rows=rows,
        unknown={
            row.case.id: len(_still_unknown(row.case).get(CaseFormKind.REFERRAL, []))
            for row in rows
        },
        sites=sites,
        search=search,
        searched=search.q.data if status == 200 else None,
        due_days=current_study().case_update_due_days,
    ), status


def _granted_sites() -> list[Site]:
    ids = ops.granted_site_ids(db.session, current_user._get_current_object())
    return sorted((db.session.get_one(Site, i) for i in ids), key=lambda s: s.name)


def _new_case_page(
    existing: ExistingIdForm, fresh: NewIdForm, error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template("cases/new.html", existing=existing, fresh=fresh, error=error), status


ELSEWHERE = (
    "Then she has an ID already: do not give her another. Enter her ID above, from her paper "
    "key or her last prison; if her case is at another prison, a researcher or that prison's "
    "caseworker moves it to yours (Transfer, on her case page)."
)


# Said alike of an unknown ID and of another prison's mother (the page tells nobody who is
# registered where outside her own prisons), with the way on for a mother who has moved.
NOT_AT_YOUR_PRISONS = (
    "No participant has this ID at your prisons. Check it against her paper key. If she has "
    "moved here from another prison, do not give her a new ID: a researcher, or the caseworker "
    "at her last prison, moves her case to yours (Transfer, on her case page)."
)


@bp.route("/new", methods=["GET", "POST"])
@caseworker_only
def new_case() -> ResponseReturnValue:
    sites = _granted_sites()
    existing = ExistingIdForm(prefix="existing")
    fresh = NewIdForm(prefix="fresh")
    fresh.site.choices = [SelectChoice(s.code, s.name) for s in sites]
    if request.method == "GET":
        return _new_case_page(existing, fresh)
    user = current_user._get_current_object()
    if "fresh-site" in request.form:
        if not fresh.validate():
            return _new_case_page(
                existing, fresh, "Please look at the questions marked below.", 422
            )
        if fresh.elsewhere.data == "yes":
            return _new_case_page(existing, fresh, ELSEWHERE, 409)
        site = next(s for s in sites if s.code == fresh.site.data)
        [participant] = participant_ops.register(db.session, site, 1, actor_id=user.id)
    else:
        if not existing.validate():
            abort(400)
        try:
            found = participant_ops.find(db.session, existing.pseudonym.data or "")
        except pseudonyms.InvalidPseudonym as exc:
            existing.pseudonym.errors = [str(exc)]
            return _new_case_page(existing, fresh, None, 422)
        readable = readable_sites()
        granted = {s.id for s in sites}
        if (
            found is None
            or found.site_id not in granted
            or (readable is not None and found.site_id not in readable)
        ):
            existing.pseudonym.errors = [NOT_AT_YOUR_PRISONS]
            return _new_case_page(existing, fresh, None, 404)
        participant = found
    form = ops.open_case(db.session, user, participant)
    db.session.flush()
    return redirect(url_for("cases.form_page", case_id=form.case.id, form_id=form.id, index=0))


def _still_unknown(case: Case) -> dict[str, list[str]]:
    """What each kind of form last sent on the case left unknown (its newest of each kind)."""
    latest = {f.kind: f for f in ops.forms_in_time_order(case) if not f.is_draft}
    found = {kind: unknowns(ops.instrument_of(f), f.answers or {}) for kind, f in latest.items()}
    return {kind: questions for kind, questions in found.items() if questions}


@bp.route("/<number:case_id>")
@role_required(Role.CASEWORKER)
def case(case_id: int) -> ResponseReturnValue:
    found = load_case(case_id)
    allowed = ops.ALLOWED_KINDS[found.status]
    user = current_user._get_current_object()
    moves = transfer_ops.transfers_of(db.session, found)
    return render_template(
        "cases/case.html",
        case=found,
        forms=ops.forms_in_time_order(found),
        allowed=allowed if current_user.role == Role.CASEWORKER else (),
        has_draft=any(f.is_draft for f in found.forms),
        start_form=FlaskForm(),
        study_start=current_study().study_start,
        unknown=_still_unknown(found),
        transfers=moves,
        form_sites=transfer_ops.form_sites(found, moves),
        may_transfer=transfer_ops.may_transfer(db.session, user, found),
    )


@bp.route("/<number:case_id>/forms/<number:form_id>")
@role_required(Role.CASEWORKER)
def form_view(case_id: int, form_id: int) -> ResponseReturnValue:
    found = load_case(case_id)
    form = load_form(found, form_id)
    instrument = ops.instrument_of(form)
    history = ops.revisions(db.session, form)
    asked = request.args.get("revision")
    shown = None if asked is None else whole_number(asked)
    if asked is not None and shown is None:
        abort(404)
    answers = form.answers
    if shown is not None:
        match = next((r for r in history if r.revision == shown), None)
        if match is None:
            abort(404)
        answers = match.answers
    # Who read which form (children, safeguarding notes) and when, as a response's reading.
    record_audit(
        db.session,
        kind="case_form.viewed",
        actor_id=current_user.id,
        target=f"case_form:{form.id}",
        detail={"revision": shown or form.revision},
    )
    db.session.flush()
    return render_template(
        "cases/form.html",
        case=found,
        form=form,
        rows=answer_rows(instrument, answers or {}),
        history=history,
        changed={
            later.revision: changes(instrument, earlier.answers, later.answers)
            for earlier, later in zip(history, history[1:], strict=False)
        },
        shown=shown or form.revision,
        action_form=FlaskForm(),
    )


@bp.route("/<number:case_id>/transfer", methods=["GET", "POST"])
@role_required(Role.CASEWORKER)
def transfer(case_id: int) -> ResponseReturnValue:
    """Move her case to another prison (researchers, admins, her prison's caseworker)."""
    found = load_case(case_id)
    user = current_user._get_current_object()
    if not transfer_ops.may_transfer(db.session, user, found):
        raise ops.CaseError(
            "Only a researcher, an administrator or a caseworker of her prison can move her case.",
            403,
        )
    form = TransferForm()
    form.site.choices = [
        SelectChoice(s.code, s.name) for s in transfer_ops.destinations(db.session, found)
    ]
    if request.method == "GET":
        return render_template("cases/transfer.html", case=found, form=form)
    error = "Please look at the questions marked below."
    if form.validate():
        try:
            transfer_ops.transfer(
                db.session, user, found, form.site.data, form.on.data, form.reason.data
            )
        except ops.CaseError as exc:
            if exc.status != 422:
                raise
            error = str(exc)  # the page again, with what she typed
        else:
            flash(f"Her case is now at {found.site.name}.", "status")
            return redirect(url_for("cases.case", case_id=found.id))
    return render_template("cases/transfer.html", case=found, form=form, error=error), 422
