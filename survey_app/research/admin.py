"""Admin and audit pages: users (admins only) and the audit log (researchers and admins)."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields import SelectChoice

from ..auth.operations import USER_ACTIONS, AccountError, change_user, create_user
from ..auth.roles import role_required
from ..extensions import db
from ..forms.admin import AuditFilterForm, NewUserForm, UserSitesForm
from ..models import AuditEvent, Role, Site, SiteKind, User, UserSite
from ..numbers import whole_number
from ..services import cases as case_ops
from . import bp

AUDIT_PAGE = 100


@bp.route("/audit")
@role_required(Role.RESEARCHER)
def audit() -> ResponseReturnValue:
    """The audit log, newest first, filtered by kind and date. It holds no answer content."""
    form = AuditFilterForm(request.args)
    kinds = db.session.scalars(select(AuditEvent.kind).distinct().order_by(AuditEvent.kind)).all()
    form.kind.choices = [SelectChoice("", "All kinds")] + [SelectChoice(k) for k in kinds]
    if not form.validate():
        return render_template("research/audit.html", form=form, events=[], page=1, pages=1), 400
    query = select(AuditEvent, User.email).outerjoin(User, AuditEvent.actor_id == User.id)
    if form.kind.data:
        query = query.where(AuditEvent.kind == form.kind.data)
    if form.date_from.data:
        query = query.where(
            AuditEvent.occurred_at >= dt.datetime.combine(form.date_from.data, dt.time())
        )
    if form.date_to.data:
        query = query.where(
            AuditEvent.occurred_at
            < dt.datetime.combine(form.date_to.data + dt.timedelta(days=1), dt.time())
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // AUDIT_PAGE))
    asked = request.args.get("page", "1")
    if whole_number(asked) is None:
        abort(400, description="The page number in the address is not a number.")
    number = whole_number(asked, 1, pages) or 1
    events = db.session.execute(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE)
        .offset((number - 1) * AUDIT_PAGE)
    ).all()
    return render_template(
        "research/audit.html", form=form, events=events, page=number, pages=pages
    )


def _prisons() -> list[Site]:
    return list(
        db.session.scalars(select(Site).where(Site.kind == SiteKind.PRISON).order_by(Site.name))
    )


def _chosen(codes: list[str] | None) -> list[Site]:
    wanted = set(codes or [])
    return [s for s in _prisons() if s.code in wanted]


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    form = NewUserForm()
    form.sites.choices = [SelectChoice(s.code, s.name) for s in _prisons()]
    error = None
    if form.validate_on_submit():
        sites = _chosen(form.sites.data)
        if form.role.data == Role.CASEWORKER and not sites:
            error = "A caseworker needs at least one prison: tick hers."
        elif form.role.data not in case_ops.SITE_ROLES and sites:
            error = "Prisons are for caseworker and fieldworker accounts only: untick them."
        else:
            try:
                made = create_user(
                    db.session,
                    form.email.data or "",
                    form.password.data or "",
                    form.role.data,
                    actor_id=current_user.id,
                )
            except AccountError as exc:
                error = str(exc)
            else:
                if sites:
                    case_ops.set_sites(db.session, made, sites, current_user.id)
                flash(f"Account {made.email} ({made.role}) created.", "status")
                return redirect(url_for("research.users"))
    return _render_users(form, error, 422 if error or form.errors else 200)


def _render_users(form: NewUserForm, error: str | None, status: int) -> ResponseReturnValue:
    listed = db.session.scalars(select(User).order_by(User.email)).all()
    granted: dict[int, list[str]] = {}
    for user_id, code in db.session.execute(
        select(UserSite.user_id, Site.code).join(Site).order_by(Site.name)
    ):
        granted.setdefault(user_id, []).append(code)
    if not form.sites.choices:
        form.sites.choices = [SelectChoice(s.code, s.name) for s in _prisons()]
    return render_template(
        "research/users.html", form=form, users=listed, error=error, granted=granted,
        prisons=_prisons(), site_roles=case_ops.SITE_ROLES,
    ), status  # fmt: skip


@bp.route("/users/<number:user_id>/sites", methods=["POST"])
@role_required(Role.ADMIN)
def user_sites(user_id: int) -> ResponseReturnValue:
    """A caseworker's prisons, changed on the Users page."""
    form = UserSitesForm()
    form.sites.choices = [SelectChoice(s.code, s.name) for s in _prisons()]
    if not form.validate_on_submit():
        abort(400, description="The page sent a prison it does not offer. Nothing was changed.")
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    try:
        case_ops.set_sites(db.session, user, _chosen(form.sites.data), current_user.id)
    except case_ops.CaseError as exc:
        flash(str(exc), "error")
        return _render_users(NewUserForm(formdata=None), None, exc.status)
    flash(f"{user.email}'s prisons saved.", "status")
    return redirect(url_for("research.users"))


@bp.route("/users/<number:user_id>/<action>", methods=["POST"])
@role_required(Role.ADMIN)
def user_action(user_id: int, action: str) -> ResponseReturnValue:
    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if action not in USER_ACTIONS:
        abort(404)
    try:
        change_user(db.session, user, action, current_user.id)
    except AccountError as exc:
        # The Users page itself with the reason at its top (a redirect's body is blank).
        flash(str(exc), "error")
        return _render_users(NewUserForm(formdata=None), None, 409)
    return redirect(url_for("research.users"))
