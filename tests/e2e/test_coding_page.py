"""The coding page in a real browser on a laptop screen: no serious or critical axe-core
violation, the themes' keys tick their boxes (coding.js), Tab reaches the boxes in order, and
a save moves on to the next answer."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from survey_app.coding import codebook
from survey_app.extensions import db
from survey_app.models import KeyTheme
from tests import factories
from tests.e2e.helpers import Accounts, PageChecker, log_in, press
from tests.liveserver import LiveServer

URL = "/research/coding/questions/prison_staff/supports_release_planning/code"


def _codebook(server: LiveServer, tag: str) -> list[str]:
    names = [f"Release plans {tag}", f"Housing {tag}", f"Benefits {tag}"]
    with server.app.app_context():
        key = codebook.add_key_theme(db.session, f"Release {tag}", "Leaving prison.", actor_id=None)
        for name in names:
            codebook.add_theme(db.session, key, name, f"About {name}.", actor_id=None)
        db.session.commit()
        assert db.session.get(KeyTheme, key.id) is not None
    return names


def test_the_coding_page_on_a_laptop_is_accessible_and_its_keys_tick_themes(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    tag = secrets.token_hex(3)
    names = _codebook(server, tag)
    for day, text in enumerate([f"She plans housing before release {tag}.", f"Benefits {tag}."]):
        factories.link_response(
            server.app,
            "prison_staff",
            {"supports_release_planning": text},
            completed_on=dt.date(2020, 1, 1) + dt.timedelta(days=day),
        )
    page.set_viewport_size({"width": 1366, "height": 768})
    check = PageChecker(page)
    log_in(page, accounts.researcher)
    page.goto(URL)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Coding:")
    box = page.get_by_role("checkbox", name=names[1])
    assert not box.is_checked()
    key = box.get_attribute("data-shortcut")
    page.locator("main h1").click()  # keys typed outside any text box
    page.keyboard.press(key)
    assert box.is_checked() and page.evaluate("document.activeElement.id") == box.get_attribute(
        "id"
    )
    page.keyboard.press(key)
    assert not box.is_checked()
    page.keyboard.press(key)
    # Typed inside a quote box, the key is a letter of the quote, not a tick.
    page.get_by_text(f"Quote for {names[1]}", exact=True).click()
    quote = page.get_by_label(f"Quote for {names[1]} (optional)")
    quote.fill("plans housing")
    quote.press(key)
    assert box.is_checked() and quote.input_value() == f"plans housing{key}"
    quote.fill("plans housing")
    check("coding page", respondent=False)
    page.goto("/research/coding/")
    check("coding index and codebook", respondent=False)
    page.get_by_role("link", name=names[0]).click()
    check("a theme's page", respondent=False)
    page.goto(URL.removesuffix("/code"))
    check("a question's answers and coders", respondent=False)
    check.assert_clean()
    page.goto(URL)
    # The browser tests share one database: other tests' staff answers may be here too.
    progress = re.search(r"(\d+) of (\d+) coded", page.locator("#progress").inner_text())
    assert progress, page.locator("#progress").inner_text()
    done, total = int(progress[1]), int(progress[2])
    assert total >= 2
    page.get_by_role("checkbox", name=names[1]).check()
    page.get_by_text(f"Quote for {names[1]}", exact=True).click()
    page.get_by_label(f"Quote for {names[1]} (optional)").fill("plans housing")
    press(page, "Save and go to the next answer")
    assert "Coding saved." in page.locator("main").inner_text()
    assert f"{done + 1} of {total} coded" in page.locator("#progress").inner_text()
    assert f"Benefits {tag}." in page.locator("#answer-text").inner_text()
