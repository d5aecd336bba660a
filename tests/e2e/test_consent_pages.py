"""The pages of consent kept and refusals counted, in a real browser at a tablet's and a
phone's size, English and Welsh: "are you sure?" after "I do not want to take part", the lock
screen's note, Stop before she agrees, the fieldworker's note for an ID from another prison,
and the research pages that show a declined recontact and the participation counts. No
serious axe-core violation; the respondent pages' size checks too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.helpers import (
    VIEWPORTS,
    Accounts,
    PageChecker,
    enter_id,
    log_in,
    register,
    unlock_kiosk,
)
from tests.liveserver import LiveServer

SURE = {"en": "Are you sure you do not want to take part?", "cy": "Ydych chi'n siŵr"}


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_decline_stop_and_lock_pages(
    page: Any, server: LiveServer, accounts: Accounts, size: str, lang: str
) -> None:
    page.set_viewport_size(VIEWPORTS[size])
    check = PageChecker(page)
    unlock_kiosk(page, accounts, "T1")
    enter_id(page, register(server.app))
    if lang == "cy":
        page.get_by_role("button", name="Newid i'r Gymraeg").click()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
    # Stop before she agrees: nothing to keep, and the page says so.
    page.locator("a.stop").click()
    page.wait_for_url(re.compile(r"/kiosk/stop"))
    check("stop, before she agrees")
    page.locator("form button[name=choice]").click()
    page.wait_for_url("**/kiosk/lock")
    expect(page.locator("#lock-note")).to_have_attribute("lang", lang)
    check("lock screen with its note", respondent=True)
    # "I do not want to take part", then "are you sure?"
    enter_id(page, register(server.app))
    if lang == "cy":
        page.get_by_role("button", name="Newid i'r Gymraeg").click()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.locator("button[name=action][value=decline]").click()
    page.wait_for_url("**/kiosk/decline")
    expect(page.get_by_role("heading", level=1)).to_contain_text(SURE[lang])
    check("are you sure you do not want to take part")
    page.locator("button[name=confirm]").click()
    page.wait_for_url("**/kiosk/lock")
    expect(page.locator("#lock-note")).to_be_visible()
    check.assert_clean()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_other_prison_note_and_the_research_pages(
    page: Any, browser: Any, server: LiveServer, accounts: Accounts, size: str
) -> None:
    page.set_viewport_size(VIEWPORTS[size])
    check = PageChecker(page)
    unlock_kiosk(page, accounts, "T1")
    elsewhere = register(server.app, site="eastwood_park")

    def on_notice(notice: Any) -> None:
        expect(notice.locator("#other-site")).to_contain_text("registered at HMP Eastwood Park")
        check("note: registered at another prison", respondent=True)

    enter_id(page, elsewhere, on_notice=on_notice)
    page.wait_for_url(re.compile(r"/kiosk/page/0$"))
    said_no = register(server.app)
    factories.complete_response(server.app, said_no, "T1", {"consent_recontact": 0})
    # The researcher on another device: kiosk mode holds the fieldworker's browser.
    other = browser.new_context(base_url=server.url, viewport=VIEWPORTS[size], locale="en-GB")
    try:
        researcher = other.new_page()
        log_in(researcher, accounts.researcher)
        research = PageChecker(researcher)
        research("dashboard with participation and declined recontact", respondent=False)
        expect(researcher.locator("#declined-recontact")).to_be_visible()
        researcher.goto(f"/research/participants/{said_no}")
        expect(researcher.locator("#recontact")).to_contain_text("declined recontact")
        research("a participant who declined recontact", respondent=False)
        researcher.get_by_role("button", name="Record that she asked to take part again").click()
        expect(researcher.locator(".error, .field-error").first).to_be_visible()
        research("the reason missing", respondent=False)
    finally:
        other.close()
    check.assert_clean()
    research.assert_clean()
