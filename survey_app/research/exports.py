"""The export page: filters, format, download as an attachment."""

from __future__ import annotations

import tempfile

from flask import current_app, render_template, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields import SelectChoice

from ..auth.roles import role_required
from ..downloads.export_workbook import build_export
from ..export.filters import ExportFilters
from ..export.formats import FORMATS, filename
from ..export.sheet_names import SHEET_ORDER
from ..export.workbook import record_export
from ..extensions import db
from ..forms.export import ExportForm
from ..models import Audience, InstrumentVersion, Role, Site
from ..report.cases.figures import pooled_titles
from ..report.publication import check_filters
from ..study import current_study
from . import bp


@bp.route("/export", methods=["GET", "POST"])
@role_required(Role.RESEARCHER)
def export() -> ResponseReturnValue:
    form = ExportForm()
    form.site.choices = [SelectChoice("", "All sites")] + [
        SelectChoice(s.code, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))
    ]
    # The questionnaires' versions: case-tracker forms are not in this export yet.
    form.versions.choices = [
        SelectChoice(f"{v.key}:{v.version}", v.label)
        for v in db.session.scalars(
            select(InstrumentVersion)
            .where(InstrumentVersion.audience != Audience.CASEWORKER)
            .order_by(InstrumentVersion.key, InstrumentVersion.version)
        )
    ]
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("research/export.html", form=form, sheets=SHEET_ORDER), status
    filters = ExportFilters(
        site=form.site.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        versions=frozenset(form.versions.data or ()),
        publication=bool(form.publication.data),
        threshold=current_app.config["PUBLICATION_THRESHOLD"],
    )
    fmt = form.format.data
    # Its Summary and Report sheets are a publication release: cut as one may be.
    check_filters(filters, current_study(), pooled_titles())
    built = build_export(db.session, filters, made_by=current_user.email)
    # Spooled: small exports stay in memory, large ones go to a temporary file.
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    FORMATS[fmt].write(built, out)
    out.seek(0)
    record_export(db.session, current_user.id, fmt, filters)
    return send_file(
        out, mimetype=FORMATS[fmt].mimetype, as_attachment=True, download_name=filename(fmt, built)
    )
