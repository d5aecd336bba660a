"""The study's journeys in a real browser: a mother answers T1 (one section in Welsh) and T2 on
the kiosk, a member of staff answers an anonymous link, a researcher downloads the workbook."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.instruments.model import pick
from survey_app.models import Link, Response
from tests.e2e.helpers import (
    PASSWORD,
    Accounts,
    answer_page,
    answer_to_finish,
    create_link,
    enter_id,
    log_in,
    next_page,
    register,
    send,
    unlock_kiosk,
)
from tests.flows import instrument
from tests.liveserver import LiveServer

HOPES = "To see my children every week and be home for the summer holidays."


def assert_nothing_of_hers(page: Any, pseudonym: str) -> None:
    body = page.content()
    assert HOPES not in body and pseudonym not in body, page.url
    assert page.locator("input:checked").count() == 0, page.url
    assert page.locator("form.questionnaire").count() == 0, page.url


def answer_t1_with_one_section_in_welsh(page: Any, server: LiveServer) -> None:
    t1 = instrument(server.app, "mothers_t1")
    # She agrees to be asked again (answer_page would tick "No", the last answer: a mother
    # who said no is never asked at T2).
    recontact = page.get_by_role("group", name=pick(t1.item("consent_recontact").text, "en"))
    recontact.get_by_label("Yes", exact=True).check()
    answer_page(page)  # consent, in English
    next_page(page)

    page.get_by_role("button", name="Newid i'r Gymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text(pick(t1.sections[1].title, "cy"))
    trust = page.get_by_role("group", name=pick(t1.item("css_trust").text, "cy"))
    trust.get_by_label("Cytuno", exact=True).check()
    answer_page(page)
    page.get_by_role("button", name="Nesaf").click()
    page.wait_for_url("**/kiosk/page/2")
    expect(page.get_by_role("heading", level=1)).to_have_text(pick(t1.sections[2].title, "cy"))

    page.get_by_role("button", name="Switch to English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(pick(t1.sections[2].title, "en"))
    answer_to_finish(page, text=HOPES)


def test_a_mother_answers_t1_and_t2_and_a_researcher_downloads_her_row(
    page: Any, browser: Any, server: LiveServer, accounts: Accounts, tmp_path: Path
) -> None:
    pseudonym = register(server.app)
    page.clock.install()  # the thank-you page's ten seconds, without waiting for them
    unlock_kiosk(page, accounts, "T1")
    enter_id(page, pseudonym)
    answer_t1_with_one_section_in_welsh(page, server)
    send(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    # The kiosk locks by itself, and Back shows nothing of her answers.
    page.clock.fast_forward(10_000)
    page.wait_for_url("**/kiosk/lock")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/kiosk/lock$"))
    assert_nothing_of_hers(page, pseudonym)
    for _ in range(3):
        page.go_back()
        assert_nothing_of_hers(page, pseudonym)

    # The fieldworker switches the kiosk to T2 and she answers again (the same day here, so
    # outside T2's window: enter_id gives the fieldworker's password at the warning).
    page.goto("/kiosk/lock")
    page.get_by_role("link", name="Fieldworker: leave kiosk mode").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Leave kiosk mode").click()
    page.get_by_role("link", name="Start the kiosk").click()
    page.get_by_label("Wave").select_option("T2")
    page.get_by_role("button", name="Start kiosk mode").click()
    enter_id(page, pseudonym)
    answer_to_finish(page)
    send(page)

    # A researcher downloads the workbook and finds her on one row, T1 beside T2.
    researcher = browser.new_context(base_url=server.url, viewport={"width": 1024, "height": 768})
    try:
        desk = researcher.new_page()
        log_in(desk, accounts.researcher)
        desk.goto("/research/export")
        with desk.expect_download() as download:
            desk.get_by_role("button", name="Download").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    finally:
        researcher.close()
    assert saved.suffix == ".xlsx"
    book = openpyxl.load_workbook(saved, read_only=True)
    try:  # read-only workbooks keep the file open until closed
        rows = [list(row) for row in book["Mothers (linked)"].iter_rows(values_only=True)]
    finally:
        book.close()
    [header] = [row for row in rows if "t1_css_trust" in row]
    [hers] = [row for row in rows if pseudonym in row]
    got = dict(zip(header, hers, strict=False))
    assert got["t1_css_trust"] == 4  # "Cytuno", answered in Welsh
    assert got["t2_css_trust"] == 5
    assert got["t1_tac_hopes"] == HOPES


def test_a_member_of_staff_answers_an_anonymous_link(page: Any, server: LiveServer) -> None:
    token = create_link(server.app, "prison_staff")
    page.goto(f"/s/{token}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("staff")
    page.get_by_role("button", name="Start").click()
    answer_to_finish(page, text="Typed by a member of staff")
    send(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    with server.app.app_context():
        [stored] = db.session.scalars(
            select(Response).join(Link, Response.link_id == Link.id).where(Link.token == token)
        ).all()
        assert stored.status == "complete"
        assert stored.answers["gaps_filled"] == "Typed by a member of staff"
