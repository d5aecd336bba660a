"""The research side: pages for the research team (researchers, fieldworkers, admins).

One blueprint; each page module registers its routes on ``bp`` when imported below."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("research", __name__)

from . import (  # noqa: E402, F401 - the page modules register on bp
    admin,
    exports,
    field,
    instruments,
    links,
    participants,
    report,
    responses,
    views,
)
