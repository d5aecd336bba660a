"""The baseline: a bare Flask app returning a short text, served by the same gunicorn
settings as survey_app in bench/run.py."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return "ok"
