"""Shared steps of the case tracker tests, through the real pages."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import PASSWORD, submit_form


def log_in(client: FlaskClient, email: str = "caseworker@example.org") -> None:
    reply = submit_form(client, "/login", {"email": email, "password": PASSWORD})
    assert reply.status_code == 302, reply.get_data(as_text=True)
