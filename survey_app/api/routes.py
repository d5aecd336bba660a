"""The read-only API's endpoints (/api/v1/): JSON, a Bearer token, no session. Every URL of
the API is here; the reads are in reads.py, the token checks in guard.py."""

from __future__ import annotations

import math
import tempfile
from typing import Any

from flask import jsonify, send_file
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from .. import pseudonyms
from ..disclosure.release import refuse_if_failing
from ..downloads.export_workbook import build_export
from ..export.codebook import CODEBOOK_HEADER, codebook_rows
from ..export.dataset import Dataset
from ..export.filters import ExportFilters
from ..export.formats import FORMATS, filename
from ..export.workbook import record_export
from ..extensions import db
from ..kinds import CaseStatus, Role
from ..models import Case, InstrumentVersion, record_audit
from ..models.types import today
from ..report.cases.figures import pooled_titles
from ..report.publication import check_filters
from ..report.tables import build_report  # the Report page's own builder: one report
from ..services import cases as case_ops
from ..services import followup
from ..services import participants as participant_ops
from ..study import current_study
from ..user_errors import UserError
from . import bp, cursor, guard, params, reads
from .openapi import document

LIST_PARAMETERS = ("limit", "cursor")


def _waves() -> followup.WaveSchedule:
    try:
        return followup.study_waves(db.session)
    except LookupError as exc:  # a new installation before `instruments sync`
        raise UserError(str(exc), 409) from None


def _list(kind: str, found: reads.Slice, limit: int) -> ResponseReturnValue:
    following = cursor.make(kind, found.next_position) if found.next_position else None
    return jsonify(data=found.items, next_cursor=following, limit=limit)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())


@bp.get("/participants")
@guard.requires(Role.FIELDWORKER)
def participants() -> ResponseReturnValue:
    """Participants with their status at each follow-up wave; the due lists by ``status``."""
    params.check_names(("site", "status", "wave", *LIST_PARAMETERS))
    waves = _waves()
    site = params.site()
    status = params.choice("status", followup.FILTERS)
    wave = params.choice("wave", waves.codes)
    limit = params.limit()
    after = cursor.read("participants", params.text("cursor"), (str, int))
    found = reads.participants(
        db.session,
        today=today(),
        site_id=site.id if site else None,
        status=status,
        wave=wave,
        limit=limit,
        after=after,
    )
    return _list("participants", found, limit)


@bp.get("/participants/<pseudonym>")
@guard.requires(Role.FIELDWORKER)
def participant(pseudonym: str) -> ResponseReturnValue:
    params.check_names(())
    try:
        found = participant_ops.find(db.session, pseudonym)
    except pseudonyms.InvalidPseudonym as exc:
        raise UserError(str(exc), 404) from None
    if found is None:
        raise UserError(f"No participant has the ID {pseudonym[:40]}.", 404)
    page = followup.participants_page(
        db.session, today=today(), pseudonym=found.pseudonym, waves=_waves()
    )
    return jsonify(data=reads.participant_item(page.rows[0]))


@bp.get("/due")
@guard.requires(Role.FIELDWORKER)
def due() -> ResponseReturnValue:
    """How many follow-ups are due now, soon or overdue, or declined: in all and per wave."""
    params.check_names(())
    _waves()
    counts = followup.due_counts(db.session, today=today())

    def figures(c: followup.DueCounts) -> dict[str, int]:
        return {name: getattr(c, name) for name in followup.DUE_FIGURES}

    return jsonify(
        data={
            "soon_days": followup.SOON_DAYS,
            "total": figures(counts.total),
            "by_wave": [{"wave": w.code, **figures(c)} for w, c in counts.by_wave],
        }
    )


@bp.get("/responses")
@guard.requires(Role.RESEARCHER)
def responses() -> ResponseReturnValue:
    """Complete responses (answers as codes) by instrument, wave and completion date."""
    params.check_names(("instrument", "wave", "from", "to", *LIST_PARAMETERS))
    waves = _waves()
    instrument = params.text("instrument")
    if instrument is not None and instrument not in _instrument_keys():
        raise params.bad(f"instrument={instrument[:60]!r} is not a published instrument.")
    wave = params.choice("wave", [code for _id, code in waves.all_ids])
    start, end = params.dates()
    limit = params.limit()
    after = cursor.read("responses", params.text("cursor"), (str, str))
    filters = reads.ResponseFilters(instrument, wave, start, end)
    found = reads.responses(db.session, filters, limit=limit, after=after)
    return _list("responses", found, limit)


def _instrument_keys() -> set[str]:
    return set(db.session.scalars(select(InstrumentVersion.key).distinct()))


def _readable_sites() -> list[int] | None:
    return case_ops.readable_site_ids(db.session, guard.current_user())


@bp.get("/cases")
@guard.requires(Role.CASEWORKER)
def cases() -> ResponseReturnValue:
    """Cases (a caseworker's: her prisons' only) with their sent forms, without answers."""
    params.check_names(("site", "status", *LIST_PARAMETERS))
    readable = _readable_sites()
    site = params.site()
    if site is not None and readable is not None and site.id not in readable:
        raise UserError("Your account does not cover this site's cases.", 403)
    sites = [site.id] if site else readable
    status = params.choice("status", tuple(CaseStatus))
    limit = params.limit()
    after = cursor.read("cases", params.text("cursor"), (int,))
    found = reads.cases(db.session, sites, status=status, limit=limit, after=after)
    return _list("cases", found, limit)


@bp.get("/cases/<number:case_id>")
@guard.requires(Role.CASEWORKER)
def case(case_id: int) -> ResponseReturnValue:
    """One case with its sent forms' answers; each form read is audited as on its page."""
    params.check_names(())
    found = db.session.get(Case, case_id)
    if found is None:
        raise UserError("There is no case with this number.", 404)
    readable = _readable_sites()
    if readable is not None and found.site_id not in readable:
        raise UserError("Your account does not cover this site's cases.", 403)
    item = reads.case_item(found, answers=True)
    for form in item["forms"]:
        record_audit(
            db.session,
            kind="case_form.viewed",
            actor_id=guard.current_user().id,
            target=f"case_form:{form['id']}",
            detail={"revision": form["revision"], "through": "api"},
        )
    return jsonify(data=item)


@bp.get("/codebook")
@guard.requires(Role.RESEARCHER)
def codebook() -> ResponseReturnValue:
    """The export's codebook, one object per variable (the Codebook sheet's columns)."""
    params.check_names(())
    data = Dataset(db.session, ExportFilters())
    rows = [dict(zip(CODEBOOK_HEADER, row, strict=True)) for row in codebook_rows(data)]
    return jsonify(data=rows)


@bp.get("/exports/<fmt>")
@guard.requires(Role.RESEARCHER)
def export(fmt: str) -> ResponseReturnValue:
    """Any export format of the export page, as a file, with its filters; audited."""
    if fmt not in FORMATS:
        raise UserError(f"No export format {fmt[:40]!r}: one of {', '.join(FORMATS)}.", 404)
    params.check_names(params.EXPORT_PARAMETERS)
    filters = params.export_filters(publication_default=False)
    check_filters(filters, current_study(), pooled_titles())
    user = guard.current_user()
    built = build_export(db.session, filters, made_by=user.email)
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    FORMATS[fmt].write(built, out)
    out.seek(0)
    record_export(db.session, user.id, fmt, filters, {"through": "api"})
    return send_file(
        out, mimetype=FORMATS[fmt].mimetype, as_attachment=True, download_name=filename(fmt, built)
    )


def _cell(value: Any) -> Any:
    # JSON has no NaN or infinity: such a value is shown as nothing.
    return None if isinstance(value, float) and not math.isfinite(value) else value


@bp.get("/report")
@guard.requires(Role.RESEARCHER)
def report() -> ResponseReturnValue:
    """The report's tables as the Report page builds them; for publication by default,
    through the same disclosure control (a release its audit cannot protect is a 409)."""
    params.check_names((*params.EXPORT_PARAMETERS, "by_period"))
    filters = params.export_filters(publication_default=True)
    by_period = params.flag("by_period", False)
    built = build_report(db.session, filters, by_period=by_period)
    refuse_if_failing(built.release)
    tables = [
        {
            "key": t.key,
            "title": t.title,
            "columns": list(t.columns),
            "rows": [
                {"label": r.label, "kind": r.kind, "cells": [_cell(c) for c in r.cells]}
                for r in t.rows
            ],
            "notes": list(t.notes),
        }
        for t in built.tables
    ]
    return jsonify(
        data={"filters": built.filters, "messages": list(built.messages), "tables": tables}
    )
