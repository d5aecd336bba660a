"""A security key in Chromium: its virtual authenticator (DevTools' WebAuthn domain) is added
from the account page and then logs her in, by keyboard only."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.helpers import PASSWORD, STEP_TIMEOUT_MS, Accounts, log_in
from tests.liveserver import LiveServer


def test_a_researcher_adds_a_security_key_and_logs_in_with_it(
    browser: Any, server: LiveServer, accounts: Accounts
) -> None:
    # WebAuthn wants a host name for its RP ID, never an IP address; localhost is a secure
    # context over plain HTTP.
    context = browser.new_context(
        base_url=server.url.replace("127.0.0.1", "localhost"),
        viewport={"width": 1024, "height": 768},
        locale="en-GB",
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        page = context.new_page()
        devtools = context.new_cdp_session(page)
        devtools.send("WebAuthn.enable")
        added = devtools.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "usb",
                    "hasResidentKey": False,
                    "hasUserVerification": False,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        email = accounts.researcher
        log_in(page, email)

        page.goto("/account/keys")
        page.get_by_label(re.compile("^A name for the key")).fill("Blue key")
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a security key")
        _press_by_keyboard(page, "Use my security key")
        expect(page.get_by_text("The key “Blue key” is added")).to_be_visible()
        expect(page.get_by_role("cell", name="Blue key", exact=True)).to_be_visible()
        credentials = devtools.send(
            "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
        )["credentials"]
        assert len(credentials) == 1

        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(re.compile(r"/(login)?$"))
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/login/key")
        _press_by_keyboard(page, "Use my security key")
        page.wait_for_url(re.compile(r"/research/"))
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        used = devtools.send(
            "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
        )["credentials"]
        assert used[0]["signCount"] >= 1
    finally:
        context.close()


def _press_by_keyboard(page: Any, name: str) -> None:
    """Tab to the button (no mouse), then Enter."""
    button = page.get_by_role("button", name=name)
    for _ in range(30):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        raise AssertionError(f"Tab never reached {name!r}")
    page.keyboard.press("Enter")
