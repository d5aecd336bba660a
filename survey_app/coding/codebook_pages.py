"""The codebook's pages: key themes and themes listed with their uses, added, edited, merged
and deleted; each theme's history from the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..auth.roles import role_required
from ..extensions import db
from ..models import AuditEvent, KeyTheme, Role, Theme
from . import answers, bp, codebook, codings
from .forms import ConfirmForm, KeyThemeForm, MergeForm, ThemeForm


def _theme_form(theme: Theme, *, posted: bool) -> ThemeForm:
    """The theme's form, filled from the theme (the key theme by id) unless posted."""
    data = {"key_theme": theme.key_theme_id, "name": theme.name, "definition": theme.definition}
    form = ThemeForm(data=data) if posted else ThemeForm(formdata=None, data=data)
    _key_theme_choices(form)
    return form


def _key_theme_choices(form: ThemeForm) -> None:
    form.key_theme.choices = [
        SelectChoice(str(k.id), k.name) for k in codebook.key_themes(db.session)
    ]


def _index_page(
    key_form: KeyThemeForm | None = None, theme_form: ThemeForm | None = None, status: int = 200
) -> ResponseReturnValue:
    theme_form = theme_form or ThemeForm(formdata=None)
    _key_theme_choices(theme_form)
    questions = answers.questions(db.session)
    return render_template(
        "coding/index.html",
        key_themes=codebook.key_themes(db.session),
        uses=codebook.uses(db.session),
        key_form=key_form or KeyThemeForm(formdata=None),
        theme_form=theme_form,
        questions=[q for q in questions if not q.is_case_form],
        case_questions=[q for q in questions if q.is_case_form],
        progress=codings.overview(db.session, questions),
    ), status


@bp.route("/")
@role_required(Role.RESEARCHER)
def index() -> ResponseReturnValue:
    return _index_page()


@bp.route("/key-themes", methods=["POST"])
@role_required(Role.RESEARCHER)
def add_key_theme() -> ResponseReturnValue:
    form = KeyThemeForm()
    if not form.validate():
        return _index_page(key_form=form, status=422)
    try:
        made = codebook.add_key_theme(
            db.session, form.name.data, form.definition.data or "", actor_id=current_user.id
        )
    except codebook.CodebookError as exc:
        form.name.errors = [str(exc)]
        return _index_page(key_form=form, status=exc.status)
    flash(f"Key theme “{made.name}” added.", "status")
    return redirect(url_for("coding.index") + "#codebook")


@bp.route("/themes", methods=["POST"])
@role_required(Role.RESEARCHER)
def add_theme() -> ResponseReturnValue:
    form = ThemeForm()
    _key_theme_choices(form)
    if not form.validate():
        return _index_page(theme_form=form, status=422)
    key_theme = db.session.get(KeyTheme, form.key_theme.data)
    if key_theme is None:
        abort(404)
    try:
        made = codebook.add_theme(
            db.session,
            key_theme,
            form.name.data,
            form.definition.data or "",
            actor_id=current_user.id,
        )
    except codebook.CodebookError as exc:
        form.name.errors = [str(exc)]
        return _index_page(theme_form=form, status=exc.status)
    flash(f"Theme “{made.name}” added under “{key_theme.name}”.", "status")
    return redirect(url_for("coding.index") + "#codebook")


def _key_theme_or_404(key_theme_id: int) -> KeyTheme:
    found = db.session.get(KeyTheme, key_theme_id)
    if found is None:
        abort(404)
    return found


@bp.route("/key-themes/<number:key_theme_id>", methods=["GET", "POST"])
@role_required(Role.RESEARCHER)
def key_theme(key_theme_id: int) -> ResponseReturnValue:
    found = _key_theme_or_404(key_theme_id)
    form = KeyThemeForm(obj=found)
    status = 200
    if form.validate_on_submit():
        try:
            codebook.edit_key_theme(
                db.session,
                found,
                form.name.data,
                form.definition.data or "",
                actor_id=current_user.id,
            )
        except codebook.CodebookError as exc:
            form.name.errors = [str(exc)]
            status = exc.status
        else:
            flash(f"Key theme “{found.name}” saved.", "status")
            return redirect(url_for("coding.index") + "#codebook")
    elif form.errors:
        status = 422
    return render_template(
        "coding/key_theme.html", key_theme=found, form=form, delete_form=ConfirmForm()
    ), status


@bp.route("/key-themes/<number:key_theme_id>/delete", methods=["POST"])
@role_required(Role.RESEARCHER)
def delete_key_theme(key_theme_id: int) -> ResponseReturnValue:
    found = _key_theme_or_404(key_theme_id)
    if not ConfirmForm().validate():
        abort(400)
    name = found.name
    codebook.delete_key_theme(db.session, found, actor_id=current_user.id)
    flash(f"Key theme “{name}” deleted.", "status")
    return redirect(url_for("coding.index") + "#codebook")


def _theme_or_404(theme_id: int) -> Theme:
    found = db.session.get(Theme, theme_id)
    if found is None:
        abort(404)
    return found


def _theme_page(
    theme: Theme, form: ThemeForm, merge_form: MergeForm | None = None, status: int = 200
) -> ResponseReturnValue:
    merge_form = merge_form or MergeForm(formdata=None)
    merge_form.into.choices = _merge_choices(theme)
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target == f"theme:{theme.id}")
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    merged_into = db.session.get(Theme, theme.merged_into_id) if theme.merged_into_id else None
    return render_template(
        "coding/theme.html",
        theme=theme,
        form=form,
        merge_form=merge_form,
        delete_form=ConfirmForm(),
        uses=codebook.uses(db.session).get(theme.id, 0),
        history=history,
        merged_into=merged_into,
    ), status


def _merge_choices(theme: Theme) -> list[SelectChoice]:
    return [
        SelectChoice(str(t.id), f"{t.name} ({t.key_theme.name})")
        for t in codebook.live_themes(db.session)
        if t.id != theme.id
    ]


@bp.route("/themes/<number:theme_id>", methods=["GET", "POST"])
@role_required(Role.RESEARCHER)
def theme(theme_id: int) -> ResponseReturnValue:
    found = _theme_or_404(theme_id)
    form = _theme_form(found, posted=True)
    if not form.validate_on_submit():
        return _theme_page(found, form, status=422 if form.errors else 200)
    key_theme = _key_theme_or_404(form.key_theme.data)
    try:
        codebook.edit_theme(
            db.session,
            found,
            key_theme,
            form.name.data,
            form.definition.data or "",
            actor_id=current_user.id,
        )
    except codebook.CodebookError as exc:
        form.name.errors = [str(exc)]
        return _theme_page(found, form, status=exc.status)
    flash(f"Theme “{found.name}” saved.", "status")
    return redirect(url_for("coding.index") + "#codebook")


@bp.route("/themes/<number:theme_id>/merge", methods=["POST"])
@role_required(Role.RESEARCHER)
def merge_theme(theme_id: int) -> ResponseReturnValue:
    found = _theme_or_404(theme_id)
    merge_form = MergeForm()
    merge_form.into.choices = _merge_choices(found)
    form = _theme_form(found, posted=False)
    if not merge_form.validate():
        return _theme_page(found, form, merge_form, status=422)
    into = _theme_or_404(merge_form.into.data)
    name = found.name
    moved = codebook.merge_theme(db.session, found, into, actor_id=current_user.id)
    flash(
        f"“{name}” merged into “{into.name}”: {moved} coding{'' if moved == 1 else 's'} moved.",
        "status",
    )
    return redirect(url_for("coding.index") + "#codebook")


@bp.route("/themes/<number:theme_id>/delete", methods=["POST"])
@role_required(Role.RESEARCHER)
def delete_theme(theme_id: int) -> ResponseReturnValue:
    found = _theme_or_404(theme_id)
    if not ConfirmForm().validate():
        abort(400)
    name = found.name
    try:
        codebook.delete_theme(db.session, found, actor_id=current_user.id)
    except codebook.CodebookError as exc:
        form = _theme_form(found, posted=False)
        form.form_errors.append(str(exc))
        return _theme_page(found, form, status=exc.status)
    flash(f"Theme “{name}” deleted.", "status")
    return redirect(url_for("coding.index") + "#codebook")
