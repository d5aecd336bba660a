"""Every respondent page, in English and Welsh, on a 1024 x 768 tablet and a 390 x 844 phone,
and the research pages: no serious or critical axe-core violation of WCAG 2.2 AA; on
respondent pages also targets of 44 x 44 px, text of 18 px, no sideways scrolling at the
screen's size and at 200% zoom, a read-aloud button on each question; errors tied to their
question and announced."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from survey_app.pseudonyms import generate
from tests import factories
from tests.e2e.helpers import (
    NEXT,
    VIEWPORTS,
    Accounts,
    PageChecker,
    answer_to_finish,
    create_link,
    enter_id,
    log_in,
    register,
    send,
    unlock_kiosk,
)
from tests.flows import PASSWORD, instrument
from tests.liveserver import LiveServer

MISSING_CONSENT = {
    "en": "Please tick this box if you agree",
    "cy": "Ticiwch y blwch hwn os ydych chi'n cytuno",
}


def check_missing_consent(page: Any, check: PageChecker, lang: str) -> None:
    """Next without ticking the consent boxes: the page says why, at each box, out loud."""
    page.locator(NEXT).click()
    expect(page.locator("#page-notice")).to_have_attribute("role", "alert")
    first = page.locator("fieldset.question.has-error").first
    error = first.locator(".field-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text(MISSING_CONSENT[lang])
    assert first.get_attribute("aria-describedby") == error.get_attribute("id")
    expect(first).to_have_accessible_description(re.compile(re.escape(MISSING_CONSENT[lang])))
    # Not by colour alone: the message is words with a sign, the box a thicker border.
    assert first.evaluate("el => parseFloat(getComputedStyle(el).borderTopWidth)") >= 4
    assert error.evaluate("el => getComputedStyle(el, '::before').content").startswith('"⚠')
    check("consent, missing consent")


def check_window_warning(page: Any, check: PageChecker, server: LiveServer) -> None:
    """An ID whose T1 was done today: the fieldworker's warning, her password asked (a wrong
    one refused), then Cancel back to the lock screen."""
    early = register(server.app)
    factories.complete_response(server.app, early, "T1", {})
    page.get_by_role("link", name=re.compile("^Start")).click()
    page.get_by_label(re.compile("Participant ID")).fill(early)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/kiosk/notice")
    expect(page.get_by_role("alert").first).to_contain_text("window is")
    check("fieldworker's note (a follow-up outside its window)")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#pw-error")).to_be_visible()
    check("fieldworker's note, wrong password")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url("**/kiosk/lock")


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize(("key", "wave"), [("mothers_t1", "T1"), ("mothers_t2", "T2")])
def test_every_kiosk_page(
    page: Any, server: LiveServer, accounts: Accounts, key: str, wave: str, lang: str, size: str
) -> None:
    page.set_viewport_size(VIEWPORTS[size])
    check = PageChecker(page)
    pseudonym = register(server.app)
    unlock_kiosk(page, accounts, wave)
    check("lock screen")

    page.get_by_role("link", name=re.compile("^Start")).click()
    check("ID entry")
    id_box = page.get_by_label(re.compile("Participant ID"))
    id_box.fill("TC-AAA-AAAA")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    expect(id_box).to_have_accessible_description(re.compile("not valid"))
    check("ID entry, a mistyped ID")
    page.get_by_role("link", name="Back").click()
    if wave == "T2":
        check_window_warning(page, check, server)

    enter_id(page, pseudonym, on_notice=lambda _: check("fieldworker's note (T2 with no T1)"))
    if lang == "cy":
        page.get_by_role("button", name="Newid i'r Gymraeg").click()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
    check("consent")
    check_missing_consent(page, check, lang)

    sections = len(instrument(server.app, key).sections)
    pages = answer_to_finish(page, visit=lambda p: check(f"section {p.url.rsplit('/', 1)[-1]}"))
    assert pages == sections  # every section seen (the answers skip none)
    check("finish")
    page.locator("a.stop").click()
    page.wait_for_url(re.compile(r"/kiosk/stop"))
    check("stop: keep or delete her answers")
    page.go_back()
    page.wait_for_url("**/kiosk/finish")
    send(page)
    check("thank-you")
    if lang == "en":  # the fieldworker's own pages on the kiosk, in English only
        page.goto("/kiosk/lock")
        page.get_by_role("link", name="Fieldworker: leave kiosk mode").click()
        check("leave kiosk mode")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Leave kiosk mode").click()
        expect(page.get_by_role("alert")).to_be_visible()
        check("leave kiosk mode, wrong password")
    check.assert_clean()


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("key", ["prison_staff", "practitioners"])
def test_every_link_page(page: Any, server: LiveServer, key: str, size: str) -> None:
    page.set_viewport_size(VIEWPORTS[size])
    check = PageChecker(page)
    token = create_link(server.app, key)
    page.goto(f"/s/{token}")
    check("link landing")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"**/s/{token}/page/0")
    check("consent")
    check_missing_consent(page, check, "en")
    answer_to_finish(page, visit=lambda p: check(f"section {p.url.rsplit('/', 1)[-1]}"))
    check("finish")
    send(page)
    check("thank-you")
    check.assert_clean()


def test_research_pages(page: Any, server: LiveServer, accounts: Accounts) -> None:
    check = PageChecker(page)
    page.goto("/login")
    check("login", respondent=False)
    page.get_by_label("Email").fill(accounts.researcher)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check("login, wrong password", respondent=False)
    log_in(page, accounts.researcher)
    check("dashboard", respondent=False)
    pseudonym = register(server.app)
    response_id = factories.complete_response(
        server.app, pseudonym, "T1", {"css_trust": 4, "meetings_share_views": -1}
    )
    create_link(server.app, "prison_staff")
    factories.link_response(server.app, "prison_staff", {"consent_take_part": 1})  # newest
    drafting = register(server.app)  # a T1 left half answered: the "in progress" cells
    factories.draft_response(server.app, drafting, "T1", 3, 7, dt.date(2026, 1, 20))
    typo = pseudonym[:-1] + ("Z" if pseudonym[-1] != "Z" else "Y")
    for path, name in [
        ("/research/participants", "participants"),
        # Her whole ID opens her record (below); one not registered lists nobody.
        (f"/research/participants?q={generate('TC')}", "participants, an ID not registered"),
        (f"/research/participants?q={typo}", "participants, a mistyped ID with a suggestion"),
        (f"/research/participants/{pseudonym}", "a participant"),
        (f"/research/participants/{drafting}", "a participant with a draft"),
        ("/research/", "dashboard, with a draft"),
        (f"/research/responses/{response_id}", "a response, read only"),
        ("/research/links", "links"),
        ("/research/instruments", "instruments"),
        ("/research/instruments/mothers_t1/1", "instrument preview"),
        ("/research/export", "export"),
        ("/research/audit", "audit log"),
        ("/kiosk/", "kiosk setup"),
    ]:
        page.goto(path)
        check(name, respondent=False)
    page.goto("/account/tokens")
    check("API tokens", respondent=False)
    page.get_by_label("A name for the token").fill("Nightly R import")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Make the token").click()
    expect(page.locator("#token-value")).to_be_visible()
    check("API tokens, a new token shown once", respondent=False)
    page.goto("/research/links")
    page.locator("#links td.num a").first.click()
    expect(page.locator("#link-responses tbody tr")).to_have_count(1)
    check("a link's responses", respondent=False)
    page.goto("/research/links")
    page.get_by_role("link", name=re.compile("^Close…")).first.click()
    check("closing a link: the question", respondent=False)
    page.get_by_role("button", name="Close the link").click()
    check("links, with a closed link to re-open", respondent=False)
    page.locator(".account .account-menu summary").click()
    check("the account menu open", respondent=False)
    check.assert_clean()
