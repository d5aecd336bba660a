"""Error pages: every failure a person can cause answers with an explanation and a 4xx."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to see this page.",
    404: "There is nothing at this address. Please check it.",
    405: "That action is not allowed here.",
    413: "That was too much to send at once.",
    429: "Too many attempts. Please wait a minute and try again.",
}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        message = (
            "This page had expired or was opened in another window, so nothing was sent. "
            "Please go back, reload the page and try again."
        )
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        message = (
            error.description
            if code == 400 and error.description
            else MESSAGES.get(code, "Something went wrong.")
        )
        if code >= 500:
            return error
        return render_template(
            "errors/error.html", code=code, message=message, path=request.path
        ), code
