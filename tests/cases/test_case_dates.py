"""Case dates as the social workers give them: support that began before the study is
entered (bounded by the study file's service_start) and counted as Pre-Y1 in Table 4."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.instruments.loader import InstrumentError
from survey_app.models import Case
from survey_app.study import current_study, load_study
from tests import case_steps as steps
from tests import factories
from tests.flows import register
from tests.report_steps import report_of, table


def test_the_study_file_bounds_the_earliest_case_date_before_the_study() -> None:
    study = current_study()
    assert study.service_start == dt.date(2019, 4, 1) < study.study_start


def test_a_service_start_after_the_study_start_is_refused(tmp_path: Path) -> None:
    bundled = Path("survey_app/study.yaml").read_text(encoding="utf-8")
    path = tmp_path / "study.yaml"
    path.write_text(bundled.replace("service_start: 2019-04-01", "service_start: 2022-01-01"))
    with pytest.raises(InstrumentError, match="service_start: after study_start"):
        load_study(path)


def test_a_case_begun_before_the_study_is_entered_and_counted_as_pre_y1(
    app: Flask, client: FlaskClient
) -> None:
    """The 2023 report's Table 4 has five Pre-Y1 cases at Send: one entered through the pages."""
    factories.caseworker(app)
    steps.log_in(client)
    first = steps.open_case(client, register(app))
    pages = [
        dict(steps.REFERRAL_PAGES[0], start_date="2021-02-15"),
        *steps.REFERRAL_PAGES[1:],
        steps.children_page(1),
        steps.FAMILY,
        {"needs": ["1"]},
    ]
    send_url = steps.fill_pages(client, first, pages)
    review = client.get(send_url).get_data(as_text=True)
    assert "Support began before the study started (01 April 2021)" in review
    assert "counts it as Pre-Y1" in review
    reply = steps.send(client, send_url)
    assert reply.status_code == 302, reply.get_data(as_text=True)
    case_page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "15 Feb 2021" in case_page and "before the study: Pre-Y1" in case_page
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and str(case.opened_on) == "2021-02-15"
    table_4 = {r.label: r.cells for r in table(report_of(app), "4").rows}
    assert table_4["HMP Send"][0] == 1  # the Pre-Y1 column
