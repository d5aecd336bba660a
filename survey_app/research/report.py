"""The Report page: the report's tables and charts for the export's filters, and the
workbook download (audited, as every export is)."""

from __future__ import annotations

import base64
import tempfile

from flask import render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields import SelectChoice

from ..auth.roles import role_required
from ..config import current_settings
from ..disclosure import marks
from ..downloads.report_workbook import XLSX_MIMETYPE, write_report_xlsx
from ..export.filters import ExportFilters
from ..export.workbook import record_export
from ..extensions import db
from ..forms.report import ReportDownloadForm, ReportForm
from ..models import InstrumentVersion, Role, Site
from ..report.charts.svg import svg
from ..report.flow import KEY as FLOW_KEY
from ..report.flow_diagram import diagram
from ..report.model import Report
from ..report.tables import build_report
from ..user_errors import UserError
from . import bp


def _choices(form: ReportForm) -> None:
    form.site.choices = [SelectChoice("", "All sites")] + [
        SelectChoice(s.code, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))
    ]
    form.versions.choices = [
        SelectChoice(f"{v.key}:{v.version}", f"{v.key} v{v.version}")
        for v in db.session.scalars(
            select(InstrumentVersion).order_by(InstrumentVersion.key, InstrumentVersion.version)
        )
    ]


def _filters(form: ReportForm) -> ExportFilters:
    return ExportFilters(
        site=form.site.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        versions=frozenset(form.versions.data or ()),
        publication=bool(form.publication.data),
        threshold=current_settings().publication_threshold,
    )


def _chart_images(report: Report) -> dict[str, str]:
    # An <img> of a data: address: the page's CSP allows data: images, and an SVG drawn as
    # an image runs no script and needs no style-src for its own style attributes.
    return {
        t.key: "data:image/svg+xml;base64," + base64.b64encode(svg(t.chart).encode()).decode()
        for t in report.tables
        if t.chart
    }


def _page(form: ReportForm, status: int = 200) -> ResponseReturnValue:
    if form.errors:
        return render_template("research/report.html", form=form, report=None), status
    built = build_report(db.session, _filters(form), by_period=bool(form.by_period.data))
    # The participant flow's diagram is SVG in the page (its title and description read out).
    diagrams = {t.key: diagram(t) for t in built.tables if t.key == FLOW_KEY}
    return render_template(
        "research/report.html",
        form=form,
        report=built,
        charts=_chart_images(built),
        diagrams=diagrams,
        mark_note=marks.note,
    ), status


@bp.route("/report")
@role_required(Role.RESEARCHER)
def report() -> ResponseReturnValue:
    form = ReportForm(formdata=request.args or None)
    _choices(form)
    if request.args and not form.validate():
        return _page(form, 400)
    return _page(form)


@bp.route("/report/download", methods=["POST"])
@role_required(Role.RESEARCHER)
def report_download() -> ResponseReturnValue:
    form = ReportDownloadForm()
    _choices(form)
    if not form.validate_on_submit():
        return _page(form, 400)
    filters = _filters(form)
    by_period = bool(form.by_period.data)
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    try:
        name = write_report_xlsx(db.session, filters, current_user.email, out, by_period=by_period)
    except UserError:
        out.close()  # a release that fails its audit is refused, and nothing is kept
        raise
    out.seek(0)
    split = {"split": "by study period" if by_period else "no"}
    record_export(db.session, current_user.id, "report-xlsx", filters, split)
    return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)
