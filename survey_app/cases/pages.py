"""The case list, a new case, the case page and a form's own page (read-only)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length

from .. import pseudonyms
from ..auth.roles import role_required
from ..extensions import db
from ..models import Case, CaseForm, Role, Site
from ..models.types import today
from ..services import cases as ops
from ..services import participants as participant_ops
from ..study import current_study
from . import bp
from .access import caseworker_only, readable_sites
from .summary import answer_rows, unknowns


class ExistingIdForm(FlaskForm):  # type: ignore[misc]
    pseudonym = StringField("Participant ID", validators=[Length(max=40)])


class NewIdForm(FlaskForm):  # type: ignore[misc]
    site = SelectField("Prison")


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


@bp.route("/")
@role_required(Role.CASEWORKER)
def index() -> ResponseReturnValue:
    site_ids = readable_sites()
    sites = None if site_ids is None else [db.session.get(Site, i) for i in site_ids]
    rows = ops.case_list(db.session, site_ids, today=today())
    return render_template(
        "cases/index.html",
        rows=rows,
        unknown={row.case.id: len(_still_unknown(row.case).get("referral", [])) for row in rows},
        sites=sites,
        kind_labels=ops.KIND_LABELS,
        due_days=current_study().case_update_due_days,
    )


def _granted_sites() -> list[Site]:
    ids = ops.granted_site_ids(db.session, current_user._get_current_object())
    return sorted((db.session.get_one(Site, i) for i in ids), key=lambda s: s.name)


def _new_case_page(
    existing: ExistingIdForm, fresh: NewIdForm, error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template("cases/new.html", existing=existing, fresh=fresh, error=error), status


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
            return _new_case_page(existing, fresh, "Choose one of your prisons.", 422)
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
        if found is None:
            existing.pseudonym.errors = [
                "No participant has this ID. Check it, or give her a new ID below."
            ]
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


@bp.route("/<int:case_id>")
@role_required(Role.CASEWORKER)
def case(case_id: int) -> ResponseReturnValue:
    found = load_case(case_id)
    allowed = ops.ALLOWED_KINDS[found.status]
    return render_template(
        "cases/case.html",
        case=found,
        forms=ops.forms_in_time_order(found),
        kind_labels=ops.KIND_LABELS,
        allowed=allowed if current_user.role == Role.CASEWORKER else (),
        has_draft=any(f.is_draft for f in found.forms),
        start_form=FlaskForm(),
        study_start=current_study().study_start,
        unknown=_still_unknown(found),
    )


@bp.route("/<int:case_id>/forms/<int:form_id>")
@role_required(Role.CASEWORKER)
def form_view(case_id: int, form_id: int) -> ResponseReturnValue:
    found = load_case(case_id)
    form = load_form(found, form_id)
    instrument = ops.instrument_of(form)
    history = ops.revisions(db.session, form)
    shown = request.args.get("revision", type=int)
    answers = form.answers
    if shown is not None:
        match = next((r for r in history if r.revision == shown), None)
        if match is None:
            abort(404)
        answers = match.answers
    return render_template(
        "cases/form.html",
        case=found,
        form=form,
        rows=answer_rows(instrument, answers or {}),
        history=history,
        shown=shown or form.revision,
        kind_labels=ops.KIND_LABELS,
        action_form=FlaskForm(),
    )
