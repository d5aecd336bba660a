"""Twelve hand-made cases for the case export and report tests, made through the models with
each case's status from services.cases.refresh_case. Dates are in the study's periods
(study.yaml: Year 1 2021-04-01 to 2022-06-30, Year 2 2022-07-01 to 2023-05-31)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.instruments.publish import latest_version
from survey_app.models import (
    Case,
    CaseForm,
    CaseFormKind,
    CaseFormRevision,
    CaseFormStatus,
    Participant,
)
from survey_app.services.cases import refresh_case
from tests import factories

D = dt.date.fromisoformat
CHILD = {"child_age_band": 2, "child_care_arrangement": 1, "child_has_social_worker": 1}

# (site, [(kind, date, answers)]): kinds and answers as the forms code them.
CASES: list[tuple[str, list[tuple[str, str, dict[str, Any]]]]] = [
    ("send", [("referral", "2021-05-10", {"needs": [1, 2]}),
              ("closure", "2021-12-01", {"outcomes": [1], "barriers": [2]})]),
    ("send", [("referral", "2021-08-15", {"needs": [1]}), ("update", "2021-10-01", {})]),
    ("send", [("referral", "2022-01-20", {"needs": [1, 3]}),
              ("closure", "2022-09-01", {"outcomes": [1, 2], "barriers": []})]),
    ("send", [("referral", "2022-08-01", {"needs": [2]})]),
    ("send", [("referral", "2022-10-05", {"needs": [1]}),
              ("closure", "2023-03-01", {"outcomes": [5], "barriers": [2, 3]})]),
    ("send", [("referral", "2023-04-10", {"needs": [1, 2]})]),
    ("eastwood_park", [("referral", "2021-04-20", {"needs": [3]}),
                       ("closure", "2021-09-01", {"outcomes": [1]}),
                       ("reopening", "2022-02-01", {"reopen_reason": 1}),
                       ("closure", "2022-11-01", {"outcomes": [2], "barriers": [1]})]),
    ("eastwood_park", [("referral", "2021-07-01", {"needs": [1]}), ("update", "2022-07-15", {})]),
    ("eastwood_park", [("referral", "2022-03-15", {"needs": [1, 8]}),
                       ("closure", "2022-06-20", {"outcomes": [1, 5], "barriers": [2]}),
                       ("reopening", "2022-12-01", {"reopen_reason": 2}),
                       ("update", "2023-01-10", {})]),
    ("eastwood_park", [("referral", "2022-07-01", {"needs": [3]}),
                       ("closure", "2023-02-01", {"outcomes": [1], "barriers": [1]})]),
    ("eastwood_park", [("referral", "2023-02-01", {"needs": [1]})]),
    ("eastwood_park", [("referral", "2023-06-05", {"needs": [1]})]),
]  # fmt: skip


Form = tuple[str, str, dict[str, Any]]  # (kind, date, answers as the forms code them)


def add_case(app: Flask, site: str, forms: list[Form]) -> str:
    """A new mother at ``site`` with one case of these sent forms, in order; her pseudonym.
    Each form is as first sent (revision 1) on its form's latest version."""
    [pseudonym] = factories.participants(app, 1, site)
    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.pseudonym == pseudonym)
        )
        assert participant is not None
        case = Case(participant=participant, site_id=participant.site_id)
        db.session.add(case)
        for kind, date, answers in forms:
            form_kind = CaseFormKind(kind)
            key, date_variable = form_kind.instrument_key, form_kind.date_variable
            version = latest_version(db.session, key)
            assert version is not None
            coded = {date_variable: date, **answers}
            form = CaseForm(
                case=case, kind=form_kind, instrument_version=version, form_date=D(date),
                status=CaseFormStatus.SUBMITTED, revision=1, answers=coded,
                submitted_at=dt.datetime(2023, 6, 30),
            )  # fmt: skip
            db.session.add(form)
            db.session.flush()
            db.session.add(
                CaseFormRevision(form_id=form.id, revision=1, form_date=D(date), answers=coded)
            )
        db.session.flush()
        refresh_case(case)
        db.session.commit()
    return pseudonym


def twelve_cases(app: Flask) -> list[str]:
    """The cases above, one mother each; their pseudonyms in order. The referral of case n
    has n % 3 + 1 children."""
    pseudonyms = []
    for number, (site, forms) in enumerate(CASES, start=1):
        children = [dict(CHILD)] * (number % 3 + 1)
        sent = [
            (kind, date, {**answers, "ethnicity": 1, "children": children})
            if kind == "referral"
            else (kind, date, answers)
            for kind, date, answers in forms
        ]
        pseudonyms.append(add_case(app, site, sent))
    return pseudonyms
