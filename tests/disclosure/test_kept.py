"""An audited release is kept per process: the same data and filters are not audited again,
and any change to the data (an answer edited in place, not only a new row) is audited anew."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import select

from survey_app.disclosure import kept
from survey_app.export.filters import ExportFilters
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.report.model import Report
from survey_app.report.tables import build_report
from tests import factories

CONSENT = {"consent_info_sheet": 1, "consent_take_part": 1}


def _report(app: Flask, **kw: Any) -> Report:
    with app.app_context():
        return build_report(db.session, ExportFilters(publication=True), **kw)


def _table_8(report: Report) -> dict[str, tuple[Any, ...]]:
    table = next(t for t in report.tables if t.key == "8")
    return {row.label: row.cells for row in table.rows}


def _staff(app: Flask) -> list[str]:
    """Six managers and six frontline staff at each prison: nothing small, nothing hidden."""
    return [
        factories.link_response(
            app,
            "prison_staff",
            {**CONSENT, "prison": prison, "role_level": role},
            site=None,
            completed_on=dt.date(2022, 1, 10),
        )
        for prison in (1, 2)
        for role in (1, 2)
        for _ in range(6)
    ]


def test_an_unchanged_release_is_not_audited_again(app: Flask) -> None:
    kept.forget()
    _staff(app)
    first, again = _report(app), _report(app)
    assert first.release is not None and again.release is not None
    assert again.release.decision is first.release.decision  # recalled, not solved again
    assert [t.rows for t in again.tables] == [t.rows for t in first.tables]
    split = _report(app, by_period=True)  # other filters or split: audited on its own
    assert split.release is not None
    assert split.release.decision is not first.release.decision


def test_an_answer_edited_in_place_is_audited_anew(app: Flask) -> None:
    kept.forget()
    ids = _staff(app)
    before = _report(app)
    assert _table_8(before)["Frontline role"][:2] == (6, 6)
    # Five of HMP Eastwood Park's frontline staff corrected to managers: one frontline left,
    # the same rows and the same number of questionnaires.
    with app.app_context():
        eastwood_frontline = ids[18:23]
        for response in db.session.scalars(
            select(Response).where(Response.id.in_(eastwood_frontline))
        ):
            response.answers = {**CONSENT, "prison": 2, "role_level": 1}
        db.session.commit()
    after = _report(app)
    # The release audited on the old answers hid nothing: the 1 would be shown.
    assert _table_8(after)["Frontline role"][1] == "[c]"
    assert after.release is not None and before.release is not None
    assert after.release.decision is not before.release.decision
