"""One-line test data. Each factory opens its own app context and commits."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from survey_app.auth.operations import create_user
from survey_app.extensions import db
from survey_app.models import Site, User

PASSWORD = "correct horse battery staple"


def user(app: Flask, role: str = "researcher", email: str | None = None) -> User:
    with app.app_context():
        made = create_user(db.session, email or f"{role}@example.org", PASSWORD, role)
        db.session.commit()
        db.session.refresh(made)
        db.session.expunge(made)
        return made


def site_id(app: Flask, code: str = "send") -> int:
    with app.app_context():
        found = db.session.scalar(select(Site.id).where(Site.code == code))
        assert found is not None, code
        return found
