"""The list pages' tables on a 1024 px laptop (issue 26): the participants, links and case
tables fit the page, their columns wrapping or folding into the row, with no sideways scroll."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Case
from tests import case_data, factories
from tests.e2e.helpers import Accounts, create_link, log_in, register
from tests.liveserver import LiveServer

LAPTOP = {"width": 1024, "height": 768}

# Each shown data table: its own scroll width against its width, and its right edge against
# the window's (a table wider than its box overflows the page even where the box clips it).
_TABLES = """() => [...document.querySelectorAll("table.data")]
  .filter((t) => t.getClientRects().length)
  .map((t) => ({
    id: t.id || t.querySelector("caption")?.innerText || "?",
    scroll: t.scrollWidth, client: t.clientWidth,
    right: Math.ceil(t.getBoundingClientRect().right), window: window.innerWidth,
    page: document.scrollingElement.scrollWidth,
  }))"""


def _too_wide(page: Any, path: str) -> list[dict[str, Any]]:
    """The page's data tables that do not fit (each with its figures); none shown fails."""
    page.goto(path)
    tables: list[dict[str, Any]] = page.evaluate(_TABLES)
    assert tables, f"{path}: no data table shown"
    return [
        {"path": path, **t}
        for t in tables
        if t["scroll"] > t["client"] or t["right"] > t["window"] or t["page"] > t["window"]
    ]


def test_the_list_tables_fit_a_1024_px_laptop_without_sideways_scroll(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    page.set_viewport_size(LAPTOP)
    case_data.twelve_cases(server.app)
    for n in range(3):
        her = register(server.app)
        factories.complete_response(server.app, her, "T1", {"css_trust": 4})
        factories.draft_response(
            server.app, register(server.app), "T1", n + 2, 7, dt.date(2026, 1, 20)
        )
    for key in ("prison_staff", "practitioners"):
        create_link(server.app, key)
    with server.app.app_context():
        busiest = max(db.session.scalars(select(Case)), key=lambda c: len(c.forms))
        case_id, form_id = busiest.id, busiest.forms[0].id
    log_in(page, accounts.researcher)
    paths = [
        "/research/participants",
        "/research/links",
        "/cases/",
        f"/cases/{case_id}",
        f"/cases/{case_id}/forms/{form_id}",
    ]
    too_wide = [t for path in paths for t in _too_wide(page, path)]
    # A caseworker's own list of her prison's cases too.
    factories.caseworker(server.app, sites=("send",), email="cw-widths@example.org")
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill("cw-widths@example.org")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/cases/$"))
    too_wide += _too_wide(page, "/cases/")
    assert too_wide == []
