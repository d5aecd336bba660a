"""Error pages: every failure a person can cause answers with an explanation and a 4xx.

Two sides, two looks: respondent pages (kiosk, links) get an error page with no link to any
research page; research pages get theirs. A 500 shows a generic page, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .user_errors import UserError

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to see this page.",
    404: "There is nothing at this address. Please check it.",
    405: "That action is not allowed here.",
    413: "That was too much to send at once.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you sent before this page was lost.",
}
RESPONDENT_PREFIXES = ("/kiosk", "/s/")
API_PREFIX = "/api/"


def _page(code: int, message: str) -> ResponseReturnValue:
    if request.path.startswith(API_PREFIX):
        return _api_error(code, message)
    respondent = request.path.startswith(RESPONDENT_PREFIXES)
    template = "respond/error.html" if respondent else "errors/error.html"
    return render_template(template, code=code, message=message), code


def _api_error(code: int, message: str) -> ResponseReturnValue:
    """The API's errors are JSON, never a page (survey_app/api/)."""
    reply = jsonify(error={"status": code, "message": message})
    reply.status_code = code
    if code == 401:
        reply.headers["WWW-Authenticate"] = 'Bearer realm="survey_app"'
    return reply


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return _page(
            400,
            "This page had expired or was opened in another window, so nothing was sent. "
            "Please go back, reload the page and try again.",
        )

    @app.errorhandler(UserError)
    def user_error(error: UserError) -> ResponseReturnValue:
        # A refusal a view did not answer itself: its message and status, on the side's page.
        return _page(error.status, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code == 400 and error.description and not error.description.startswith("The browser"):
            message = error.description
        elif isinstance(error, RateLimitExceeded) and error.limit.error_message:
            message = str(error.description)  # a limit with words of its own
        else:
            message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else "That did not work.")
        return _page(code, message)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> ResponseReturnValue:
        # The cause goes to the log (type and place only: never request data or answers).
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled %s at %s", type(original).__name__, request.endpoint)
        return _page(500, MESSAGES[500])
