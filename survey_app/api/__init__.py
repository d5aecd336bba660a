"""The read-only API (/api/v1/) for R and Python pipelines: JSON, a personal Bearer token
(made on the account page, survey_app/api/tokens.py), no cookies, no CORS, each call audited
and rate-limited per token. Its endpoints are in routes.py; its description at
/api/v1/openapi.json (openapi.py)."""

from __future__ import annotations

from flask import Blueprint, current_app

from ..extensions import limiter
from . import guard

bp = Blueprint("api", __name__)

bp.before_request(guard.authenticate)
bp.after_request(guard.audit_call)
# Counted per token (guard.rate_key) before the token is even checked.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=guard.rate_key)(bp)

from . import routes  # noqa: E402, F401 - the endpoints register on bp
