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
from ..forms.admin import AuditFilterForm, NewUserForm
from ..models import AuditEvent, Role, User
from ..numbers import whole_number
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


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    form = NewUserForm()
    error = None
    if form.validate_on_submit():
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
            flash(f"Account {made.email} ({made.role}) created.", "status")
            return redirect(url_for("research.users"))
    return _render_users(form, error, 422 if error or form.errors else 200)


def _render_users(form: NewUserForm, error: str | None, status: int) -> ResponseReturnValue:
    listed = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("research/users.html", form=form, users=listed, error=error), status


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
