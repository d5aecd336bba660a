"""The layout of the question pages on a tablet and on a phone: questions on one scale as a
grid from 768 px (one row per question, one column per answer under the scale's labels, each
row still its own fieldset), stacked on a phone; the 1-10 rating on one row on a tablet and
in two rows of five on a phone; a question's text inside its box."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from survey_app.instruments.missing import LABELS as MISSING_LABELS
from survey_app.instruments.model import pick
from tests.e2e.helpers import Accounts, answer_page, enter_id, next_page, register, unlock_kiosk
from tests.flows import instrument
from tests.liveserver import LiveServer

TABLET = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


def to_page_with(page: Any, variable: str) -> None:
    """Answer page after page (every question answered, none skipped) until ``variable``'s."""
    for _ in range(12):
        if page.locator(f"input[name={variable}]").count():
            return
        answer_page(page)
        next_page(page)
    raise AssertionError(f"never reached the page of {variable}")


def boxes(locator: Any) -> list[dict[str, float]]:
    return [el.bounding_box() for el in locator.all()]


def centre_x(box: dict[str, float]) -> float:
    return box["x"] + box["width"] / 2


def centre_y(box: dict[str, float]) -> float:
    return box["y"] + box["height"] / 2


def start(page: Any, server: LiveServer, accounts: Accounts, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    unlock_kiosk(page, accounts, "T1")
    enter_id(page, register(server.app))


@pytest.mark.parametrize("viewport", [TABLET, TABLET_PORTRAIT], ids=["1024x768", "768x1024"])
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_on_a_tablet_the_wai_is_a_grid_of_fieldsets_under_the_scales_labels(
    page: Any, server: LiveServer, accounts: Accounts, viewport: dict[str, int], lang: str
) -> None:
    t1 = instrument(server.app, "mothers_t1")
    start(page, server, accounts, viewport)
    if lang == "cy":
        page.get_by_role("button", name="Newid i'r Gymraeg").click()
    to_page_with(page, "wai_csw_01")
    wai = [it for it in t1.questions() if it.block_prefix == "wai_csw"]
    labels = [pick(o.label, lang) for o in wai[0].options]
    labels += [MISSING_LABELS[code][lang] for code in wai[0].offer]

    head = page.locator(".scale-head")
    expect(head).to_be_visible()
    assert head.get_attribute("aria-hidden") == "true"  # each answer keeps its own label
    headers = head.locator("span")
    assert [h.inner_text().replace("\n", " ") for h in headers.all()] == labels
    columns = [centre_x(b) for b in boxes(headers)]

    rows = page.locator(".scale-grid fieldset.question")
    assert rows.count() == 12
    for item in wai:
        # Its own fieldset, named by its question as now; its answers named by their labels.
        group = page.get_by_role("group", name=pick(item.text, lang), exact=True)
        expect(group).to_have_count(1)
        radios = group.get_by_role("radio")
        assert [r.evaluate("el => el.labels[0].textContent.trim()") for r in radios.all()] == labels
        for label in labels:
            expect(group.get_by_role("radio", name=label, exact=True)).to_have_count(1)
        # One row: every answer at the same height, each under its column's label.
        cells = boxes(group.locator("label.option"))
        assert max(centre_y(b) for b in cells) - min(centre_y(b) for b in cells) < 2
        for cell, column in zip(cells, columns, strict=True):
            assert abs(centre_x(cell) - column) < 3, (item.variable, cell, column)
        assert group.bounding_box()["height"] < 260, item.variable
        expect(group.get_by_role("button", name=re.compile("Read aloud|Darllen"))).to_be_visible()

    # The keyboard works as in any radio group: arrows move along a row, Tab leaves it.
    first = page.get_by_role("group", name=pick(wai[0].text, lang), exact=True)
    first.get_by_role("radio").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(first.get_by_role("radio", name=labels[1], exact=True)).to_be_checked()
    assert page.evaluate("document.scrollingElement.scrollHeight") < 3000


def test_on_a_phone_the_wai_stays_stacked(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    start(page, server, accounts, PHONE)
    to_page_with(page, "wai_csw_01")
    expect(page.locator(".scale-head")).to_be_hidden()
    for row in page.locator(".scale-grid fieldset.question").all():
        cells = boxes(row.locator("label.option"))
        tops = [b["y"] for b in cells]
        assert tops == sorted(tops) and len(set(round(t) for t in tops)) == len(cells)
        # Each answer shows its own words, as everywhere on a phone.
        for span in row.locator("label.option > span").all():
            assert span.bounding_box()["width"] > 40
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize(
    ("viewport", "rows"), [(TABLET, [10]), (TABLET_PORTRAIT, [10]), (PHONE, [5, 5])]
)
def test_the_rating_is_one_row_on_a_tablet_and_two_rows_of_five_on_a_phone(
    page: Any, server: LiveServer, accounts: Accounts, viewport: dict[str, int], rows: list[int]
) -> None:
    start(page, server, accounts, viewport)
    to_page_with(page, "decision_involvement")
    cells = boxes(page.locator("fieldset#q-decision_involvement .options.rating label.option"))
    tops: dict[int, int] = {}
    for cell in cells:
        tops[round(cell["y"])] = tops.get(round(cell["y"]), 0) + 1
    assert [tops[t] for t in sorted(tops)] == rows
    assert min(b["width"] for b in cells) >= 44


LEGEND_INSIDE = """() => [...document.querySelectorAll("fieldset.question")].map((f) => {
  const box = f.getBoundingClientRect();
  const legend = f.querySelector(":scope > legend").getBoundingClientRect();
  const border = parseFloat(getComputedStyle(f).borderTopWidth);
  return {id: f.id, inside: legend.top >= box.top + border - 0.5 && legend.left >= box.left,
          lines: Math.round(legend.height / parseFloat(getComputedStyle(f.querySelector("legend")).lineHeight))};
})"""


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["390x844", "1024x768"])
def test_a_question_of_several_lines_stays_inside_its_box(
    page: Any, server: LiveServer, accounts: Accounts, viewport: dict[str, int]
) -> None:
    start(page, server, accounts, viewport)
    wrapped = 0
    for _ in range(4):  # consent, and the first pages of questions
        for found in page.evaluate(LEGEND_INSIDE):
            assert found["inside"], found
            wrapped += found["lines"] > 1
        answer_page(page)
        next_page(page)
    assert wrapped >= 3  # the check saw questions of several lines
