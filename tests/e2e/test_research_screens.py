"""The research pages on a researcher's screen, in a real browser: the header on one row at
1280 px, finding a mother by a mistyped ID, the link address selected whole for copying
(with and without JavaScript), QR codes shown under the page's CSP, and https addresses
behind the TLS proxy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.helpers import STEP_TIMEOUT_MS, Accounts, create_link, log_in, register
from tests.liveserver import LiveServer

WIDE = {"width": 1280, "height": 800}
LONG_EMAIL = "research.team.member1@example.org"

_ROWS = """() => {
  const header = document.querySelector("header.research-header");
  const top = (el) => Math.round(el.getBoundingClientRect().top);
  return {
    groups: [...header.children].filter((el) => el.getClientRects().length).map(top),
    // Links in a closed menu (More) are laid out but not shown: only the shown ones count.
    links: [...header.querySelectorAll("nav a")].filter((el) => el.checkVisibility()).map(top),
    menu: header.querySelectorAll("nav a").length,
    height: header.getBoundingClientRect().height,
    linkHeight: header.querySelector("nav a").getBoundingClientRect().height,
  };
}"""


@pytest.fixture(scope="module")
def admin(server: LiveServer) -> str:
    factories.user(server.app, "admin", LONG_EMAIL)
    return LONG_EMAIL


@pytest.fixture
def wide_page(browser: Any, server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=server.url, viewport=WIDE, locale="en-GB")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_the_header_is_one_row_at_1280_px_on_every_research_page(
    wide_page: Any, server: LiveServer, admin: str
) -> None:
    page = wide_page
    pseudonym = register(server.app)
    response_id = factories.complete_response(server.app, pseudonym, "T1", {"css_trust": 4})
    create_link(server.app, "practitioners")
    log_in(page, admin)
    paths = [
        "/research/",
        "/research/participants",
        f"/research/participants/{pseudonym}",
        f"/research/responses/{response_id}",
        "/research/links",
        "/research/instruments",
        "/research/export",
        "/research/audit",
        "/research/users",
    ]
    for path in paths:
        page.goto(path)
        rows = page.evaluate(_ROWS)
        assert rows["menu"] >= 10, path  # an admin's full menu, shown or under More
        assert len(set(rows["links"])) == 1, (path, rows)  # the navigation is one row
        assert len(set(rows["groups"])) == 1, (path, rows)  # and so is the whole header
        assert rows["height"] < 2 * rows["linkHeight"], (path, rows)
    expect(page.locator("a.brand")).to_have_text("Together a Chance evaluation")
    page.locator(".account .account-menu summary").click()
    page.get_by_role("link", name="Change password").click()
    page.wait_for_url("**/password")


def test_a_mistyped_id_leads_to_her_page_through_the_suggestion(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    pseudonym = register(server.app)
    log_in(page, accounts.fieldworker)
    page.goto("/research/participants")
    body = pseudonym.replace("-", "")
    typo = body[:5] + body[6] + body[5] + body[7:]  # two neighbours swapped
    if typo == body:
        typo = body[:-1] + ("Z" if body[-1] != "Z" else "Y")
    page.get_by_label("Participant ID").fill(typo.lower())
    page.get_by_label("Participant ID").press("Enter")
    page.wait_for_url(re.compile(r"\?q="))  # a GET form: the address can be bookmarked
    expect(page.get_by_label("Participant ID")).to_have_accessible_description(
        re.compile("is not a valid ID")
    )
    page.locator("#suggestions").get_by_role("link", name=pseudonym).click()
    page.wait_for_url(f"**/research/participants/{pseudonym}")
    page.goto("/research/participants")
    page.get_by_label("Participant ID").fill(pseudonym.lower().replace("-", " "))
    page.get_by_role("button", name="Find").click()
    # Her whole ID, however typed, opens her record.
    page.wait_for_url(f"**/research/participants/{pseudonym}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(pseudonym)


def _selected(field: Any) -> str:
    return str(field.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)"))


def test_a_link_address_is_selected_whole_when_clicked(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    token = create_link(server.app, "prison_staff")
    log_in(page, accounts.researcher)
    page.goto("/research/links")
    field = page.locator(f"input[value$='/s/{token}']")
    expect(field).to_have_attribute("readonly", "")
    field.click()
    assert _selected(field) == f"{server.url}/s/{token}"
    field.click()  # a second click keeps it whole, ready to copy
    assert _selected(field) == f"{server.url}/s/{token}"


def test_without_javascript_tabbing_into_an_address_selects_it(
    browser: Any, server: LiveServer, accounts: Accounts
) -> None:
    token = create_link(server.app, "prison_staff")
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, accounts.researcher)
        page.goto("/research/links")
        field = page.locator(f"input[value$='/s/{token}']")
        field.focus()  # then leave it and come back with the keyboard
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        assert _selected(field) == f"{server.url}/s/{token}"
    finally:
        context.close()


def test_qr_codes_show_under_the_pages_security_policy(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    create_link(server.app, "prison_staff")
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, accounts.researcher)
    page.goto("/research/links")
    image = page.locator("td.address .qr img").first
    expect(image).to_be_visible()
    # Loaded and decoded (waits while a busy machine serves it; fails if it never loads).
    page.wait_for_function(
        "() => { const i = document.querySelector('td.address .qr img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert refused == []


def test_behind_the_tls_proxy_addresses_and_qr_codes_are_https(
    browser: Any, server: LiveServer, accounts: Accounts
) -> None:
    """gunicorn trusts X-Forwarded-Proto from 127.0.0.1, as from the proxy in production."""
    token = create_link(server.app, "prison_staff")
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        log_in(page, accounts.researcher)
        # As the proxy would send it (only now: this test server itself speaks plain http, so
        # the login's redirects must stay on http).
        context.set_extra_http_headers({"X-Forwarded-Proto": "https"})
        page.goto("/research/links")
        https_address = server.url.replace("http://", "https://") + f"/s/{token}"
        field = page.locator(f"input[value$='/s/{token}']")
        expect(field).to_have_value(https_address)
        qr = page.locator("td.address .qr img").first.get_attribute("src")
        svg = context.request.get(f"{server.url}{qr}").text()
        assert f"<title>QR code of {https_address}</title>" in svg
    finally:
        context.close()
