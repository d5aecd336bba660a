"""The app over HTTPS, as deployed: SURVEY_APP_ENV=production (secure cookies, HSTS, two-step
login for researchers), two gunicorn workers, and Chromium accepting a certificate made for the
run. Two ways in: gunicorn serving TLS itself (--certfile/--keyfile), and gunicorn behind a
TLS-terminating reverse proxy that sends X-Forwarded-Proto: https (TRUSTED_PROXIES=1, as the
README's deployment sets). Every form is posted by the browser as a person would, with the
pages' own Referrer-Policy, so a check that needs a Referer would refuse them here."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Link, Participant, Response, ResponseStatus
from tests import factories
from tests.e2e.helpers import (
    PASSWORD,
    STEP_TIMEOUT_MS,
    answer_page,
    answer_to_finish,
    enrolled_researcher,
    enter_id,
    log_in,
    make_accounts,
    next_page,
    press,
    register,
    send,
    unlock_kiosk,
)
from tests.liveserver import LiveServer, live_server
from tests.tls import Certificate, self_signed_certificate, tls_proxy

PRODUCTION = {
    "SURVEY_APP_ENV": "production",
    "TOTP_REQUIRED_ROLES": "admin,researcher",
    # Production must be told where the limiter counts. These tests throttle nothing, so each
    # worker's own memory will do; the limits across workers are tested with Redis
    # (tests/test_concurrency.py, tests/respond/test_link_budget.py).
    "RATELIMIT_STORAGE_URI": "memory://",
}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(
    chromium_executable: str, certificate: Certificate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """gunicorn serving HTTPS itself."""
    with live_server(
        tmp_path_factory.mktemp("live-tls"), workers=2, tls=certificate, extra_env=PRODUCTION
    ) as served:
        yield served


@pytest.fixture(scope="module")
def proxied_server(
    chromium_executable: str, certificate: Certificate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """gunicorn on plain HTTP behind a TLS-terminating proxy; ``url`` is the proxy's."""
    with (
        live_server(
            tmp_path_factory.mktemp("live-proxied"),
            workers=2,
            extra_env={**PRODUCTION, "TRUSTED_PROXIES": "1"},
        ) as served,
        tls_proxy(served.url, certificate) as public_url,
    ):
        yield dataclasses.replace(served, url=public_url)


@contextmanager
def browser_at(browser: Any, url: str) -> Iterator[Any]:
    """A new browser (its own cookies) that accepts the run's self-signed certificate."""
    context = browser.new_context(
        base_url=url,
        ignore_https_errors=True,
        viewport={"width": 1024, "height": 768},
        locale="en-GB",
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_researcher_sets_up_two_step_login_changes_her_password_and_logs_in_again(
    browser: Any, tls_server: LiveServer
) -> None:
    email, new_password = "first-login@example.org", "a longer passphrase for the tls test"
    factories.user(tls_server.app, "researcher", email)
    with browser_at(browser, tls_server.url) as page:
        assert page.goto("/login").url.startswith("https://")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        press(page, "Log in")
        page.wait_for_url("**/login/enrol")
        secret = page.locator("code.secret").inner_text()
        page.get_by_label(re.compile("^Code")).fill(pyotp.TOTP(secret).now())
        press(page, "Confirm")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
        page.get_by_role("link", name="Continue").click()
        page.wait_for_url(re.compile(r"/research/$"))

        page.goto("/account/password")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label(re.compile("^New password \\(")).fill(new_password)
        page.get_by_label("New password again").fill(new_password)
        press(page, "Change password")
        expect(page.get_by_text("Your password has been changed")).to_be_visible()

        press(page, "Log out")
        page.wait_for_url(re.compile(r"/(login)?$"))
        log_in(page, email, new_password, code_secret=secret)
        expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_fieldworker_unlocks_the_kiosk_a_mother_answers_and_the_kiosk_is_left(
    browser: Any, tls_server: LiveServer
) -> None:
    accounts = make_accounts(tls_server.app)
    pseudonym = register(tls_server.app)
    with browser_at(browser, tls_server.url) as page:
        unlock_kiosk(page, accounts)
        enter_id(page, pseudonym)
        answer_page(page)  # her consent
        next_page(page)
        page.goto("/kiosk/lock")
        page.get_by_role("link", name="Fieldworker: leave kiosk mode").click()
        page.get_by_label("Password").fill(PASSWORD)
        press(page, "Leave kiosk mode")
        page.wait_for_url(re.compile(r"/research/$"))
    with tls_server.app.app_context():
        [draft] = db.session.scalars(
            select(Response).join(Participant).where(Participant.pseudonym == pseudonym)
        ).all()
        assert (
            draft.status == ResponseStatus.IN_PROGRESS and draft.answers["consent_take_part"] == 1
        )


@pytest.mark.parametrize("served", ["tls_server", "proxied_server"])
def test_a_researcher_makes_a_link_and_a_member_of_staff_answers_it(
    browser: Any, served: str, request: pytest.FixtureRequest
) -> None:
    server: LiveServer = request.getfixturevalue(served)
    secret = enrolled_researcher(server.app, "links@example.org")
    with browser_at(browser, server.url) as desk:
        log_in(desk, "links@example.org", code_secret=secret)
        desk.goto("/research/links")
        desk.get_by_label("Questionnaire").select_option("prison_staff")
        press(desk, "Create link")
        address = desk.locator("#links input.copy-field").first.input_value()
    # The address to send round is the one the browser used: https, the proxy's host and port.
    assert re.fullmatch(re.escape(server.url) + r"/s/[\w-]+", address), address

    with browser_at(browser, server.url) as staff:
        staff.goto(address)
        press(staff, "Start")
        answer_to_finish(staff, text="Typed over HTTPS")
        send(staff)
        expect(staff.get_by_role("heading", level=1)).to_have_text("Thank you")
    token = address.rsplit("/", 1)[-1]
    with server.app.app_context():
        [stored] = db.session.scalars(
            select(Response).join(Link, Response.link_id == Link.id).where(Link.token == token)
        ).all()
        assert stored.status == ResponseStatus.COMPLETE
        assert stored.answers["gaps_filled"] == "Typed over HTTPS"
