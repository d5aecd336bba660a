"""Published instrument versions: the list, a read-only preview of each version as a
respondent sees it (with variable names), and what changed between two versions."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from ..auth.roles import role_required
from ..extensions import db
from ..i18n import t
from ..instruments import missing, model
from ..instruments.diff import diff
from ..instruments.exchange import FORMATS, export_name
from ..instruments.model import pick
from ..instruments.publish import version_table
from ..models import InstrumentVersion, Role
from ..numbers import whole_number
from . import bp, queries


def _version(key: str, version: int | None) -> InstrumentVersion:
    if version is None:
        abort(404)
    found: InstrumentVersion | None = db.session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.key == key, InstrumentVersion.version == version
        )
    )
    if found is None:
        abort(404)
    return found


def _int_arg(name: str, default: int) -> int | None:
    """A version number from the query string; None (answered with 404) when mistyped."""
    raw = request.args.get(name)
    if raw is None:
        return default
    return whole_number(raw)


@bp.route("/instruments")
@role_required(Role.RESEARCHER)
def instruments() -> ResponseReturnValue:
    table = version_table(db.session)
    versions_by_key: dict[str, list[int]] = {}
    for row, _count in table:
        versions_by_key.setdefault(row.key, []).append(row.version)
    return render_template(
        "research/instruments.html",
        table=table,
        versions_by_key=versions_by_key,
        titles=queries.instrument_titles(db.session),
    )


@bp.route("/instruments/<key>/<number:version>")
@role_required(Role.RESEARCHER)
def instrument_preview(key: str, version: int) -> ResponseReturnValue:
    row = _version(key, version)
    instrument = model.from_version(row)
    wanted = request.args.get("lang", "en")
    lang = wanted if wanted in instrument.languages else "en"
    return render_template(
        "research/instrument_preview.html",
        row=row,
        instrument=instrument,
        # Not ``lang``: that would mark the whole page, English menus too, as Welsh.
        plang=lang,
        pick=pick,
        t=t,
        missing_labels=missing.LABELS,
    )


@bp.route("/instruments/<key>/<number:version>/export/<fmt>")
@role_required(Role.RESEARCHER)
def instrument_export(key: str, version: int, fmt: str) -> ResponseReturnValue:
    """The version as an XLSForm or a REDCap data dictionary, to build on in those tools."""
    chosen = FORMATS.get(fmt)
    if chosen is None:
        abort(404)
    row = _version(key, version)
    return Response(
        chosen.write(row.definition),
        mimetype=chosen.mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{export_name(row.definition, chosen)}"'
        },
    )


@bp.route("/instruments/<key>/diff")
@role_required(Role.RESEARCHER)
def instrument_diff(key: str) -> ResponseReturnValue:
    versions = list(
        db.session.scalars(
            select(InstrumentVersion.version)
            .where(InstrumentVersion.key == key)
            .order_by(InstrumentVersion.version)
        )
    )
    if not versions:
        abort(404)
    # Without a choice, compare the two latest versions.
    default_old = versions[-2] if len(versions) > 1 else versions[-1]
    old_row = _version(key, _int_arg("from", default_old))
    new_row = _version(key, _int_arg("to", versions[-1]))
    old, new = model.from_version(old_row), model.from_version(new_row)
    return render_template(
        "research/instrument_diff.html",
        key=key,
        versions=versions,
        old_row=old_row,
        new_row=new_row,
        old=old,
        new=new,
        changes=diff(old, new),
        pick=pick,
    )
