"""The caseworker's pages in a real browser, on a laptop and on a tablet: no serious or
critical axe-core violation on any of them, and a case opened and a form page answered with
the keyboard alone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.helpers import PASSWORD, PageChecker, register
from tests.liveserver import LiveServer

SIZES = {
    "laptop": {"width": 1024, "height": 768},
    "tablet": {"width": 768, "height": 1024},
    "phone": {"width": 390, "height": 844},
}


def _keyboard_login(page: Any, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/$"))


def _tab_to(page: Any, name: str, limit: int = 60) -> None:
    """Press Tab until the named control has the focus (as someone without a mouse does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || e.value || '') }"
        )
        if name in str(focused):
            return
    raise AssertionError(f"{name!r} is not reachable with Tab")


@pytest.mark.parametrize("size", SIZES)
def test_case_pages_by_keyboard_with_no_serious_violation(
    page: Any, server: LiveServer, size: str
) -> None:
    email = f"cw-{size}@example.org"
    factories.caseworker(server.app, sites=("send",), email=email)
    pseudonym = register(server.app)
    page.set_viewport_size(SIZES[size])
    check = PageChecker(page)
    _keyboard_login(page, email)
    check("cases list", respondent=False)

    _tab_to(page, "New case")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/new$"))
    check("new case", respondent=False)
    _tab_to(page, "Participant ID")
    page.keyboard.type(pseudonym[:-1] + ("A" if pseudonym[-1] != "A" else "B"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("not valid")).to_be_visible()
    check("new case, a mistyped ID", respondent=False)
    page.get_by_label("Participant ID").fill("")
    page.get_by_label("Participant ID").focus()
    page.keyboard.type(pseudonym)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/pages/0$"))
    check("referral, first page", respondent=False)

    # The first page by keyboard: the date, then the first referral source with the arrows.
    _tab_to(page, "Date support started")
    page.get_by_label("Date support started").fill("2022-01-10")
    _tab_to(page, "Self-referral")
    page.keyboard.press("Space")
    _tab_to(page, "Next")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/pages/1$"))
    check("referral, about her", respondent=False)
    for label in ("White British", "30-39", "In care as a child", "Single"):
        page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Next", exact=True).click()
    check("referral, local authorities", respondent=False)
    # The 175 authorities: found by typing, ticked with the keyboard; the page stays short.
    assert page.evaluate("document.documentElement.scrollHeight") < 2000
    _tab_to(page, "Type to find")
    page.keyboard.type("brigh")
    expect(page.get_by_text("1 of 175 shown")).to_be_visible()
    expect(page.get_by_label("Barking and Dagenham", exact=True)).to_be_hidden()
    page.keyboard.press("Enter")  # finding, not sending the page
    _tab_to(page, "Brighton and Hove")
    page.keyboard.press("Space")
    expect(page.get_by_label("Brighton and Hove", exact=True)).to_be_checked()
    check("referral, local authorities filtered", respondent=False)
    page.get_by_role("button", name="Next", exact=True).click()
    for label in ("Theft", "Under 12 months"):
        page.get_by_label(label, exact=True).check()
    page.locator("input[name=child_related_offence][value='0']").check()
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Add a child").click()
    check("referral, children", respondent=False)
    for n in ("0", "1"):
        page.locator(f"input[name=children-{n}-child_age_band][value='2']").check()
        page.locator(f"input[name=children-{n}-child_care_arrangement][value='1']").check()
        page.locator(f"input[name=children-{n}-child_has_social_worker][value='1']").check()
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_label(re.compile("social workers are allocated")).fill("25")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.locator("#page-notice")).to_be_visible()
    check("referral, family, a number out of range", respondent=False)
    page.get_by_label("Separated amongst family members").check()
    page.locator("input[name=on_mbu][value='0']").check()
    page.get_by_label(re.compile("social workers are allocated")).fill("1")
    page.get_by_label("Not involved").check()
    page.locator("input[name=contact_at_referral][value='1']").check()
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Next", exact=True).click()
    check("referral, check and send", respondent=False)
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    check("case page", respondent=False)
    page.get_by_role("link", name="Referral").click()
    check("referral, read-only", respondent=False)
    page.get_by_role("button", name="Correct this form").click()
    check("correction, first page", respondent=False)
    for _ in range(7):  # every page unchanged, to the check page and its reason box
        page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#page-error")).to_have_text("Please say why the form is being corrected.")
    check("correction, check and send, no reason", respondent=False)
    page.get_by_label("Why is the form being corrected?").fill("Checked against her file.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Checked against her file.")).to_be_visible()
    check("form page, a revision with its reason", respondent=False)
    page.get_by_role("link", name=pseudonym).click()
    page.get_by_role("link", name=re.compile("^Transfer")).click()
    check("transfer", respondent=False)
    page.goto("/cases/999999")
    check.assert_clean()


def _to_local_authorities(page: Any, server: LiveServer, email: str) -> None:
    """A caseworker's new referral, by its two first pages, to the local authorities."""
    factories.caseworker(server.app, sites=("send",), email=email)
    pseudonym = register(server.app)
    _keyboard_login(page, email)
    page.goto("/cases/new")
    page.get_by_label("Participant ID").fill(pseudonym)
    page.get_by_label("Participant ID").press("Enter")
    page.wait_for_url(re.compile(r"/pages/0$"))
    page.get_by_label("Date support started").fill("2022-01-10")
    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url(re.compile(r"/pages/1$"))
    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url(re.compile(r"/pages/2$"))


def test_the_long_list_is_a_combobox_used_by_keyboard_alone(page: Any, server: LiveServer) -> None:
    """Type to find, Down to the entry, Enter to tick it (the page is not sent), as the ARIA
    combobox pattern has it: role, aria-controls, aria-expanded, aria-activedescendant."""
    page.set_viewport_size(SIZES["laptop"])
    _to_local_authorities(page, server, "cw-combo@example.org")
    check = PageChecker(page)
    box = page.get_by_role("combobox", name="Type to find")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    listed = box.get_attribute("aria-controls")
    assert listed and page.locator(f"#{listed} input[type=checkbox]").count() == 175
    _tab_to(page, "Type to find")
    page.keyboard.type("brigh")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("1 of 175 shown")).to_be_visible()
    page.keyboard.press("ArrowDown")
    brighton = page.get_by_label("Brighton and Hove", exact=True)
    expect(box).to_have_attribute("aria-activedescendant", brighton.get_attribute("id") or "")
    expect(box).to_be_focused()  # the focus stays in the box: the entry is in hand, not focused
    page.keyboard.press("Enter")
    expect(brighton).to_be_checked()
    assert page.url.endswith("/pages/2")  # Enter ticked; it did not send the page
    expect(page.locator(f"#{box.get_attribute('aria-describedby')}")).to_contain_text(
        "Brighton and Hove ticked"
    )
    check("local authorities, an entry in hand and ticked", respondent=False)
    # Another: the list again, Down twice and Up once from the top of "bri".
    box.fill("")
    page.keyboard.type("bri")
    expect(page.get_by_text("of 175 shown")).to_be_visible()
    shown = page.locator(f"#{listed} label.option:not([hidden]) input")
    ids = [shown.nth(i).get_attribute("id") for i in range(shown.count())]
    assert len(ids) >= 2, ids  # Brighton (ticked, kept in view) and Bristol at least
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", ids[0] or "")
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    second = page.locator(f"#{ids[1]}")
    expect(second).to_be_checked()
    # Both ticked ones are sent with the page.
    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url(re.compile(r"/pages/3$"))
    page.goto(page.url.replace("/pages/3", "/pages/2"))
    expect(page.get_by_label("Brighton and Hove", exact=True)).to_be_checked()
    expect(page.locator(f"#{ids[1]}")).to_be_checked()
    check.assert_clean()
