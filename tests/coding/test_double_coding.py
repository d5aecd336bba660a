"""Two coders, blind to each other, on eleven prison staff answers: their agreement per theme
against values worked by hand, the disagreements listed and settled, and the settled coding
being the one that counts.

Worked by hand, over n = 11 answers:
- Specialist knowledge: first coder on answers 1-7, second on 1-5 and 8. Both 5, first only 2,
  second only 1, neither 3. Agreement 8/11 = 72.7%. Chance: (7*6 + 4*5)/121 = 62/121.
  kappa = (88/121 - 62/121) / (1 - 62/121) = 26/59 = 0.4407, shown 0.44.
- Navigate systems: both on answers 1-3 only. Agreement 100%; chance (3*3 + 8*8)/121 = 73/121;
  kappa = (1 - 73/121) / (1 - 73/121) = 1.00.
- Time for mothers: given by neither: agreement 100%, chance 1, kappa undefined (—).
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests import coding_steps as steps
from tests.flows import text_of

QUESTION = steps.STAFF_QUESTION
AGREEMENT = QUESTION + "/agreement"
SETTLE = QUESTION + "/settle"


def _row(page: str, theme: str) -> list[str]:
    """The cells of a theme's row in the agreement table."""
    table = page.split('id="agreement"')[1].split("</table>")[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        if f">{theme}<" in row:
            return [text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
    raise AssertionError(theme)


def test_each_coder_codes_blind_and_the_agreement_waits_for_both(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    second, refs = steps.double(app, researcher, book)
    knowledge = book.themes["Specialist knowledge"]
    steps.code_all(researcher, refs, {knowledge: set(range(1, 12))})
    # The second coder's page shows none of the first coder's ticks or name.
    page = second.get(f"{QUESTION}/code?answer={refs[0]}").get_data(as_text=True)
    assert "checked" not in page and "coder.one@example.org" not in page.split("<main")[1]
    assert "0 of 11 coded by you (blind" in text_of(page)
    waiting = text_of(researcher.get(AGREEMENT).get_data(as_text=True))
    assert "shows once both have coded every answer" in waiting
    assert "Cohen's kappa" not in waiting
    assert researcher.get(f"{SETTLE}?answer={refs[0]}").status_code == 409
    # A third researcher may not code a question set for two coders.
    third = steps.login(app, "coder.three@example.org")
    assert third.get(f"{QUESTION}/code").status_code == 403


def test_agreement_per_theme_matches_kappa_worked_by_hand(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    steps.code_both(app, researcher, book)
    page = researcher.get(AGREEMENT).get_data(as_text=True)
    #        theme, n, both, first only, second only, neither, agreement %, kappa
    assert _row(page, "Specialist knowledge") == [
        "Specialist knowledge",
        "11",
        "5",
        "2",
        "1",
        "3",
        "72.7",
        "0.44",
    ]
    assert _row(page, "Navigate systems") == [
        "Navigate systems",
        "11",
        "3",
        "0",
        "0",
        "8",
        "100.0",
        "1.00",
    ]
    assert _row(page, "Time for mothers") == [
        "Time for mothers",
        "11",
        "0",
        "0",
        "0",
        "11",
        "100.0",
        "—",
    ]


def test_disagreements_are_listed_and_the_settled_coding_counts(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    second, refs = steps.code_both(app, researcher, book)
    page = researcher.get(AGREEMENT).get_data(as_text=True)
    listed = page.split('id="disagreements"')[1].split("</table>")[0]
    assert re.findall(r"settle answer (\d+)", listed) == ["6", "7", "8"]

    settle_page = text_of(researcher.get(f"{SETTLE}?answer={refs[5]}").get_data(as_text=True))
    assert "coder.one@example.org Specialist knowledge" in settle_page
    assert "coder.two@example.org no theme" in settle_page
    steps.settle(second, refs, book)

    # All eleven count now: eight agreed, three settled.
    assert "11 of 11 answers have a coding that counts" in text_of(
        researcher.get(QUESTION).get_data(as_text=True)
    )
    counts = researcher.get("/research/coding/counts").get_data(as_text=True)
    #                       Eastwood Park n, %, HMP Send n, %, Total n, %
    assert _count_row(counts, "Specialist knowledge") == ["1", "20", "6", "100", "7", "64"]
    assert _count_row(counts, "Navigate systems") == ["0", "0", "3", "50", "3", "27"]
    assert _count_row(counts, "Filling gaps") == ["1", "20", "6", "100", "7", "64"]


def _count_row(page: str, label: str) -> list[str]:
    for row in re.findall(r"<tr class=\"\w+\">(.*?)</tr>", page, re.S):
        cells = [text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells[0] == label:
            return cells[1:]
    raise AssertionError(label)
