"""Whether this database holds the demo study (a row of ``demo_study``), and whether it holds
anything a demo would mix with."""

from __future__ import annotations

import logging

from flask import g
from sqlalchemy import exists, func, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Case, Decline, DemoStudy, KeyTheme, Link, Participant, Response
from ..models.types import DbSession

# What people enter: a demo is refused where any of these has a row. Users, sites, waves and
# published instruments are set-up (`make run` makes a development login), not data.
DATA_TABLES = {
    "participants": Participant,
    "questionnaires": Response,
    "cases": Case,
    "anonymous links": Link,
    "declines": Decline,
    "codebook key themes": KeyTheme,  # a study's own codebook: the demo would code against it
}

log = logging.getLogger(__name__)


def is_demo(session: DbSession) -> bool:
    return bool(session.scalar(select(exists().where(DemoStudy.id.is_not(None)))))


def data_held(session: DbSession) -> dict[str, int]:
    """Each kind of entered data the database holds, with its count (empty: none)."""
    counts = {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in DATA_TABLES.items()
    }
    return {name: n for name, n in counts.items() if n}


def demo_banner() -> bool:
    """For the pages' banner: read on a connection of its own, once a request, so that the
    page's own transaction (committed after the page is drawn) never sees this query fail,
    e.g. on an error page while the database is down."""
    if "demo_study" not in g:
        try:
            with db.engine.connect() as connection:
                g.demo_study = bool(
                    connection.scalar(select(exists().where(DemoStudy.id.is_not(None))))
                )
        except SQLAlchemyError:
            log.warning("demo banner: the demo_study table could not be read", exc_info=True)
            g.demo_study = False
    return bool(g.demo_study)
