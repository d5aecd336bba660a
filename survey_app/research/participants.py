"""Participants: the list with a status per follow-up wave, registering new IDs, and a
participant's page with her responses (dates and versions, never answers), withdrawal and
voiding."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from .. import pseudonyms
from ..auth.roles import role_required
from ..extensions import db
from ..forms.research import (
    ParticipantFilterForm,
    RecontactForm,
    RegisterParticipantsForm,
    VoidForm,
    WithdrawForm,
)
from ..models import Participant, Response, Role, Site
from ..models.types import today
from ..numbers import whole_number
from ..services import cases as case_ops
from ..services import followup, recontact
from ..services import participants as participant_ops
from ..services import responses as response_ops
from ..services.drafts import draft_of
from . import bp

# Far beyond any real list; a larger number would overflow the database's OFFSET.
MAX_PAGE = 100_000


def _sites() -> list[Site]:
    return list(db.session.scalars(select(Site).order_by(Site.name)))


def _filter_form(sites: list[Site], waves: followup.WaveSchedule) -> ParticipantFilterForm:
    """The list's filters, read from the query string, with this study's sites and waves."""
    form = ParticipantFilterForm(formdata=request.args)
    form.site.choices = [SelectChoice("", "All sites")] + [
        SelectChoice(s.code, s.name) for s in sites
    ]
    form.status.choices = [SelectChoice("", "Any status")] + [
        SelectChoice(value, label) for value, label in followup.FILTERS.items()
    ]
    form.wave.choices = [SelectChoice("", "Any follow-up wave")] + [
        SelectChoice(w.code, f"{w.code}: {w.label}") for w in waves.followups
    ]
    return form


def _chosen_filters(form: ParticipantFilterForm) -> dict[str, str]:
    """The filters in use, for the page links to carry."""
    return {
        k: v
        for k, v in (
            ("site", form.site.data),
            ("status", form.status.data),
            ("wave", form.wave.data),
            ("q", form.q.data),
        )
        if v
    }


@bp.route("/participants")
@role_required(Role.FIELDWORKER)
def participants() -> ResponseReturnValue:
    sites = _sites()
    waves = followup.study_waves(db.session)
    form = _filter_form(sites, waves)
    # A page number that is not a positive whole number shows the first page; one past the
    # last possible page (however long) is a 404.
    asked = request.args.get("page", "1")
    if asked.isascii() and asked.isdigit() and whole_number(asked, high=MAX_PAGE) is None:
        abort(404)
    number = whole_number(asked, low=1) or 1
    if not form.validate():
        return render_template("research/participants.html", form=form, page=None), 400
    site_id = next((s.id for s in sites if s.code == form.site.data), None)
    search = participant_ops.search(db.session, form.q.data, site_id) if form.q.data else None
    if search is not None and search.pseudonym is None:
        form.q.errors = [f"{search.typed} is not a valid ID: please check it."]
        return render_template(
            "research/participants.html", form=form, page=None, search=search
        ), 400
    if search is not None:
        # Her whole ID, registered (at the site chosen, if any): her record, not a list of one.
        found = participant_ops.exact(db.session, search, site_id)
        if found is not None:
            return redirect(url_for("research.participant", pseudonym=found.pseudonym))
    page = followup.participants_page(
        db.session,
        today=today(),
        site_id=site_id,
        status=form.status.data or None,
        wave=form.wave.data or None,
        pseudonym=search.pseudonym if search else None,
        page=number,
        waves=waves,
    )
    if number > 1 and not page.rows:
        abort(404)
    return render_template(
        "research/participants.html",
        form=form,
        page=page,
        filters=_chosen_filters(form),
        search=search,
    )


@bp.route("/participants/new", methods=["GET", "POST"])
@role_required(Role.FIELDWORKER)
def register_participants() -> ResponseReturnValue:
    form = RegisterParticipantsForm()
    sites = _sites()
    form.site.choices = [SelectChoice(s.code, s.name) for s in sites]
    if form.validate_on_submit():
        site = next(s for s in sites if s.code == form.site.data)
        made = participant_ops.register(
            db.session, site, int(form.count.data), actor_id=current_user.id
        )
        # Shown once on the next page (a reload must not register more).
        session["registered"] = {"site": site.name, "ids": [p.pseudonym for p in made]}
        return redirect(url_for("research.registered"))
    status = 422 if request.method == "POST" else 200
    return render_template("research/register.html", form=form), status


@bp.route("/participants/registered")
@role_required(Role.FIELDWORKER)
def registered() -> ResponseReturnValue:
    batch = session.pop("registered", None)
    if not isinstance(batch, dict) or not batch.get("ids"):
        flash("The new IDs were shown once. The newest participants are at the top of this list.")
        return redirect(url_for("research.participants"))
    return render_template("research/registered.html", site=batch["site"], ids=batch["ids"])


def _participant(pseudonym: str) -> Participant:
    """The participant with this ID; 404 for an unknown or mistyped one."""
    try:
        found = participant_ops.find(db.session, pseudonym)
    except pseudonyms.InvalidPseudonym:
        abort(404)
    if found is None:
        abort(404)
    return found


def _responses(participant: Participant) -> list[Response]:
    found = db.session.scalars(
        select(Response)
        .options(joinedload(Response.wave), joinedload(Response.instrument_version))
        .where(Response.participant_id == participant.id)
    ).all()
    return sorted(
        found,
        key=lambda r: (r.wave.position if r.wave else 0, r.started_on, r.voided_at is None),
    )


def _detail(
    participant: Participant,
    *,
    withdraw_form: WithdrawForm | None = None,
    void_form: VoidForm | None = None,
    void_target: str | None = None,
    recontact_form: RecontactForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    responses = _responses(participant)
    said_no = recontact.said_no(db.session, participant)
    done_on = {
        r.wave.code: r.completed_on
        for r in responses
        if r.wave and r.is_complete and r.voided_at is None
    }
    waves = followup.study_waves(db.session)
    statuses = waves.statuses(
        baseline_on=done_on.get(waves.baseline.code),
        done_on=done_on,
        withdrawn=participant.withdrawn_at is not None,
        today=today(),
        declined_recontact=said_no and participant.recontact_restored_at is None,
    )
    drafts = {
        r.id: draft_of(r.wave.code, r.flags, r.started_on)
        for r in responses
        if r.wave and not r.is_complete and r.voided_at is None
    }
    return render_template(
        "research/participant.html",
        participant=participant,
        responses=responses,
        followup_statuses=statuses,
        drafts=drafts if participant.withdrawn_at is None else {},
        withdraw_form=withdraw_form or WithdrawForm(formdata=None),
        void_form=void_form,
        void_target=void_target,
        blank_void_form=VoidForm(formdata=None),
        said_no=said_no,
        baseline=waves.baseline.code,
        recontact_form=recontact_form or RecontactForm(formdata=None),
        error=error,
        # Her case tracker beside her questionnaires: for researchers, never fieldworkers.
        cases=case_ops.cases_of(db.session, participant)
        if current_user.has_role(Role.RESEARCHER)
        else None,
    ), status


@bp.route("/participants/<pseudonym>")
@role_required(Role.FIELDWORKER)
def participant(pseudonym: str) -> ResponseReturnValue:
    found = _participant(pseudonym)
    if found.pseudonym != pseudonym:
        return redirect(url_for("research.participant", pseudonym=found.pseudonym))
    return _detail(found)


@bp.route("/participants/<pseudonym>/withdraw", methods=["POST"])
@role_required(Role.RESEARCHER)
def withdraw(pseudonym: str) -> ResponseReturnValue:
    found = _participant(pseudonym)
    form = WithdrawForm()
    if found.withdrawn_at is not None:
        return _detail(
            found,
            error=f"{found.pseudonym} has already withdrawn: nothing was changed.",
            status=409,
        )
    if not form.validate():
        return _detail(found, withdraw_form=form, status=422)
    try:
        participant_ops.withdraw(
            db.session, found, form.mode.data, form.reason.data or "", actor_id=current_user.id
        )
    except participant_ops.WithdrawalError as exc:
        return _detail(
            found, withdraw_form=form, error=str(exc), status=409 if found.withdrawn_at else 422
        )
    kept = "her answers were kept" if form.mode.data == "keep" else "her answers were deleted"
    flash(f"{found.pseudonym} has withdrawn; {kept}.")
    return redirect(url_for("research.participant", pseudonym=found.pseudonym))


@bp.route("/participants/<pseudonym>/recontact", methods=["POST"])
@role_required(Role.RESEARCHER)
def restore_recontact(pseudonym: str) -> ResponseReturnValue:
    """She said no to being asked again, then asked to take part: recorded with a reason."""
    found = _participant(pseudonym)
    form = RecontactForm()
    if not form.validate():
        return _detail(found, recontact_form=form, status=422)
    try:
        recontact.restore(db.session, found, form.reason.data or "", actor_id=current_user.id)
    except recontact.RecontactError as exc:
        status = 409 if found.recontact_restored_at else exc.status
        return _detail(found, recontact_form=form, error=str(exc), status=status)
    flash(f"Recorded: {found.pseudonym} asked to take part again; her follow-ups can start.")
    return redirect(url_for("research.participant", pseudonym=found.pseudonym))


@bp.route("/participants/<pseudonym>/responses/<response_id>/void", methods=["POST"])
@role_required(Role.RESEARCHER)
def void_response(pseudonym: str, response_id: str) -> ResponseReturnValue:
    found = _participant(pseudonym)
    response = db.session.get(Response, response_id) if len(response_id) <= 32 else None
    if response is None or response.participant_id != found.id:
        abort(404)
    if response.voided_at is not None:
        return _detail(
            found, error="This response has already been voided: nothing was changed.", status=409
        )
    form = VoidForm()
    if not form.validate():
        return _detail(found, void_form=form, void_target=response.id, status=422)
    try:
        response_ops.void(db.session, response, form.reason.data or "", actor_id=current_user.id)
    except response_ops.VoidError as exc:
        return _detail(
            found,
            void_form=form,
            void_target=response.id,
            error=str(exc),
            status=409 if response.voided_at else 422,
        )
    wave = response.wave.code if response.wave else "The"
    flash(f"{wave} response voided: the wave is free for a new response.")
    return redirect(url_for("research.participant", pseudonym=found.pseudonym))
