"""Unfinished anonymous-link drafts are purged after a while; nothing else is."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Link, Response
from survey_app.services import links as link_ops
from survey_app.services import responses as ops
from tests import factories


def test_purge_deletes_old_link_drafts_only(app: Flask) -> None:
    kept_complete = factories.link_response(app, "prison_staff", {"role_level": 1})
    with app.app_context():
        link = link_ops.create(db.session, "prison_staff")
        old = ops.start_link(db.session, link)
        old.started_on = dt.date.today() - dt.timedelta(days=30)
        recent = ops.start_link(db.session, link)
        old_id, recent_id = old.id, recent.id
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["responses", "purge-drafts", "--days", "14"])
    assert result.exit_code == 0 and "deleted 1 unfinished link drafts" in result.output
    with app.app_context():
        left = set(db.session.scalars(select(Response.id)))
        assert old_id not in left and {recent_id, kept_complete} <= left
        assert db.session.scalar(select(Link).limit(1)) is not None
