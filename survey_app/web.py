"""Request hooks shared by both sides: the one place that commits, and security headers."""

from __future__ import annotations

from flask import Response, abort, current_app, g, request

from .extensions import db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def reject_nul_bytes() -> None:
    """No text we keep may hold a NUL byte (PostgreSQL refuses it in text and JSON): refuse
    such a request up front with a 400, whatever form or page it was sent to."""
    values = (
        [*request.args.values(), *request.form.values()]
        if request.method != "GET"
        else [*request.args.values()]
    )
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        abort(404)  # a path part with a NUL byte names nothing here
    if any("\x00" in value for value in values):
        abort(
            400, description="The request held a character that is not allowed. Nothing was saved."
        )


def commit_or_rollback(response: Response) -> Response:
    """Views and operations only flush; the request commits here when it succeeded."""
    # A refused request keeps nothing, unless the view asked to record its refusal (an audit
    # event of a failed second step, say).
    if response.status_code < 400 or g.get("commit_on_error"):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("SURVEY_APP_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not request.path.startswith("/static/"):
        # Respondent and research pages carry answers or pseudonyms: never cache them.
        headers["Cache-Control"] = "no-store"
    return response
