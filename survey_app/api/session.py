"""The API neither reads nor writes the browser session: a call is its Bearer token alone.

Flask-Login finds its user in the session, so a session cookie sent with an API call (a
browser that is also logged in) would otherwise make ``current_user`` someone, and a changed
session would send a Set-Cookie back. For /api/ paths this interface opens an empty session
that is never saved: no cookie is read, none is set."""

from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

API_PREFIX = "/api/"


class NoApiSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(API_PREFIX):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Called inside the request's context, after the view.
        if request.path.startswith(API_PREFIX):
            return
        super().save_session(app, session, response)
